from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class SfaScorecardGenerate(models.TransientModel):
    """Compute the scorecards of a team for a period: the missing ones are
    created from each person's role template, then all are measured at once
    (reviewed and final ones are left as they are)."""

    _name = "sfa.scorecard.generate"
    _description = "Compute Scorecards"

    def _default_date_from(self):
        # the last complete month: scoring the month under way ranks people
        # on a few days of results
        today = fields.Date.context_today(self)
        return today.replace(day=1) - relativedelta(months=1)

    def _default_user_ids(self):
        """Everyone below the user whose role has a scorecard template in the
        company: the defaults compute without an error."""
        user = self.env.user
        below = user._sfa_subordinates_map().get(user.id, [])
        company = self.env.company
        # sudo: which roles have a template is not a secret, the templates
        # are managers' records
        roles = set(
            self.env["sfa.scorecard.template"]
            .sudo()
            .search([("company_id", "=", company.id)])
            .mapped("role")
        )
        return (
            self.env["res.users"]
            .browse(below)
            .filtered(lambda u: u.sfa_role in roles and company in u.company_ids)
        )

    date_from = fields.Date(
        "From", required=True, default=lambda self: self._default_date_from()
    )
    date_to = fields.Date(
        "To",
        required=True,
        compute="_compute_date_to",
        store=True,
        readonly=False,
        precompute=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    user_ids = fields.Many2many(
        "res.users", string="Salespeople", default=lambda self: self._default_user_ids()
    )

    @api.depends("date_from")
    def _compute_date_to(self):
        for wizard in self:
            wizard.date_to = wizard.date_from and (
                wizard.date_from + relativedelta(months=1, days=-1)
            )

    def action_apply(self):
        self.ensure_one()
        if self.date_to < self.date_from:
            raise UserError(self.env._("The period ends before it starts."))
        users = self.user_ids
        if not users:
            raise UserError(self.env._("Choose the salespeople to score."))
        me = self.env.user
        if not me._sfa_is_director():
            below = set(me._sfa_subordinates_map().get(me.id, []))
            strangers = users.filtered(lambda u: u.id not in below)
            if strangers:
                raise AccessError(
                    self.env._(
                        "You score only the people below you, not %s.",
                        ", ".join(strangers.mapped("name")),
                    )
                )
        # sudo: checked above against the reporting line
        Card = self.env["sfa.scorecard"].sudo()
        templates = {
            t.role: t
            for t in self.env["sfa.scorecard.template"]
            .sudo()
            .search([("company_id", "=", self.company_id.id)])
        }
        without = users.filtered(lambda u: u.sfa_role not in templates)
        if without:
            raise UserError(
                self.env._(
                    "No scorecard template for the role of %s.",
                    ", ".join(without.mapped("name")),
                )
            )
        period = [
            ("company_id", "=", self.company_id.id),
            ("date_from", "=", self.date_from),
            ("date_to", "=", self.date_to),
            ("user_id", "in", users.ids),
        ]
        existing = Card.search(period)
        missing = users - existing.user_id
        Card.create(
            [
                {
                    "user_id": user.id,
                    "company_id": self.company_id.id,
                    "template_id": templates[user.sfa_role].id,
                    "date_from": self.date_from,
                    "date_to": self.date_to,
                }
                for user in missing
            ]
        )
        cards = Card.search(period)
        cards.filtered(lambda c: c.state in ("draft", "computed"))._sfa_compute()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Scorecards"),
            "res_model": "sfa.scorecard",
            "view_mode": "list,form",
            "domain": [("id", "in", cards.ids)],
        }
