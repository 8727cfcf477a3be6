from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.crm_lead import FORECAST_CATEGORIES
from ..models.sfa_forecast import FIGURES


class SfaForecastFigures(models.AbstractModel):
    """The figures the forecast roll-ups sum, in company currency."""

    _name = "sfa.forecast.figures"
    _description = "Forecast Figures"

    company_id = fields.Many2one("res.company", readonly=True)
    company_currency = fields.Many2one(related="company_id.currency_id")
    period_start = fields.Date("Period", readonly=True)
    weighted = fields.Monetary(
        "Weighted Pipeline", currency_field="company_currency", readonly=True
    )
    commit = fields.Monetary(currency_field="company_currency", readonly=True)
    best_case = fields.Monetary(currency_field="company_currency", readonly=True)
    pipeline = fields.Monetary(currency_field="company_currency", readonly=True)
    actual = fields.Monetary("Won", currency_field="company_currency", readonly=True)


class SfaForecastRollup(models.Model):
    """Forecasts rolled up the reporting line, as a pivot.

    One row per forecast and per person at or above its rep in the reporting
    line (``manager_id``, ``depth`` steps up): grouping by manager gives each
    manager's total over everyone below them, their own forecast included.
    A row belongs to its manager for the visibility rule, so a supervisor
    reads their own roll-up and those of the people below them, never the
    totals of the line above. The forecast "Outside the Sales Force" (what
    users outside it won or have in the pipe) rolls up one level below the
    top of each reporting line of its company: a director's roll-up is the
    company's total.
    """

    _name = "sfa.forecast.rollup"
    _description = "Forecast by Reporting Line"
    _inherit = ["sfa.forecast.figures", "sfa.visibility.mixin"]
    _auto = False
    _order = "period_start desc, manager_id, depth"
    _rec_name = "manager_id"
    _sfa_owner_field = "manager_id"
    _sfa_territory_field = False

    manager_id = fields.Many2one("res.users", readonly=True)
    depth = fields.Integer(
        "Levels Below", readonly=True, aggregator=None, help="0: their own forecast."
    )
    forecast_id = fields.Many2one("sfa.forecast", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    historical = fields.Monetary(
        "Historical Forecast", currency_field="company_currency", readonly=True
    )
    rep_forecast = fields.Monetary(currency_field="company_currency", readonly=True)
    final_forecast = fields.Monetary(currency_field="company_currency", readonly=True)

    def _read_group_select(self, aggregate_spec, query):
        """A forecast has a row for each manager above its rep: a total over
        several managers would count it once per level. Totals are given
        within one manager's roll-up (and one company, so one currency)."""
        fname, __, func = aggregate_spec.partition(":")
        if func == "sum" and fname in (*FIGURES, "rep_forecast", "final_forecast"):
            manager = self._field_to_sql(self._table, "manager_id", query)
            company = self._field_to_sql(self._table, "company_id", query)
            return SQL(
                "CASE WHEN MIN(%s) = MAX(%s) AND MIN(%s) = MAX(%s) THEN %s END",
                manager,
                manager,
                company,
                company,
                super()._read_group_select(aggregate_spec, query),
            )
        return super()._read_group_select(aggregate_spec, query)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        figures = SQL(", ").join(
            SQL("f.%s", SQL.identifier(name))
            for name in (*FIGURES, "rep_forecast", "final_forecast")
        )
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(table)s AS (
                    WITH RECURSIVE line AS (
                        SELECT DISTINCT f.user_id, f.user_id AS manager_id,
                               0 AS depth
                          FROM sfa_forecast f
                        UNION ALL
                        SELECT line.user_id, m.sfa_manager_id, line.depth + 1
                          FROM line
                          JOIN res_users m ON m.id = line.manager_id
                         WHERE m.sfa_manager_id IS NOT NULL AND line.depth < 63
                    )
                    SELECT f.id::bigint * 64 + line.depth AS id,
                           line.manager_id, line.depth, f.id AS forecast_id,
                           f.user_id, f.team_id, f.company_id, f.period_start,
                           %(figures)s
                      FROM line
                      JOIN sfa_forecast f ON f.user_id = line.user_id
                    UNION ALL
                    -- outside the sales force: below the top of each line
                    -- (its forecast has no row above depth 0: the slots of
                    -- the depths above number the tops)
                    SELECT f.id::bigint * 64
                               + ROW_NUMBER() OVER (PARTITION BY f.id
                                                    ORDER BY top.id),
                           top.id, 1, f.id,
                           f.user_id, f.team_id, f.company_id, f.period_start,
                           %(figures)s
                      FROM sfa_forecast f
                      JOIN ir_model_data x
                        ON x.module = 'sfa_base'
                       AND x.name = 'user_outside_sales_force'
                       AND x.model = 'res.users' AND x.res_id = f.user_id
                      JOIN res_company_users_rel cu ON cu.cid = f.company_id
                      JOIN res_users top
                        ON top.id = cu.user_id AND top.active
                       AND top.sfa_manager_id IS NULL
                     WHERE EXISTS (SELECT 1 FROM res_users below
                                    WHERE below.sfa_manager_id = top.id
                                      AND below.active)
                )
                """,
                table=SQL.identifier(self._table),
                figures=figures,
            )
        )


class SfaForecastTerritory(models.Model):
    """The period's deals rolled up the territory tree, as a pivot.

    From the deals rather than the forecasts: a rep sells in several
    territories, a deal lies in one. One row per deal and per territory at
    or above its own (``depth`` steps up), so grouping by territory gives
    the total of its whole subtree. Open deals count in the month of their
    expected closing, in their territory; won ones are read from the won
    revenue facts: in the month of the salesperson's day they were won, in
    the territory their customer was in on that day (as every other screen).
    The rows follow the visibility rule of their deal.
    """

    _name = "sfa.forecast.territory"
    _description = "Forecast by Territory"
    _inherit = ["sfa.forecast.figures", "sfa.visibility.mixin"]
    _auto = False
    _order = "period_start desc, territory_id, depth"
    _rec_name = "territory_id"
    _sfa_territory_field = "lead_territory_id"
    _sfa_share_model = "crm.lead"
    _sfa_share_field = "lead_id"

    territory_id = fields.Many2one("sfa.territory", readonly=True)
    depth = fields.Integer(
        "Levels Below", readonly=True, aggregator=None, help="0: the deal's own."
    )
    level = fields.Integer(
        "Territory Level", readonly=True, aggregator=None, help="0: top level."
    )
    placement = fields.Selection(
        [("own", "Not in a Sub-territory"), ("below", "In a Sub-territory")],
        "Deal Placed",
        readonly=True,
        help="Whether the deal lies in the territory itself or in one below it.",
    )
    lead_id = fields.Many2one("crm.lead", "Opportunity", readonly=True)
    lead_territory_id = fields.Many2one(
        "sfa.territory", "Territory of the Deal", readonly=True
    )
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    sfa_forecast_category = fields.Selection(
        FORECAST_CATEGORIES, "Forecast Category", readonly=True
    )

    def _read_group_select(self, aggregate_spec, query):
        """A deal counts once per level of the tree: a total mixing levels
        (France with its regions and cities), or companies (and so
        currencies), is not given."""
        fname, __, func = aggregate_spec.partition(":")
        if func == "sum" and fname in FIGURES:
            return SQL(
                "CASE WHEN COUNT(DISTINCT (%s, %s)) <= 1 THEN %s END",
                self._field_to_sql(self._table, "level", query),
                self._field_to_sql(self._table, "company_id", query),
                super()._read_group_select(aggregate_spec, query),
            )
        return super()._read_group_select(aggregate_spec, query)

    def _search(self, domain, *args, **kwargs):
        # the won deals are read from the facts: this transaction's wins
        # are in them before the report is read
        self.env["sfa.fact"]._sfa_sync({"won_revenue"})
        return super()._search(domain, *args, **kwargs)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(table)s AS (
                    WITH deals AS (
                        -- open deals: in the month of their expected closing,
                        -- in the deal's territory
                        SELECT l.id AS lead_id, l.sfa_territory_id AS territory_id,
                               l.user_id, l.team_id, l.company_id,
                               l.sfa_forecast_category,
                               date_trunc('month', l.date_deadline)::date
                                   AS period_start,
                               COALESCE(l.expected_revenue, 0)
                                   * COALESCE(l.probability, 0) / 100.0 AS weighted,
                               CASE WHEN l.sfa_forecast_category = 'commit'
                                    THEN COALESCE(l.expected_revenue, 0) ELSE 0
                               END AS commit,
                               CASE WHEN l.sfa_forecast_category
                                             IN ('commit', 'best_case')
                                    THEN COALESCE(l.expected_revenue, 0) ELSE 0
                               END AS best_case,
                               CASE WHEN l.sfa_forecast_category != 'omitted'
                                    THEN COALESCE(l.expected_revenue, 0) ELSE 0
                               END AS pipeline,
                               0 AS actual
                          FROM crm_lead l
                         WHERE l.type = 'opportunity' AND l.won_status = 'pending'
                           AND l.active AND l.date_deadline IS NOT NULL
                        UNION ALL
                        -- won deals: the won revenue facts, in the month of the
                        -- salesperson's day they were won, in the territory
                        -- the customer was in on that day
                        SELECT f.lead_id, f.territory_id, f.user_id, f.team_id,
                               f.company_id, l.sfa_forecast_category,
                               date_trunc('month', f.date)::date,
                               0, 0, 0, 0, f.amount
                          FROM sfa_fact f
                          JOIN crm_lead l ON l.id = f.lead_id
                         WHERE f.metric = 'won_revenue'
                    )
                    SELECT d.lead_id::bigint * 1024 + anc.depth AS id,
                           anc.territory_id, anc.depth::int AS depth,
                           anc.level::int AS level,
                           CASE WHEN anc.depth = 0 THEN 'own' ELSE 'below' END
                               AS placement,
                           d.lead_id, d.territory_id AS lead_territory_id,
                           d.user_id, d.team_id, d.company_id,
                           d.sfa_forecast_category, d.period_start,
                           d.weighted, d.commit, d.best_case, d.pipeline, d.actual
                      FROM deals d
                      LEFT JOIN sfa_territory t ON t.id = d.territory_id
                     CROSS JOIN LATERAL (
                         SELECT a.id::int AS territory_id,
                                cardinality(p.ids) - a.n AS depth,
                                a.n - 1 AS level
                           FROM (SELECT string_to_array(
                                            rtrim(t.parent_path, '/'), '/') AS ids
                                ) p,
                                unnest(p.ids) WITH ORDINALITY AS a(id, n)
                          -- a deal with no territory: one row, in none
                          UNION ALL
                         SELECT NULL, 0, 0 WHERE t.id IS NULL
                     ) anc
                )
                """,
                table=SQL.identifier(self._table),
            )
        )
