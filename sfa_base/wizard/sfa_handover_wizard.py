from collections import Counter, defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class SfaHandoverWizard(models.TransientModel):
    """Hand a leaving rep's portfolio to a colleague or to a territory's reps.

    What is handed over is listed by ``_sfa_handover_targets``, which later
    modules extend (actions, targets). Afterwards the leaver owns nothing
    open, and every record counted before is counted after, with a new owner.
    """

    _name = "sfa.handover.wizard"
    _description = "Rep Departure Hand-over"

    from_user_id = fields.Many2one(
        "res.users", "Leaving Rep", required=True, domain="[('share', '=', False)]"
    )
    mode = fields.Selection(
        [("user", "To one colleague"), ("territory", "Spread over a territory's reps")],
        required=True,
        default="user",
    )
    to_user_id = fields.Many2one(
        "res.users",
        "New Owner",
        domain="[('share', '=', False), ('active', '=', True)]",
    )
    territory_id = fields.Many2one("sfa.territory")
    state = fields.Selection(
        [("draft", "Draft"), ("preview", "Preview"), ("done", "Done")],
        string="Status",
        default="draft",
    )
    line_ids = fields.One2many("sfa.handover.line", "wizard_id", string="What Moves")
    note = fields.Text()

    @api.model
    def _sfa_handover_targets(self, leaver):
        """(model, domain, label) of what ``leaver`` hands over; modules extend it.

        Each domain selects the leaver's open records of its model.
        """
        customers = self.env._("Customers")
        leads = self.env._("Open Leads and Opportunities")
        activities = self.env._("Open Activities")
        return [
            (
                "res.partner",
                [("user_id", "=", leaver.id), ("sfa_is_customer", "=", True)],
                customers,
            ),
            (
                "crm.lead",
                [("user_id", "=", leaver.id), ("won_status", "=", "pending")],
                leads,
            ),
            (
                "mail.activity",
                [("user_id", "=", leaver.id), ("active", "=", True)],
                activities,
            ),
        ]

    def _check_recipients(self):
        self.ensure_one()
        leaver = self.from_user_id
        if self.mode == "user":
            if not self.to_user_id:
                raise UserError(self.env._("Choose who takes over."))
            if self.to_user_id == leaver:
                raise UserError(self.env._("A rep cannot hand over to themselves."))
            if not self.to_user_id.active:
                raise UserError(
                    self.env._(
                        "%s is archived and cannot take over.", self.to_user_id.name
                    )
                )
            recipients = self.to_user_id
        else:
            if not self.territory_id:
                raise UserError(
                    self.env._("Choose the territory whose reps take over.")
                )
            recipients = self.territory_id.member_ids.filtered("active") - leaver
            if not recipients:
                raise UserError(
                    self.env._(
                        "Territory %s has no other active rep to take over.",
                        self.territory_id.display_name,
                    )
                )
        user = self.env.user
        if not user._sfa_is_director():
            team = user._sfa_team_users()
            outside = (leaver | recipients) - team
            if outside or leaver == user:
                raise AccessError(
                    self.env._(
                        "You can only hand over the portfolio of someone in your "
                        "team, to people in your team (not: %s).",
                        ", ".join((outside or leaver).mapped("name")),
                    )
                )
        strangers = recipients.filtered(
            lambda u: not (u.company_ids & leaver.company_ids)
        )
        if strangers:
            raise UserError(
                self.env._(
                    "%s does not work for the leaver's companies.",
                    ", ".join(strangers.mapped("name")),
                )
            )
        return recipients

    def _records(self):
        """(model, label, records) the leaver hands over (sudo, counts only)."""
        return [
            (
                model,
                label,
                self.env[model].sudo().with_context(active_test=False).search(domain),
            )
            for model, domain, label in self._sfa_handover_targets(self.from_user_id)
        ]

    def action_preview(self):
        self.ensure_one()
        self._check_recipients()
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(
                {"model": model, "name": label, "count": len(records)}
            )
            for model, label, records in self._records()
        ]
        self.state = "preview"
        return self._reopen()

    def action_apply(self):
        self.ensure_one()
        if self.state != "preview":
            raise UserError(self.env._("Preview the hand-over before applying it."))
        recipients = self._check_recipients()
        groups = self._records()
        owner_of_partner = {}
        summary = []
        for model, label, records in groups:
            assignment = self._assign(model, records, recipients, owner_of_partner)
            for user_id, ids in assignment.items():
                # sudo: the manager hands over records they may not all see
                self.env[model].sudo().browse(ids).write({"user_id": user_id})
            if model == "res.partner":
                owner_of_partner.update(
                    {pid: uid for uid, ids in assignment.items() for pid in ids}
                )
            moved = sum(len(ids) for ids in assignment.values())
            summary.append((label, moved))
            if moved < len(records):
                summary.append(
                    (
                        self.env._(
                            "%(what)s left with %(leaver)s (to reassign by hand)",
                            what=label,
                            leaver=self.from_user_id.name,
                        ),
                        len(records) - moved,
                    )
                )
        summary += self._hand_over_roles(recipients)
        self._post_summary(summary, recipients)
        self.state = "done"
        return self._reopen()

    def _hand_over_roles(self, recipients):
        """The leaver leaves their territories (managed ones go to the successor
        when there is one) and the shares they were given end."""
        leaver = self.from_user_id
        # sudo: the hand-over was checked against the manager's team
        Territory = self.env["sfa.territory"].sudo().with_context(active_test=False)
        managed = Territory.search([("manager_id", "=", leaver.id)])
        if managed:
            successor = recipients if len(recipients) == 1 else self.env["res.users"]
            managed.manager_id = successor
        covered = Territory.search([("member_ids", "in", leaver.ids)])
        for territory in covered:
            new = recipients if len(recipients) == 1 else self.env["res.users"]
            territory.member_ids = territory.member_ids - leaver | new
        shares = self.env["sfa.share"].sudo().search([("user_id", "=", leaver.id)])
        shares.active = False
        return [
            (self.env._("Territories managed"), len(managed)),
            (self.env._("Territories covered"), len(covered)),
            (self.env._("Shares ended"), len(shares)),
        ]

    def _assign(self, model, records, recipients, owner_of_partner):
        """Spread records over recipients: customers round the least loaded,
        their deals and activities with them, the rest round-robin.

        Returns {user id: record ids}; records an override leaves out stay
        with the leaver and are counted apart in the summary."""
        assignment = defaultdict(list)
        if len(recipients) == 1:
            if records:
                assignment[recipients.id] = records.ids
            return assignment
        load = Counter({u.id: 0 for u in recipients})
        customer_of = self._customer_of(model, records)
        for record in records:
            partner_id = customer_of.get(record.id, False)
            user_id = owner_of_partner.get(partner_id) or min(
                load, key=lambda u: (load[u], u)
            )
            load[user_id] += 1
            assignment[user_id].append(record.id)
        return assignment

    @api.model
    def _customer_of(self, model, records):
        """Map record id -> id of its customer (company), read set by set."""
        if model == "crm.lead":
            return {r.id: r.partner_id.commercial_partner_id.id for r in records}
        if model != "mail.activity":
            return {}
        result = {}
        for res_model, activities in records.grouped("res_model").items():
            if res_model not in ("res.partner", "crm.lead"):
                continue
            # sudo: only the customer of each record is read
            targets = self.env[res_model].sudo().browse(activities.mapped("res_id"))
            partner_of = {
                t.id: (
                    t if res_model == "res.partner" else t.partner_id
                ).commercial_partner_id.id
                for t in targets
            }
            result.update({a.id: partner_of.get(a.res_id, False) for a in activities})
        return result

    def _post_summary(self, summary, recipients):
        lines = Markup("").join(
            Markup("<li>%s: %s</li>") % (label, count) for label, count in summary
        )
        body = Markup("%s<ul>%s</ul>") % (
            self.env._(
                "Hand-over of %(leaver)s to %(to)s by %(by)s.",
                leaver=self.from_user_id.name,
                to=", ".join(recipients.mapped("name")),
                by=self.env.user.name,
            ),
            lines,
        )
        if self.note:
            body += Markup("<p>%s</p>") % self.note
        # sudo: the summary goes on the leaver's contact card, kept after they leave
        self.from_user_id.partner_id.sudo().message_post(
            body=body, subtype_xmlid="mail.mt_note"
        )

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Hand-over"),
        }


class SfaHandoverLine(models.TransientModel):
    _name = "sfa.handover.line"
    _description = "Hand-over Preview Line"

    wizard_id = fields.Many2one(
        "sfa.handover.wizard", required=True, ondelete="cascade"
    )
    model = fields.Char()
    name = fields.Char("What")
    count = fields.Integer()
