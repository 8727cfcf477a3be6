from odoo import api, fields, models

# a change of these may win a deal, reopen it or change who earned what
CREDIT_FIELDS = {
    "stage_id",
    "active",
    "probability",
    "won_status",
    "expected_revenue",
    "date_closed",
    "company_id",
    "team_id",
    "partner_id",
    "type",
}
PENDING = "sfa.deal.credit"


class CrmLead(models.Model):
    _inherit = "crm.lead"

    sfa_credit_ids = fields.One2many(
        "sfa.deal.credit", "lead_id", "Deal Credit", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        # imported or created already won: a deal created open has no credit
        leads._sfa_won()._sfa_credit_later()
        return leads

    def write(self, vals):
        res = super().write(vals)
        if CREDIT_FIELDS & set(vals):
            self._sfa_credit_later()
        return res

    def _sfa_won(self):
        # sudo: which deals are won, to credit them
        return self.browse(
            self.sudo().filtered(lambda lead: lead.won_status == "won").ids
        )

    def _sfa_credit_later(self):
        """Credit these deals (or take their credit back) once, for the whole
        transaction, when it is flushed before commit: a batch of writes, an
        assignment run or an import costs one delete and one insert, and no
        read of the deals while they are written."""
        if not self:
            return
        precommit = self.env.cr.precommit
        pending = precommit.data.setdefault(PENDING, set())
        if not pending:
            precommit.add(self.env["crm.lead"]._sfa_credit_pending)
        pending.update(self.ids)

    @api.model
    def _sfa_credit_pending(self):
        lead_ids = self.env.cr.precommit.data.pop(PENDING, set())
        self.env["sfa.deal.credit"].sudo()._sfa_compute(lead_ids)
