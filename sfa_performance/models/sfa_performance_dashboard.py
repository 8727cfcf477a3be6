from dateutil.relativedelta import relativedelta

from odoo import api, fields, models, tools
from odoo.fields import Domain
from odoo.tools import SQL


class SfaPerformanceDashboard(models.Model):
    """The sales manager's dashboard: a card per person of the sales force,
    with this month's target and results, the open pipeline, the last
    scorecard and what needs attention (overdue actions, customers due for
    a visit, overdue payments).

    A row per internal user (a database view); the action shows the sales
    force only, and sfa_base's rule on ``user_id`` leaves each reader the
    cards of themselves and those below them (all of them for directors).
    Every figure is computed for all the cards shown at once, with one
    grouped query per figure, whatever the size of the team.
    """

    _name = "sfa.performance.dashboard"
    _description = "Sales Team Dashboard"
    _inherit = ["sfa.visibility.mixin"]
    _auto = False
    _order = "name, id"
    _sfa_territory_field = False

    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    name = fields.Char(readonly=True)
    manager_id = fields.Many2one("res.users", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    in_sales_force = fields.Boolean(
        compute="_compute_in_sales_force", search="_search_in_sales_force"
    )

    month_target = fields.Monetary(compute="_compute_figures")
    month_actual = fields.Monetary(compute="_compute_figures")
    month_attainment = fields.Float(
        compute="_compute_figures", string="Month Attainment (%)"
    )
    month_won = fields.Monetary(compute="_compute_figures", string="Won This Month")
    month_credit = fields.Monetary(
        compute="_compute_figures", string="Deal Credit This Month"
    )
    pipeline_amount = fields.Monetary(
        compute="_compute_figures", string="Open Pipeline"
    )
    pipeline_count = fields.Integer(compute="_compute_figures", string="Open Deals")
    scorecard_id = fields.Many2one(
        "sfa.scorecard", compute="_compute_figures", string="Last Scorecard"
    )
    scorecard_score = fields.Float(compute="_compute_figures", string="Last Score")
    scorecard_rank = fields.Char(compute="_compute_figures", string="Rank")
    overdue_action_count = fields.Integer(
        compute="_compute_figures", string="Overdue Actions"
    )
    customer_due_count = fields.Integer(
        compute="_compute_figures", string="Customers Due"
    )
    overdue_amount = fields.Monetary(
        compute="_compute_figures", string="Overdue Payments"
    )
    grade_a_count = fields.Integer(compute="_compute_figures", string="A Customers")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %s AS (
                    SELECT u.id, u.id AS user_id, p.name,
                           u.sfa_manager_id AS manager_id, u.company_id
                      FROM res_users u
                      JOIN res_partner p ON p.id = u.partner_id
                     WHERE u.active AND NOT u.share
                )
                """,
                SQL.identifier(self._table),
            )
        )

    def _compute_in_sales_force(self):
        reps = self.user_id.filtered(lambda u: u.has_group("sfa_base.group_sfa_rep"))
        for card in self:
            card.in_sales_force = card.user_id in reps

    def _search_in_sales_force(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = Domain(
            "user_id.all_group_ids", "in", self.env.ref("sfa_base.group_sfa_rep").ids
        )
        return domain if (operator == "in") == any(value) else ~domain

    @api.depends_context("uid", "company")
    def _compute_figures(self):
        # sudo: the figures of the people whose card the user reads (the rule
        # on the cards), summed over records they may read one by one anyway.
        env = self.sudo().env
        users = self.user_id
        today = fields.Date.context_today(self)
        month_start = today.replace(day=1)
        month_end = month_start + relativedelta(months=1)
        by_user = Domain("user_id", "in", users.ids)

        targets = {
            user: (target, actual)
            for user, target, actual in env["sfa.target.line"]._read_group(
                Domain("owner_type", "=", "user")
                & Domain("user_id", "in", users.ids)
                & Domain("metric", "=", "won_revenue")
                & Domain("plan_id.state", "in", ("confirmed", "locked"))
                & Domain("date_from", "=", month_start)
                & Domain("date_to", "=", month_end - relativedelta(days=1)),
                ["user_id"],
                ["target_value:sum", "actual_value:sum"],
            )
        }
        # won revenue and credit as the KPIs count them: on each person's
        # calendar, one computation per company
        won, credit = {}, {}
        kpi_won = env.ref("sfa_performance.kpi_won_revenue")
        kpi_credit = env.ref("sfa_performance.kpi_deal_credit")
        for company, members in users.grouped("company_id").items():
            values = (kpi_won | kpi_credit)._sfa_values(
                members, company, month_start, month_end - relativedelta(days=1)
            )
            won.update(values[kpi_won.id])
            credit.update(values[kpi_credit.id])
        pipeline = {
            user: (amount, count)
            for user, amount, count in env["crm.lead"]._read_group(
                by_user
                & Domain("type", "=", "opportunity")
                & Domain("won_status", "=", "pending"),
                ["user_id"],
                ["expected_revenue:sum", "__count"],
            )
        }
        overdue_actions = dict(
            env["sfa.action"]._read_group(
                by_user & Domain("is_overdue", "=", True), ["user_id"], ["__count"]
            )
        )
        customers_due = dict(
            env["res.partner"]._read_group(
                by_user
                & Domain("sfa_is_customer", "=", True)
                & Domain("sfa_next_visit_date", "<", today),
                ["user_id"],
                ["__count"],
            )
        )
        overdue_payments = dict(
            env["sfa.customer.value"]._read_group(
                by_user & Domain("company_id", "=", self.env.company.id),
                ["user_id"],
                ["overdue_amount:sum"],
            )
        )
        grade_a = dict(
            env["sfa.customer.value"]._read_group(
                by_user
                & Domain("company_id", "=", self.env.company.id)
                & Domain("grade", "=", "a"),
                ["user_id"],
                ["__count"],
            )
        )
        scorecards = {}
        for card in env["sfa.scorecard"].search_fetch(
            by_user & Domain("state", "!=", "draft"),
            ["user_id", "total_score", "rank", "team_size", "date_from"],
            order="date_from desc, id desc",
        ):
            scorecards.setdefault(card.user_id, card)
        for card in self:
            user = card.user_id.sudo()
            target, actual = targets.get(user, (0.0, 0.0))
            card.month_target = target
            card.month_actual = actual
            card.month_attainment = 100 * actual / target if target else 0.0
            card.month_won = won.get(user.id) or 0.0
            card.month_credit = credit.get(user.id) or 0.0
            card.pipeline_amount, card.pipeline_count = pipeline.get(user, (0.0, 0))
            scorecard = scorecards.get(user)
            card.scorecard_id = scorecard and scorecard.id
            card.scorecard_score = scorecard.total_score if scorecard else 0.0
            card.scorecard_rank = (
                f"{scorecard.rank} / {scorecard.team_size}"
                if scorecard and scorecard.rank
                else False
            )
            card.overdue_action_count = overdue_actions.get(user, 0)
            card.customer_due_count = customers_due.get(user, 0)
            card.overdue_amount = overdue_payments.get(user, 0.0)
            card.grade_a_count = grade_a.get(user, 0)

    # ------------------------------------------------------------------
    # Buttons: the lists behind the figures
    # ------------------------------------------------------------------

    def _sfa_open(self, xmlid, domain, name=None, context=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = domain
        action["context"] = context or {}
        if name:
            action["display_name"] = name
        return action

    def action_open_pipeline(self):
        return self._sfa_open(
            "crm.crm_lead_opportunities",
            [
                ("user_id", "=", self.user_id.id),
                ("type", "=", "opportunity"),
                ("won_status", "=", "pending"),
            ],
            self.env._("Open Pipeline of %s", self.name),
        )

    def action_open_overdue_actions(self):
        return self._sfa_open(
            "sfa_pipeline.action_sfa_action",
            [("user_id", "=", self.user_id.id), ("is_overdue", "=", True)],
            self.env._("Overdue Actions of %s", self.name),
        )

    def action_open_customers_due(self):
        today = fields.Date.context_today(self)
        return self._sfa_open(
            "account.res_partner_action_customer",
            [
                ("user_id", "=", self.user_id.id),
                ("sfa_is_customer", "=", True),
                ("sfa_next_visit_date", "<", today),
            ],
            self.env._("Customers of %s Due for a Visit", self.name),
        )

    def action_open_customer_values(self):
        return self._sfa_open(
            "sfa_performance.action_sfa_customer_value",
            [("user_id", "=", self.user_id.id)],
            self.env._("Customer Value of %s", self.name),
        )

    def action_open_scorecard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sfa.scorecard",
            "res_id": self.scorecard_id.id,
            "views": [(False, "form")],
        }

    def action_open_targets(self):
        return self._sfa_open(
            "sfa_targets.action_sfa_target_line",
            [("user_id", "=", self.user_id.id), ("owner_type", "=", "user")],
            self.env._("Targets of %s", self.name),
        )
