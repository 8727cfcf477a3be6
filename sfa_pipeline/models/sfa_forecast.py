from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_date

from odoo.addons.sfa_base.tools import done_notice

# Figures recomputed from the deals by ``_refresh_period``; ``actual`` too.
PIPELINE_FIGURES = ("weighted", "commit", "best_case", "pipeline", "historical")
FIGURES = (*PIPELINE_FIGURES, "actual")


class SfaForecast(models.Model):
    """A rep's forecast for a month: one row per user, period and company.

    Figures are never typed in: ``_refresh_period`` recomputes them for every
    rep of a period with a handful of grouped queries and one upsert, so the
    cost does not grow with the size of the sales force. The rep's own
    figure (``rep_forecast``, commit unless the rep overrides it) and the
    managers' adjustments (``sfa.forecast.adjustment``) are kept side by
    side; the latest adjustment, if any, is the final forecast. Once the
    period is over only ``actual`` still moves, so accuracy compares the
    forecast as it stood at close with what was won.
    """

    _name = "sfa.forecast"
    _description = "Sales Forecast"
    _inherit = ["sfa.visibility.mixin"]
    _order = "period_start desc, user_id"
    _sfa_number_bounds = {"rep_forecast": (0, None)}
    _rec_name = "user_id"
    # Forecasts belong to a rep, not to a territory: the territory view is
    # the roll-up over deals, see sfa.forecast.territory.
    _sfa_territory_field = False

    period_start = fields.Date("Period", required=True, readonly=True, index=True)
    period_end = fields.Date(required=True, readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", required=True, readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    company_currency = fields.Many2one(related="company_id.currency_id")
    weighted = fields.Monetary(
        "Weighted Pipeline",
        currency_field="company_currency",
        readonly=True,
        help="Open deals closing in the period, each at its probability.",
    )
    commit = fields.Monetary(currency_field="company_currency", readonly=True)
    best_case = fields.Monetary(
        currency_field="company_currency",
        readonly=True,
        help="Commit plus the deals the rep marked best case.",
    )
    pipeline = fields.Monetary(
        currency_field="company_currency",
        readonly=True,
        help="All open deals closing in the period but the omitted ones.",
    )
    historical = fields.Monetary(
        "Historical Forecast",
        currency_field="company_currency",
        readonly=True,
        help="Open deals closing in the period (omitted ones aside), each at "
        "the share of the team's closed deals that went through its current "
        "stage and were won.",
    )
    actual = fields.Monetary("Won", currency_field="company_currency", readonly=True)
    rep_forecast = fields.Monetary(
        currency_field="company_currency",
        help="The rep's own figure: their commit until they type another one.",
    )
    rep_forecast_manual = fields.Boolean(readonly=True)
    adjustment_ids = fields.One2many(
        "sfa.forecast.adjustment", "forecast_id", "Adjustments", readonly=True
    )
    manager_adjustment = fields.Monetary(
        currency_field="company_currency",
        compute="_compute_adjustment",
        store=True,
    )
    adjusted_by_id = fields.Many2one(
        "res.users", compute="_compute_adjustment", store=True
    )
    adjustment_reason = fields.Text(compute="_compute_adjustment", store=True)
    final_forecast = fields.Monetary(
        currency_field="company_currency",
        compute="_compute_final_forecast",
        store=True,
    )
    accuracy = fields.Float(
        compute="_compute_accuracy",
        help="Once the period is over: 1 - |final forecast - won| / won. Blank "
        "where no forecast was made, or nothing was won.",
    )
    accuracy_known = fields.Boolean(compute="_compute_accuracy")

    _user_period_unique = models.UniqueIndex(
        "(user_id, period_start, company_id)",
        "A salesperson has one forecast per period and company.",
    )

    @api.depends("adjustment_ids.amount", "adjustment_ids.date")
    def _compute_adjustment(self):
        for forecast in self:
            latest = forecast.adjustment_ids.sorted(
                lambda adj: (adj.date, adj.id), reverse=True
            )[:1]
            forecast.manager_adjustment = latest.amount
            forecast.adjusted_by_id = latest.user_id
            forecast.adjustment_reason = latest.reason

    @api.depends("rep_forecast", "manager_adjustment", "adjusted_by_id")
    def _compute_final_forecast(self):
        for forecast in self:
            forecast.final_forecast = (
                forecast.manager_adjustment
                if forecast.adjusted_by_id
                else forecast.rep_forecast
            )

    @api.depends("final_forecast", "actual", "period_end", "create_date")
    @api.depends_context("uid")
    def _compute_accuracy(self):
        """Only for a forecast made before its period closed: a row first
        written afterwards (wins of a rep who had nothing in the pipe) has
        an actual but no forecast to measure."""
        today = fields.Date.context_today(self)
        for forecast in self:
            closed = forecast.period_end and forecast.period_end < today
            made_in_time = (
                forecast.create_date
                and forecast.create_date.date() <= forecast.period_end
            )
            # a final forecast of nothing, never adjusted, is no forecast
            forecast_made = forecast.final_forecast or forecast.adjusted_by_id
            known = bool(closed and made_in_time and forecast.actual and forecast_made)
            forecast.accuracy_known = known
            forecast.accuracy = (
                1 - abs(forecast.final_forecast - forecast.actual) / forecast.actual
                if known
                else False
            )

    def write(self, vals):
        if not self.env.su:
            self._sfa_check_numbers(vals)
            self._check_rep_forecast_write(vals)
        res = super().write(vals)
        if "rep_forecast" in vals:
            # A rep who types a figure keeps it: refreshes no longer reset it
            # to commit. sudo: a flag of the system, set after the rep's own
            # write of their figure was checked above.
            self.filtered(lambda f: not f.rep_forecast_manual).sudo().write(
                {"rep_forecast_manual": True}
            )
        return res

    def _check_rep_forecast_write(self, vals):
        """The figures are computed; a rep only states their own forecast, for an
        open period. Managers speak through adjustments, kept beside it."""
        if set(vals) - {"rep_forecast"}:
            raise AccessError(
                self.env._("Forecast figures are computed: refresh them instead.")
            )
        for forecast in self:
            if forecast.user_id != self.env.user:
                raise AccessError(
                    self.env._(
                        "Only %(rep)s can state their own forecast; their managers "
                        "add an adjustment instead.",
                        rep=forecast.user_id.name,
                    )
                )
            if forecast._is_closed():
                raise UserError(
                    self.env._("The forecast of a closed period cannot change.")
                )

    def _is_closed(self):
        self.ensure_one()
        return self.period_end < self._sfa_today()

    # ------------------------------------------------------------------
    # Refresh
    # ------------------------------------------------------------------

    @api.model
    def _period_bounds(self, day):
        start = fields.Date.to_date(day).replace(day=1)
        return start, start + relativedelta(months=1, days=-1)

    @api.model
    def _sfa_open_deals_domain(self, start, end):
        return Domain(
            [
                ("type", "=", "opportunity"),
                ("won_status", "=", "pending"),
                ("company_id", "!=", False),
                ("date_deadline", ">=", start),
                ("date_deadline", "<=", end),
            ]
        )

    @api.model
    def _sfa_pipeline_figures(self, start, end):
        """{(user, company): {figure: amount}} of the open deals of the period.

        Two grouped queries whatever the number of reps: one by forecast
        category, one joining each deal to its team's stage-to-won rate: of
        the closed deals that went through the stage while in the team, the
        share that was won (each deal counts once, however often it came
        back to the stage). Deals of users outside the sales force, or of
        no one, count in its row outside.
        """
        figures = defaultdict(lambda: dict.fromkeys(FIGURES, 0.0))
        # sudo: forecasts sum every deal of the rep, whoever runs the refresh
        Lead = self.env["crm.lead"].sudo()
        groups = Lead._read_group(
            self._sfa_open_deals_domain(start, end),
            ["user_id", "company_id", "sfa_forecast_category"],
            ["expected_revenue:sum", "prorated_revenue:sum"],
        )
        rows = self.env["res.users"]._sfa_in_sales_force(
            [user.id for user, *_rest in groups]
        )
        for user, company, category, revenue, prorated in groups:
            row = figures[rows[user.id], company.id]
            row["weighted"] += prorated
            if category != "omitted":
                row["pipeline"] += revenue
            if category == "commit":
                row["commit"] += revenue
            if category in ("commit", "best_case"):
                row["best_case"] += revenue
        Lead.flush_model()
        self.env["sfa.stage.history"].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                WITH passed AS (
                    -- each closed deal once per stage it went through, with
                    -- the team it was in then
                    SELECT DISTINCT h.team_id, h.stage_id, h.lead_id,
                           l.won_status = 'won' AS won
                      FROM sfa_stage_history h
                      JOIN crm_lead l ON l.id = h.lead_id
                      JOIN crm_stage s ON s.id = h.stage_id
                     WHERE l.won_status IN ('won', 'lost') AND s.is_won IS NOT TRUE
                ), rates AS (
                    SELECT team_id, stage_id, AVG(won::int) AS rate
                      FROM passed
                     GROUP BY team_id, stage_id
                )
                SELECT l.user_id, l.company_id,
                       SUM(COALESCE(l.expected_revenue, 0) * COALESCE(r.rate, 0))
                  FROM crm_lead l
                  LEFT JOIN rates r ON r.stage_id = l.stage_id
                                   AND r.team_id IS NOT DISTINCT FROM l.team_id
                 WHERE l.active AND l.type = 'opportunity'
                   AND l.won_status = 'pending'
                   AND l.company_id IS NOT NULL
                   AND l.sfa_forecast_category != 'omitted'
                   AND l.date_deadline BETWEEN %(start)s AND %(end)s
                 GROUP BY l.user_id, l.company_id
                """,
                start=start,
                end=end,
            )
        )
        force = self.env["res.users"]._sfa_in_sales_force(
            [user_id for user_id, *_rest in rows]
        )
        for user_id, company_id, historical in rows:
            figures[force[user_id], company_id]["historical"] += float(historical or 0)
        for key in [key for key in figures if key[0] is None]:
            del figures[key]
        return figures

    @api.model
    def _sfa_actuals(self, start, end):
        """{(user, company): won revenue} of the deals won in the period, on
        the salesperson's day (sfa_base's facts, as targets count them).
        Wins of users outside the sales force count in its row outside."""
        # sudo: same as _sfa_pipeline_figures, the actual is every win of the rep
        groups = (
            self.env["sfa.fact"]
            .sudo()
            ._read_group(
                [
                    ("metric", "=", "won_revenue"),
                    ("date", ">=", start),
                    ("date", "<=", end),
                ],
                ["user_id", "company_id"],
                ["amount:sum"],
            )
        )
        rows = self.env["res.users"]._sfa_in_sales_force(
            [user.id for user, *_rest in groups]
        )
        actuals = defaultdict(float)
        for user, company, won in groups:
            if rows[user.id]:
                actuals[rows[user.id], company.id] += won
        return dict(actuals)

    @api.model
    def _refresh_period(self, day=None):
        """Recompute the forecasts of the month of ``day`` (default today).

        One upsert for all reps of the period, so running it twice, or in
        parallel with another run, leaves one row per rep and company with
        the same figures. Rows whose deals all left the period are part of
        the upsert, back to zero. On a closed period only ``actual`` moves:
        the forecast must stay as it stood at close for the accuracy to mean
        anything, and a rep without a row gets one with the actual only.
        Returns the forecasts of the period.
        """
        start, end = self._period_bounds(day or fields.Date.context_today(self))
        closed = end < fields.Date.context_today(self)
        if closed:
            figures = defaultdict(lambda: dict.fromkeys(FIGURES, 0.0))
        else:
            figures = self._sfa_pipeline_figures(start, end)
        for key, won in self._sfa_actuals(start, end).items():
            figures[key]["actual"] = won
        self.flush_model()
        # sudo: every row of the period, whoever runs the refresh
        existing = self.sudo().search_fetch(
            [("period_start", "=", start)], ["user_id", "company_id"]
        )
        for row in existing:
            key = row.user_id.id, row.company_id.id
            figures[key] = figures.get(key) or dict.fromkeys(FIGURES, 0.0)
        if figures:
            self._sfa_upsert(start, end, figures, closed)
        self.invalidate_model()
        return self.search([("period_start", "=", start)])

    @api.model
    def _sfa_upsert(self, start, end, figures, closed):
        """Write ``figures`` ({(user, company): {figure: amount}}) in one upsert."""
        users = self.env["res.users"].browse({user for user, _c in figures})
        teams = {user.id: user.sudo().sale_team_id.id or None for user in users}
        keys = list(figures)
        columns = {name: [figures[key][name] for key in keys] for name in FIGURES}
        update = (
            SQL("actual = EXCLUDED.actual")
            if closed
            else SQL(
                """weighted = EXCLUDED.weighted, commit = EXCLUDED.commit,
                   best_case = EXCLUDED.best_case,
                   pipeline = EXCLUDED.pipeline,
                   historical = EXCLUDED.historical,
                   actual = EXCLUDED.actual, team_id = EXCLUDED.team_id,
                   rep_forecast = CASE WHEN f.rep_forecast_manual
                                       THEN f.rep_forecast
                                       ELSE EXCLUDED.commit END,
                   final_forecast = CASE
                       WHEN f.adjusted_by_id IS NOT NULL
                            THEN f.manager_adjustment
                       WHEN f.rep_forecast_manual THEN f.rep_forecast
                       ELSE EXCLUDED.commit END"""
            )
        )
        self.env.execute_query(
            SQL(
                """
                INSERT INTO sfa_forecast AS f (
                    user_id, company_id, team_id, period_start, period_end,
                    weighted, commit, best_case, pipeline, historical,
                    actual, rep_forecast, final_forecast, rep_forecast_manual,
                    create_uid, create_date, write_uid, write_date)
                SELECT v.user_id, v.company_id, v.team_id, %(start)s, %(end)s,
                       v.weighted, v.commit, v.best_case, v.pipeline,
                       v.historical, v.actual, v.commit, v.commit, FALSE,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(users)s::int[], %(companies)s::int[],
                              %(teams)s::int[], %(weighted)s::numeric[],
                              %(commit)s::numeric[], %(best_case)s::numeric[],
                              %(pipeline)s::numeric[],
                              %(historical)s::numeric[],
                              %(actual)s::numeric[])
                       AS v(user_id, company_id, team_id, weighted, commit,
                            best_case, pipeline, historical, actual)
                ON CONFLICT (user_id, period_start, company_id)
                DO UPDATE SET %(update)s,
                              write_uid = %(uid)s, write_date = %(now)s
                """,
                start=start,
                end=end,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                users=[user for user, _c in keys],
                companies=[company for _u, company in keys],
                teams=[teams[user] for user, _c in keys],
                update=update,
                **columns,
            )
        )

    @api.model
    def _cron_refresh_forecasts(self):
        """The current month, and last month's actuals (late-booked wins)."""
        today = fields.Date.context_today(self)
        self._refresh_period(today - relativedelta(months=1))
        self._refresh_period(today)

    def action_refresh(self):
        """Anyone with forecasts may refresh them: the figures follow from the
        deals alone and the refresh is one set-based pass for the period, the
        same as the nightly cron, so it changes nobody's figure at will."""
        forecasts = self.browse()
        for start in set(self.mapped("period_start")) or {None}:
            forecasts |= self._refresh_period(start)
        months = sorted(set(forecasts.mapped("period_start")))
        return done_notice(
            self.env._(
                "Forecasts of %(months)s refreshed from the deals: %(count)s "
                "salespeople.",
                months=", ".join(
                    format_date(self.env, month, date_format="MMMM y")
                    for month in months
                )
                or "-",
                count=len(set(forecasts.mapped("user_id"))),
            )
        )

    # ------------------------------------------------------------------
    # Roll-ups
    # ------------------------------------------------------------------

    @api.model
    def _sfa_rollup_by_manager(self, day):
        """{manager: {figure: amount}}: each person's own forecast plus those
        of everyone below them, over the roll-up rows the caller may see
        (``sfa.forecast.rollup``, one grouped query)."""
        start, _end = self._period_bounds(day)
        names = [*FIGURES, "final_forecast"]
        groups = self.env["sfa.forecast.rollup"]._read_group(
            [("period_start", "=", start)],
            ["manager_id"],
            [f"{name}:sum" for name in names],
        )
        return {manager: dict(zip(names, sums)) for manager, *sums in groups}

    @api.model
    def _sfa_rollup_by_territory(self, day):
        """{territory: {figure: amount}} over the deals of its whole subtree,
        as the caller may see them (``sfa.forecast.territory``, one query)."""
        start, _end = self._period_bounds(day)
        names = [name for name in FIGURES if name != "historical"]
        groups = self.env["sfa.forecast.territory"]._read_group(
            [("period_start", "=", start)],
            ["territory_id"],
            [f"{name}:sum" for name in names],
        )
        return {territory: dict(zip(names, sums)) for territory, *sums in groups}
