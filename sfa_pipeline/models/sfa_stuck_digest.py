from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Domain

KINDS = [
    ("owner", "My Stuck Opportunities"),
    ("supervisor", "My Team's Stuck Opportunities"),
]


class SfaStuckDigest(models.Model):
    """One stagnation digest sent to one user on one day.

    A deal is stuck when Odoo says it is rotting: open, and in its stage for
    longer than the stage's ``rotting_threshold_days``. The daily cron mails
    each owner their own stuck deals and each supervisor (the owners'
    ``sfa_manager_id``) those of their direct reports. The rows are the
    memory that makes a second run on the same day send nothing, and the
    unique key makes two parallel runs fail rather than send twice.
    """

    _name = "sfa.stuck.digest"
    _description = "Stuck Opportunities Digest"
    _sfa_system_records = True
    _order = "date desc, id desc"
    _rec_name = "user_id"

    user_id = fields.Many2one(
        "res.users", "Recipient", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="user_id.company_id")
    date = fields.Date(required=True, index=True)
    kind = fields.Selection(KINDS, required=True)
    lead_ids = fields.Many2many("crm.lead", string="Stuck Opportunities")
    lead_count = fields.Integer(compute="_compute_lead_count")

    _one_per_day = models.UniqueIndex(
        "(user_id, date, kind)",
        "A user gets one digest of each kind a day.",
    )

    @api.depends("lead_ids")
    def _compute_lead_count(self):
        for digest in self:
            digest.lead_count = len(digest.lead_ids)

    @api.model
    def _cron_send_digests(self):
        """Mail today's digests not sent yet: one grouped search, one create.

        Each digest only lists the deals its recipient owns, or those of their
        direct reports, whoever the cron runs as.
        """
        # sudo: the digests cover every owner's deals, whatever the rights of
        # the cron's user; what each recipient gets is filtered on ownership.
        digests = self.sudo()
        today = fields.Date.context_today(self)
        groups = digests.env["crm.lead"]._read_group(
            Domain("is_rotting", "=", True) & Domain("user_id", "!=", False),
            ["user_id"],
            ["id:recordset"],
        )
        by_recipient = {}
        team = defaultdict(lambda: digests.env["crm.lead"])
        for owner, leads in groups:
            by_recipient[owner, "owner"] = leads
            if owner.sfa_manager_id:
                team[owner.sfa_manager_id] |= leads
        by_recipient.update(
            {(manager, "supervisor"): leads for manager, leads in team.items()}
        )
        sent = {
            (digest.user_id, digest.kind)
            for digest in digests.search_fetch(
                [("date", "=", today)], ["user_id", "kind"]
            )
        }
        todo = {
            key: leads
            for key, leads in by_recipient.items()
            if key not in sent and key[0].active and not key[0].share
        }
        if not todo:
            return digests.browse()
        digests = digests.create(
            [
                {
                    "user_id": user.id,
                    "date": today,
                    "kind": kind,
                    "lead_ids": leads.ids,
                }
                for (user, kind), leads in todo.items()
            ]
        )
        digests.env.ref("sfa_pipeline.mail_template_sfa_stuck_digest").send_mail_batch(
            digests.ids
        )
        return digests
