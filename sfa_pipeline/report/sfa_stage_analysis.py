from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.sfa_stage_history import OUTCOMES


class SfaStageAnalysis(models.Model):
    """Stage analytics: one row per stay of an opportunity in a stage.

    Counts add up (entered, advanced, lost, converted to won), rates are
    averages of 0/100 flags so the pivot shows conversion percentages for any
    cut, and ``days_in_stage`` also offers the median through the ``median``
    aggregate added below. Territory, owner and team are those of the stay.
    """

    _name = "sfa.stage.analysis"
    _description = "Stage Analysis"
    _inherit = ["sfa.lead.trail.mixin"]
    _auto = False
    _order = "date_in desc"
    _rec_name = "stage_id"
    # what a read flushes first (the stays are queued until a flush)
    _depends = {
        "sfa.stage.history": [
            "lead_id",
            "stage_id",
            "user_id",
            "team_id",
            "sfa_territory_id",
            "company_id",
            "date_in",
            "date_out",
            "outcome",
            "expected_revenue",
        ],
        "crm.lead": ["type", "won_status", "partner_id", "create_date"],
        "res.partner": ["commercial_partner_id", "sfa_category_id"],
    }

    lead_id = fields.Many2one("crm.lead", "Opportunity", readonly=True)
    stage_id = fields.Many2one("crm.stage", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    sfa_territory_id = fields.Many2one("sfa.territory", "Territory", readonly=True)
    sfa_category_id = fields.Many2one(
        "sfa.customer.category", "Customer Category", readonly=True
    )
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date_in = fields.Datetime("Entered On", readonly=True)
    date_out = fields.Datetime("Left On", readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True)
    entered_count = fields.Integer("Entered", readonly=True, aggregator="sum")
    advanced_count = fields.Integer("Advanced", readonly=True, aggregator="sum")
    lost_count = fields.Integer("Lost in Stage", readonly=True, aggregator="sum")
    won_count = fields.Integer("Converted to Won", readonly=True, aggregator="sum")
    advance_rate = fields.Float(
        "Conversion to Next Stage (%)", readonly=True, aggregator="avg"
    )
    won_rate = fields.Float("Conversion to Won (%)", readonly=True, aggregator="avg")
    lost_rate = fields.Float("Lost in Stage (%)", readonly=True, aggregator="avg")
    days_in_stage = fields.Float(
        "Days in Stage (average)",
        readonly=True,
        aggregator="avg",
        help="Completed stays only.",
    )
    median_days_in_stage = fields.Float(
        "Days in Stage (median)",
        readonly=True,
        aggregator="median",
        help="Completed stays only.",
    )
    cycle_days = fields.Float(
        "Sales Cycle (days)",
        readonly=True,
        aggregator="avg",
        help="From the opportunity's creation to its win, counted on the stay "
        "that won it.",
    )
    expected_revenue = fields.Float("Expected Revenue on Entry", readonly=True)

    def _read_group_select(self, aggregate_spec, query):
        fname, __, func = aggregate_spec.partition(":")
        if func == "median":
            return SQL(
                "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY %s)",
                self._field_to_sql(self._table, fname, query),
            )
        return super()._read_group_select(aggregate_spec, query)

    def _select_sql(self):
        """Columns of the view: ``h`` is the stay, ``l`` its opportunity.

        Split from ``init`` so that reports over the same stays (by product)
        share these definitions instead of copying them.
        """
        return SQL(
            """
                       h.lead_id, h.stage_id, h.user_id, h.team_id,
                       h.sfa_territory_id, h.company_id, h.date_in, h.date_out,
                       h.outcome, h.expected_revenue,
                       cp.id AS partner_id, cp.sfa_category_id,
                       1 AS entered_count,
                       (h.outcome IN ('advanced', 'won'))::int AS advanced_count,
                       (h.outcome = 'lost')::int AS lost_count,
                       (l.won_status = 'won')::int AS won_count,
                       CASE WHEN h.outcome IN ('advanced', 'won') THEN 100.0
                            ELSE 0.0 END AS advance_rate,
                       CASE WHEN l.won_status = 'won' THEN 100.0 ELSE 0.0 END
                           AS won_rate,
                       CASE WHEN h.outcome = 'lost' THEN 100.0 ELSE 0.0 END
                           AS lost_rate,
                       EXTRACT(EPOCH FROM h.date_out - h.date_in) / 86400.0
                           AS days_in_stage,
                       EXTRACT(EPOCH FROM h.date_out - h.date_in) / 86400.0
                           AS median_days_in_stage,
                       CASE WHEN h.outcome = 'won'
                            THEN EXTRACT(EPOCH FROM h.date_out - l.create_date)
                                 / 86400.0
                       END AS cycle_days
            """
        )

    def _id_sql(self):
        return SQL("h.id")

    def _from_sql(self):
        return SQL(
            """
                  sfa_stage_history h
                  JOIN crm_lead l ON l.id = h.lead_id
                  LEFT JOIN res_partner p ON p.id = l.partner_id
                  LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
            """
        )

    def _where_sql(self):
        return SQL("l.type = 'opportunity'")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (SELECT %s AS id, %s FROM %s WHERE %s)",
                SQL.identifier(self._table),
                self._id_sql(),
                self._select_sql(),
                self._from_sql(),
                self._where_sql(),
            )
        )
