from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .crm_lead import PENDING

UNITS = [
    ("amount", "Amount"),
    ("count", "Count"),
    ("percent", "Percent"),
    ("days", "Days"),
    ("minutes", "Minutes"),
    ("score", "Score"),
]


class SfaKpi(models.Model):
    """A measured indicator of a salesperson's work.

    Each KPI has a *source*: a computation that returns the value of every
    salesperson of a company for a period at once, in a fixed number of
    queries whatever the number of salespeople (``_sfa_kpi_<source>``).
    Modules add sources by extending ``_sfa_kpi_sources`` and writing the
    method. A KPI whose source nobody computes is refused.
    """

    _name = "sfa.kpi"
    _description = "Sales KPI"
    _sfa_shared_configuration = True
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    code = fields.Char(required=True)
    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    unit = fields.Selection(UNITS, required=True, default="count")
    direction = fields.Selection(
        [("higher", "Higher is better"), ("lower", "Lower is better")],
        required=True,
        default="higher",
    )
    source = fields.Selection(selection="_selection_source", required=True)
    metric = fields.Selection(
        selection="_selection_metric",
        default="won_revenue",
        help="For target attainment: the metric whose targets count.",
    )
    active = fields.Boolean(default=True)

    _code_unique = models.UniqueIndex("(code)", "A KPI code is used only once.")

    @api.model
    def _sfa_kpi_sources(self):
        """[(source, label)]: each source has a ``_sfa_kpi_<source>``."""
        _ = self.env._
        return [
            ("target_attainment", _("Target attainment (%)")),
            ("won_revenue", _("Won revenue")),
            ("new_customers", _("New customers")),
            ("orders", _("Confirmed orders")),
            ("win_rate", _("Win rate (%)")),
            ("avg_deal_size", _("Average deal size")),
            ("cycle_days", _("Sales cycle length (days)")),
            ("pipeline_velocity", _("Pipeline velocity (per day)")),
            ("action_adherence", _("Action plan adherence (%)")),
            ("visits", _("Done visits")),
            ("call_minutes", _("Average call duration (minutes)")),
            ("satisfaction", _("Customer satisfaction (ratings, 1-5)")),
            ("deal_credit", _("Deal contribution credit")),
        ]

    @api.model
    def _selection_source(self):
        return self._sfa_kpi_sources()

    @api.model
    def _selection_metric(self):
        return self.env["sfa.metric.source"]._sfa_metric_selection()

    @api.constrains("source")
    def _check_source(self):
        for kpi in self:
            if not hasattr(self, f"_sfa_kpi_{kpi.source}"):
                raise ValidationError(
                    self.env._("Nothing computes the source of KPI %s.", kpi.name)
                )

    # ------------------------------------------------------------------
    # Values: one set-based computation per KPI for all salespeople
    # ------------------------------------------------------------------

    def _sfa_values(self, users, company, date_from, date_to):
        """{kpi id: {user id: value}} of these KPIs for ``users`` in
        ``company`` from ``date_from`` to ``date_to`` (both included). A
        user missing from a sum has 0; a ratio with nothing to divide by (no
        closed deal for a win rate) is None: no measure."""
        # facts are read in SQL: the pending writes and credits first
        if self.env.cr.precommit.data.get(PENDING):
            self.env["crm.lead"]._sfa_credit_pending()
        self.env.flush_all()
        period = _Period(self.env, users, company, date_from, date_to)
        return {
            kpi.id: getattr(self, f"_sfa_kpi_{kpi.source}")(period, kpi) for kpi in self
        }

    # --- sums of facts through sfa_targets' attribution ----------------

    @api.model
    def _sfa_kpi_won_revenue(self, period, kpi):
        return period.metric("won_revenue")

    @api.model
    def _sfa_kpi_new_customers(self, period, kpi):
        return period.metric("new_customers")

    @api.model
    def _sfa_kpi_orders(self, period, kpi):
        Source = self.env["sfa.metric.source"]
        return period.facts(
            SQL(
                "SELECT o.company_id, o.user_id, o.team_id, p.commercial_partner_id,"
                " %s, 1 %s",
                Source._sfa_order_date_sql(),
                Source._sfa_orders_from_sql(),
            )
        )

    @api.model
    def _sfa_kpi_visits(self, period, kpi):
        return period.metric("done_visits")

    @api.model
    def _sfa_kpi_deal_credit(self, period, kpi):
        return period.metric("deal_credit")

    # --- ratios --------------------------------------------------------

    @api.model
    def _sfa_lost_facts(self):
        """Deals lost, on the day they were lost (their last stay closed
        lost), credited to their owner then."""
        return SQL(
            """
            SELECT h.company_id, h.user_id, h.team_id, NULL::int, %s, 1
              FROM sfa_stage_history h
              LEFT JOIN res_users u ON u.id = h.user_id
              LEFT JOIN res_partner up ON up.id = u.partner_id
              LEFT JOIN res_company c ON c.id = h.company_id
              LEFT JOIN res_partner cp ON cp.id = c.partner_id
             WHERE h.outcome = 'lost' AND h.date_out IS NOT NULL
            """,
            self.env["sfa.metric.source"]._sfa_local_date_sql(
                SQL("h.date_out"), SQL("up.tz"), SQL("cp.tz")
            ),
        )

    @api.model
    def _sfa_kpi_win_rate(self, period, kpi):
        won = period.metric("won_deals")
        lost = period.facts(self._sfa_lost_facts())
        return {
            uid: _ratio(100.0 * won.get(uid, 0), won.get(uid, 0) + lost.get(uid, 0))
            for uid in period.user_ids
        }

    @api.model
    def _sfa_kpi_avg_deal_size(self, period, kpi):
        revenue, deals = period.metric("won_revenue"), period.metric("won_deals")
        return {
            uid: _ratio(revenue.get(uid, 0), deals.get(uid, 0))
            for uid in period.user_ids
        }

    @api.model
    def _sfa_cycle_facts(self):
        Source = self.env["sfa.metric.source"]
        return SQL(
            "SELECT %s, l.user_id, l.team_id, NULL::int, %s,"
            " EXTRACT(EPOCH FROM l.date_closed - l.create_date) / 86400.0 %s",
            Source._sfa_lead_company_sql(),
            Source._sfa_won_date_sql(),
            Source._sfa_won_deals_from_sql(),
        )

    @api.model
    def _sfa_kpi_cycle_days(self, period, kpi):
        days, deals = period.facts(self._sfa_cycle_facts()), period.metric("won_deals")
        return {
            uid: _ratio(days.get(uid, 0), deals.get(uid, 0)) for uid in period.user_ids
        }

    @api.model
    def _sfa_open_at_end(self, period):
        """{user id: opportunities they held open at the end of the period}
        (from the stage history: the stay that ran over the period's end)."""
        end = fields.Datetime.to_datetime(fields.Date.add(period.date_to, days=1))
        rows = self.env.execute_query(
            SQL(
                """
                SELECT h.user_id, COUNT(*)
                  FROM sfa_stage_history h
                  JOIN crm_stage s ON s.id = h.stage_id
                 WHERE h.user_id = ANY(%(users)s) AND h.company_id = %(company)s
                   AND h.date_in < %(end)s
                   AND (h.date_out IS NULL OR h.date_out >= %(end)s)
                   AND NOT COALESCE(s.is_won, FALSE)
                 GROUP BY h.user_id
                """,
                users=period.user_ids,
                company=period.company.id,
                end=end,
            )
        )
        return dict(rows)

    @api.model
    def _sfa_kpi_pipeline_velocity(self, period, kpi):
        """Open deals x win rate x average deal size / cycle length: the
        revenue the pipeline is expected to bring per day."""
        rate = self._sfa_kpi_win_rate(period, kpi)
        size = self._sfa_kpi_avg_deal_size(period, kpi)
        cycle = self._sfa_kpi_cycle_days(period, kpi)
        open_deals = self._sfa_open_at_end(period)
        return {
            uid: _ratio(
                open_deals.get(uid, 0) * rate[uid] / 100.0 * size[uid], cycle[uid]
            )
            if None not in (rate[uid], size[uid], cycle[uid])
            else None
            for uid in period.user_ids
        }

    @api.model
    def _sfa_actions_sql(self, value, moment, where):
        """Facts of actions: ``value`` on the owner's day of ``moment``."""
        return SQL(
            """
            SELECT a.company_id, a.user_id, NULL::int, NULL::int, %s, %s
              FROM sfa_action a
              JOIN sfa_action_type t ON t.id = a.action_type_id
              LEFT JOIN mail_activity_type mt ON mt.id = t.activity_type_id
              LEFT JOIN res_users u ON u.id = a.user_id
              LEFT JOIN res_partner up ON up.id = u.partner_id
              LEFT JOIN res_company c ON c.id = a.company_id
              LEFT JOIN res_partner cp ON cp.id = c.partner_id
             WHERE %s
            """,
            self.env["sfa.metric.source"]._sfa_local_date_sql(
                moment, SQL("up.tz"), SQL("cp.tz")
            ),
            value,
            where,
        )

    @api.model
    def _sfa_kpi_action_adherence(self, period, kpi):
        """Actions planned in the period and done by their planned end, over
        the actions planned in the period (cancelled ones aside), in %."""
        planned = SQL("a.state != 'cancelled'")
        total = period.facts(self._sfa_actions_sql(SQL("1"), SQL("a.start"), planned))
        on_time = period.facts(
            self._sfa_actions_sql(
                SQL(
                    "CASE WHEN a.state = 'done' AND a.date_done <= a.stop"
                    " THEN 1 ELSE 0 END"
                ),
                SQL("a.start"),
                planned,
            )
        )
        return {
            uid: _ratio(100.0 * on_time.get(uid, 0), total.get(uid, 0))
            for uid in period.user_ids
        }

    @api.model
    def _sfa_kpi_call_minutes(self, period, kpi):
        """Average duration of the calls done in the period (actions whose
        activity type is a phone call), in minutes."""
        calls = SQL(
            "a.state = 'done' AND a.date_done IS NOT NULL AND mt.category = 'phonecall'"
        )
        minutes = period.facts(
            self._sfa_actions_sql(SQL("a.duration * 60"), SQL("a.date_done"), calls)
        )
        count = period.facts(self._sfa_actions_sql(SQL("1"), SQL("a.date_done"), calls))
        return {
            uid: _ratio(minutes.get(uid, 0), count.get(uid, 0))
            for uid in period.user_ids
        }

    @api.model
    def _sfa_kpi_satisfaction(self, period, kpi):
        """Average of the ratings customers gave the salesperson (Odoo's
        ratings, rated operator = them), by the day they were given."""
        rows = self.env.execute_query(
            SQL(
                """
                SELECT u.id, AVG(r.rating)
                  FROM rating_rating r
                  JOIN res_users u ON u.partner_id = r.rated_partner_id
                 WHERE u.id = ANY(%(users)s) AND r.consumed AND r.rating > 0
                   AND r.write_date >= %(start)s AND r.write_date < %(end)s
                 GROUP BY u.id
                """,
                users=period.user_ids,
                start=fields.Datetime.to_datetime(period.date_from),
                end=fields.Datetime.to_datetime(
                    fields.Date.add(period.date_to, days=1)
                ),
            )
        )
        averages = dict(rows)
        # no rating is no measure, not a bad one
        return {
            uid: float(averages[uid]) if uid in averages else None
            for uid in period.user_ids
        }

    @api.model
    def _sfa_kpi_target_attainment(self, period, kpi):
        """Actual over target of the salesperson's targets of the KPI's
        metric for exactly the period (confirmed or locked plans), in %."""
        rows = self.env.execute_query(
            SQL(
                """
                SELECT t.user_id, SUM(t.actual_value), SUM(t.target_value)
                  FROM sfa_target_line t
                  JOIN sfa_target_plan p ON p.id = t.plan_id
                 WHERE t.owner_type = 'user' AND t.user_id = ANY(%(users)s)
                   AND t.company_id = %(company)s AND t.metric = %(metric)s
                   AND t.date_from = %(start)s AND t.date_to = %(end)s
                   AND p.state != 'draft'
                 GROUP BY t.user_id
                """,
                users=period.user_ids,
                company=period.company.id,
                metric=kpi.metric or "won_revenue",
                start=period.date_from,
                end=period.date_to,
            )
        )
        attainment = {
            uid: _ratio(100.0 * actual, target) for uid, actual, target in rows
        }
        # no target, no attainment to judge
        return {uid: attainment.get(uid) for uid in period.user_ids}


def _ratio(numerator, denominator):
    """None when there is nothing to divide by: no deal closed, no action
    planned... is no measure, not a zero (nor a perfect cycle length)."""
    return numerator / denominator if denominator else None


class _Period:
    """Salespeople of a company over dates, and their sums of facts."""

    def __init__(self, env, users, company, date_from, date_to):
        self.env = env
        self.user_ids = users.ids
        self.company = company
        self.date_from = fields.Date.to_date(date_from)
        self.date_to = fields.Date.to_date(date_to)

    def rows(self):
        return [
            (uid, "user", uid, self.company.id, self.date_from, self.date_to)
            for uid in self.user_ids
        ]

    def facts(self, facts_sql):
        """{user id: sum of the facts' values} (one query)."""
        return self.env["sfa.target.line"]._sfa_actuals(self.rows(), facts_sql)

    def metric(self, code):
        return self.facts(self.env["sfa.metric.source"]._sfa_metric_facts(code))
