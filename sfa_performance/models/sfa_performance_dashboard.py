from dateutil.relativedelta import relativedelta

from odoo import api, fields, models, tools
from odoo.fields import Domain
from odoo.tools import SQL, format_date


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
    _order = "is_lead desc, name, id"
    _sfa_territory_field = False

    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    name = fields.Char(readonly=True)
    manager_id = fields.Many2one("res.users", readonly=True)
    is_lead = fields.Boolean("Leads a Team", readonly=True)
    team_lead_id = fields.Many2one(
        "res.users",
        "Team",
        readonly=True,
        help="Whose team the card is in: the person's own when someone reports "
        "to them (their card heads it, with the team's roll-up), else their "
        "manager's.",
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    in_sales_force = fields.Boolean(
        compute="_compute_in_sales_force", search="_search_in_sales_force"
    )

    period_label = fields.Char("Period", compute="_compute_figures")
    month_target = fields.Monetary(compute="_compute_figures", string="Target")
    month_actual = fields.Monetary(compute="_compute_figures", string="Actual")
    month_attainment = fields.Float(compute="_compute_figures", string="Attainment (%)")
    month_won = fields.Monetary(compute="_compute_figures", string="Won")
    month_credit = fields.Monetary(compute="_compute_figures", string="Deal Credit")
    pipeline_amount = fields.Monetary(
        compute="_compute_figures", string="Open Pipeline"
    )
    pipeline_count = fields.Integer(compute="_compute_figures", string="Open Deals")
    scorecard_id = fields.Many2one("sfa.scorecard", compute="_compute_figures")
    scorecard_score = fields.Float(compute="_compute_figures", string="Score")
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
    # the team below the person (everyone below them in the reporting line)
    # and the person together
    team_size = fields.Integer(
        compute="_compute_figures", help="People of the sales force below."
    )
    team_target = fields.Monetary(
        compute="_compute_figures",
        help="The targets of the team, a target split among its members counted once.",
    )
    team_won = fields.Monetary(compute="_compute_figures")
    team_attainment = fields.Float(
        compute="_compute_figures", string="Team Attainment (%)"
    )
    team_credit = fields.Monetary(compute="_compute_figures")
    team_pipeline_amount = fields.Monetary(
        compute="_compute_figures", string="Team Pipeline"
    )
    team_pipeline_count = fields.Integer(
        compute="_compute_figures", string="Team Open Deals"
    )
    team_overdue_action_count = fields.Integer(
        compute="_compute_figures", string="Team Overdue Actions"
    )
    team_customer_due_count = fields.Integer(
        compute="_compute_figures", string="Team Customers Due"
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %s AS (
                    SELECT u.id, u.id AS user_id, p.name,
                           u.sfa_manager_id AS manager_id, u.company_id,
                           lead.id IS NOT NULL AS is_lead,
                           COALESCE(lead.id, u.sfa_manager_id) AS team_lead_id
                      FROM res_users u
                      JOIN res_partner p ON p.id = u.partner_id
                      LEFT JOIN LATERAL (
                           SELECT u.id FROM res_users s
                            WHERE s.sfa_manager_id = u.id AND s.active
                            LIMIT 1
                      ) lead ON TRUE
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
            "user_id", "any", self.env["res.users"]._sfa_sales_force_domain()
        )
        return domain if (operator == "in") == any(value) else ~domain

    @api.model
    def _sfa_period(self):
        """(first day, last day, label) of the period the dashboard shows:
        the ``sfa_period`` of the context (``month``, ``quarter`` or ``year``
        for the last complete one, ``this_month``... for the one under way),
        the last complete month by default."""
        today = fields.Date.context_today(self)
        period = self.env.context.get("sfa_period") or "month"
        current = period.startswith("this_")
        unit = period.removeprefix("this_")
        if unit not in ("month", "quarter", "year"):
            unit = "month"
        if unit == "year":
            start = today.replace(month=1, day=1)
            step = relativedelta(years=1)
        elif unit == "quarter":
            start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
            step = relativedelta(months=3)
        else:
            start = today.replace(day=1)
            step = relativedelta(months=1)
        if not current:
            start -= step
        end = start + step - relativedelta(days=1)
        if unit == "year":
            label = str(start.year)
        elif unit == "quarter":
            label = f"{start.year} Q{(start.month - 1) // 3 + 1}"
        else:
            label = format_date(self.env, start, date_format="MMMM y")
        if current:
            label = self.env._("%s (to date)", label)
        return start, end, label

    @api.depends_context("uid", "company", "sfa_period")
    def _compute_figures(self):
        # sudo: the figures of the people whose card the user reads (the rule
        # on the cards) and of the people below them (whom the rule opens to
        # the user as well), summed over records they may read one by one
        env = self.sudo().env
        start, end, label = self._sfa_period()
        below = self.user_id._sfa_subordinates_map()
        # one query, for one card as for a thousand
        everyone = {uid for ids in below.values() for uid in ids} | set(
            self.user_id.ids
        )
        force = set(
            env["res.users"]
            .search(
                env["res.users"]._sfa_sales_force_domain()
                & Domain("id", "in", list(everyone))
            )
            .ids
        )
        teams = {
            user_id: [uid for uid in ids if uid in force]
            for user_id, ids in below.items()
        }
        users = self.user_id | env["res.users"].browse(
            {uid for ids in teams.values() for uid in ids}
        )
        own = self._sfa_own_figures(users, start, end)
        targets = self._sfa_targets(users, start, end)
        for card in self:
            user = card.user_id
            figures = own.get(user.id, {})
            held = targets.get(user.id, {}).values()
            target = sum(value for value, _actual in held)
            card.period_label = label
            card.month_target = target
            card.month_actual = sum(actual for _value, actual in held)
            card.month_attainment = 100 * card.month_actual / target if target else 0.0
            card.month_won = figures.get("won", 0.0)
            card.month_credit = figures.get("credit", 0.0)
            card.pipeline_amount = figures.get("pipeline_amount", 0.0)
            card.pipeline_count = figures.get("pipeline_count", 0)
            scorecard = figures.get("scorecard")
            card.scorecard_id = scorecard and scorecard.id
            card.scorecard_score = scorecard.total_score if scorecard else 0.0
            card.scorecard_rank = (
                f"{scorecard.rank} / {scorecard.team_size}"
                if scorecard and scorecard.rank
                else False
            )
            card.overdue_action_count = figures.get("overdue_actions", 0)
            card.customer_due_count = figures.get("customers_due", 0)
            card.overdue_amount = figures.get("overdue_amount", 0.0)
            card.grade_a_count = figures.get("grade_a", 0)
            # the team with the person
            team = [user.id, *teams.get(user.id, [])]
            card.team_size = len(team) - 1

            def total(key, team=team):
                return sum(own.get(uid, {}).get(key, 0) for uid in team)

            card.team_target = self._sfa_team_target(team, targets)
            card.team_won = total("won")
            card.team_attainment = (
                100 * card.team_won / card.team_target if card.team_target else 0.0
            )
            card.team_credit = total("credit")
            card.team_pipeline_amount = total("pipeline_amount")
            card.team_pipeline_count = total("pipeline_count")
            card.team_overdue_action_count = total("overdue_actions")
            card.team_customer_due_count = total("customers_due")

    @api.model
    def _sfa_targets(self, users, start, end):
        """{user id: {target line: (target, actual)}}: the won revenue
        targets the users hold for the period, for all products and
        customers: the target of exactly the period when there is one, else
        its quarters, else its months."""
        env = self.sudo().env
        lines = env["sfa.target.line"].search_fetch(
            Domain("owner_type", "=", "user")
            & Domain("user_id", "in", users.ids)
            & Domain("metric", "=", "won_revenue")
            & Domain("product_categ_id", "=", False)
            & Domain("customer_category_id", "=", False)
            & Domain("plan_id.state", "in", ("confirmed", "locked"))
            & Domain("date_from", ">=", start)
            & Domain("date_to", "<=", end),
            [
                "user_id",
                "date_from",
                "date_to",
                "period_type",
                "parent_path",
                "target_value",
                "actual_value",
            ],
        )
        by_user = {}
        for line in lines:
            by_user.setdefault(line.user_id.id, []).append(line)
        result = {}
        for user_id, held in by_user.items():
            exact = [
                line for line in held if (line.date_from, line.date_to) == (start, end)
            ]
            quarters = [line for line in held if line.period_type == "quarter"]
            months = [line for line in held if line.period_type == "month"]
            chosen = exact or quarters or months
            result[user_id] = {
                line: (line.target_value, line.actual_value) for line in chosen
            }
        return result

    @api.model
    def _sfa_team_target(self, team, targets):
        """The targets of the team's members, a target that is part of
        another counted one (a manager's target split among their reps)
        counted once, at the top."""
        lines = {
            line: value
            for uid in team
            for line, (value, _actual) in targets.get(uid, {}).items()
        }
        ids = {line.id for line in lines}
        return sum(
            value
            for line, value in lines.items()
            if not any(
                int(parent) in ids for parent in line.parent_path.split("/")[:-2]
            )
        )

    @api.model
    def _sfa_own_figures(self, users, start, end):
        """{user id: {figure: value}} for each user alone, one grouped query
        per figure whatever the number of users."""
        env = self.sudo().env
        today = fields.Date.context_today(self)
        by_user = Domain("user_id", "in", users.ids)
        figures = {uid: {} for uid in users.ids}

        def put(key, rows):
            for user, value in rows:
                figures.setdefault(user.id, {})[key] = value

        # won revenue and credit as the KPIs count them: on each person's
        # calendar, one computation per company
        kpi_won = env.ref("sfa_performance.kpi_won_revenue")
        kpi_credit = env.ref("sfa_performance.kpi_deal_credit")
        for company, members in users.grouped("company_id").items():
            values = (kpi_won | kpi_credit)._sfa_values(members, company, start, end)
            for uid, value in values[kpi_won.id].items():
                figures.setdefault(uid, {})["won"] = value or 0.0
            for uid, value in values[kpi_credit.id].items():
                figures.setdefault(uid, {})["credit"] = value or 0.0
        for user, amount, count in env["crm.lead"]._read_group(
            by_user
            & Domain("type", "=", "opportunity")
            & Domain("won_status", "=", "pending"),
            ["user_id"],
            ["expected_revenue:sum", "__count"],
        ):
            figures[user.id].update(pipeline_amount=amount, pipeline_count=count)
        put(
            "overdue_actions",
            env["sfa.action"]._read_group(
                by_user & Domain("is_overdue", "=", True), ["user_id"], ["__count"]
            ),
        )
        put(
            "customers_due",
            env["res.partner"]._read_group(
                by_user
                & Domain("sfa_is_customer", "=", True)
                & Domain("sfa_next_visit_date", "<", today),
                ["user_id"],
                ["__count"],
            ),
        )
        company = Domain("company_id", "=", self.env.company.id)
        put(
            "overdue_amount",
            env["sfa.customer.value"]._read_group(
                by_user & company, ["user_id"], ["overdue_amount:sum"]
            ),
        )
        put(
            "grade_a",
            env["sfa.customer.value"]._read_group(
                by_user & company & Domain("grade", "=", "a"),
                ["user_id"],
                ["__count"],
            ),
        )
        # the scorecard of the period (its last month for a quarter or a
        # year), never one of another period
        for card in env["sfa.scorecard"].search_fetch(
            by_user
            & Domain("state", "!=", "draft")
            & Domain("date_from", ">=", start)
            & Domain("date_to", "<=", end),
            ["user_id", "total_score", "rank", "team_size", "date_from"],
            order="date_from desc, id desc",
        ):
            figures[card.user_id.id].setdefault("scorecard", card)
        return figures

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

    @api.readonly
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

    @api.readonly
    def action_open_team_pipeline(self):
        team = [
            self.user_id.id,
            *self.user_id._sfa_subordinates_map().get(self.user_id.id, []),
        ]
        return self._sfa_open(
            "crm.crm_lead_opportunities",
            [
                ("user_id", "in", team),
                ("type", "=", "opportunity"),
                ("won_status", "=", "pending"),
            ],
            self.env._("Open Pipeline of %s's Team", self.name),
            {"group_by": ["user_id"]},
        )

    def _sfa_open_facts(self, metric, name):
        """The facts of ``metric`` the card sums for its person and period
        (in the person's company, as the KPIs count them)."""
        self.ensure_one()
        start, end, label = self._sfa_period()
        return self._sfa_open(
            "sfa_base.action_sfa_fact",
            [
                ("metric", "=", metric),
                ("user_id", "=", self.user_id.id),
                ("company_id", "=", self.user_id.company_id.id),
                ("date", ">=", start),
                ("date", "<=", end),
            ],
            self.env._("%(name)s, %(period)s", name=name, period=label),
            {"search_default_group_month": 1},
        )

    @api.readonly
    def action_open_won_facts(self):
        return self._sfa_open_facts("won_revenue", self.env._("Won by %s", self.name))

    @api.readonly
    def action_open_credit_facts(self):
        return self._sfa_open_facts(
            "deal_credit", self.env._("Deal Credit of %s", self.name)
        )

    @api.readonly
    def action_open_overdue_actions(self):
        return self._sfa_open(
            "sfa_pipeline.action_sfa_action",
            [("user_id", "=", self.user_id.id), ("is_overdue", "=", True)],
            self.env._("Overdue Actions of %s", self.name),
        )

    @api.readonly
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

    @api.readonly
    def action_open_customer_values(self):
        return self._sfa_open(
            "sfa_performance.action_sfa_customer_value",
            [("user_id", "=", self.user_id.id)],
            self.env._("Customer Value of %s", self.name),
        )

    @api.readonly
    def action_open_scorecard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sfa.scorecard",
            "res_id": self.scorecard_id.id,
            "views": [(False, "form")],
        }

    @api.readonly
    def action_open_targets(self):
        start, end, label = self._sfa_period()
        return self._sfa_open(
            "sfa_targets.action_sfa_target_line",
            [
                ("user_id", "=", self.user_id.id),
                ("owner_type", "=", "user"),
                ("date_from", "<=", end),
                ("date_to", ">=", start),
            ],
            self.env._("Targets of %(name)s, %(period)s", name=self.name, period=label),
        )
