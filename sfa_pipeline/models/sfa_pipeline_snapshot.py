from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date


class SfaPipelineSnapshot(models.Model):
    """The open pipeline as it stood on a date: one row per open opportunity.

    Rows are only ever written by :meth:`_take_snapshot`, one ``INSERT ...
    SELECT`` for the whole database. The first run for a date is its
    snapshot: later runs write nothing, and the unique (date, opportunity)
    index keeps concurrent runs from recording a deal twice. Owner and
    territory are those on the snapshot date, so the rows follow the
    visibility rule as the deal stood then: a rep's pipeline on a date is
    what they owned that day, and a deal handed over to them shows as new in
    the change analysis. Shares of the opportunity apply to its rows.
    """

    _name = "sfa.pipeline.snapshot"
    _description = "Pipeline Snapshot"
    _sfa_system_records = True
    _inherit = ["sfa.visibility.mixin"]
    _order = "snapshot_date desc, id"
    _rec_name = "lead_id"
    # Rows are never edited and a cron takes them: who wrote them and when
    # would add nothing to the snapshot date but two foreign keys to check on
    # every row of a 200,000-row insert.
    _log_access = False
    _sfa_share_model = "crm.lead"
    _sfa_share_field = "lead_id"

    snapshot_date = fields.Date(required=True, readonly=True)
    lead_id = fields.Many2one(
        "crm.lead",
        "Opportunity",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    stage_id = fields.Many2one("crm.stage", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True, index=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    sfa_territory_id = fields.Many2one(
        "sfa.territory", "Territory", readonly=True, index="btree_not_null"
    )
    sfa_category_id = fields.Many2one(
        "sfa.customer.category", "Customer Category", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    company_currency = fields.Many2one(related="company_id.currency_id")
    expected_revenue = fields.Monetary(currency_field="company_currency", readonly=True)
    probability = fields.Float(aggregator="avg", readonly=True)
    prorated_revenue = fields.Monetary(currency_field="company_currency", readonly=True)
    date_deadline = fields.Date("Expected Closing", readonly=True)

    _date_lead_unique = models.UniqueIndex(
        "(snapshot_date, lead_id)",
        "An opportunity appears only once in the snapshot of a date.",
    )

    @api.model
    def _take_snapshot(self, snapshot_date=None):
        """Record every open opportunity under ``snapshot_date`` (default today).

        A snapshot is the pipeline as it stands when it is taken, so it can
        only be taken for today: a later or earlier date would be a false
        record. Once a date has its snapshot, running again for it writes
        nothing, not even the deals opened since; two runs in parallel both
        find no snapshot yet, and the unique index makes the second skip the
        rows of the first (``ON CONFLICT DO NOTHING``). So the crons are safe
        to run twice or in parallel. Returns the number of rows written.
        """
        today = fields.Date.context_today(self)
        snapshot_date = fields.Date.to_date(snapshot_date) or today
        if snapshot_date != today:
            raise UserError(
                self.env._(
                    "A pipeline snapshot records the pipeline as it is now: it can "
                    "only be taken for today (%(today)s), not for %(date)s.",
                    today=format_date(self.env, today),
                    date=format_date(self.env, snapshot_date),
                )
            )
        self.env["crm.lead"].flush_model(
            [
                "active",
                "type",
                "won_status",
                "stage_id",
                "user_id",
                "team_id",
                "sfa_territory_id",
                "company_id",
                "partner_id",
                "expected_revenue",
                "probability",
                "prorated_revenue",
                "date_deadline",
            ]
        )
        self.env["res.partner"].flush_model(
            ["commercial_partner_id", "sfa_category_id"]
        )
        # Plain SQL on purpose: the snapshot covers the whole pipeline of every
        # company whoever triggers it; callers check who may take one. Rows go
        # in by opportunity id so that two parallel runs wait on each other's
        # rows in the same order instead of deadlocking.
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO sfa_pipeline_snapshot (
                    snapshot_date, lead_id, stage_id, user_id, team_id,
                    sfa_territory_id, sfa_category_id, company_id,
                    expected_revenue, probability, prorated_revenue, date_deadline)
                SELECT %(date)s, l.id, l.stage_id, l.user_id, l.team_id,
                       l.sfa_territory_id, cp.sfa_category_id, l.company_id,
                       l.expected_revenue, l.probability, l.prorated_revenue,
                       l.date_deadline
                  FROM crm_lead l
                  LEFT JOIN res_partner p ON p.id = l.partner_id
                  LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
                 WHERE l.active AND l.type = 'opportunity'
                   AND l.won_status = 'pending'
                   AND NOT EXISTS (SELECT 1 FROM sfa_pipeline_snapshot s
                                    WHERE s.snapshot_date = %(date)s)
                 ORDER BY l.id
                ON CONFLICT (snapshot_date, lead_id) DO NOTHING
                """,
                date=snapshot_date,
            )
        )
        return self.env.cr.rowcount

    @api.model
    def _cron_take_snapshot(self, month_end_only=False):
        """Weekly snapshot, or (``month_end_only``) the period-end one."""
        today = fields.Date.context_today(self)
        if month_end_only and (today + relativedelta(days=1)).month == today.month:
            return 0
        return self._take_snapshot(today)

    @api.model
    def _snapshot_dates(self, limit=None):
        """The latest snapshot dates, newest first, read off the unique index.

        Which dates have a snapshot says nothing about the deals in them, so
        this reads past the record rules: a rep sees the dates their manager
        compares even when none of their own deals is in one of them.
        """
        rows = self.env.execute_query(
            SQL(
                """
                WITH RECURSIVE dates AS (
                    (SELECT snapshot_date FROM sfa_pipeline_snapshot
                      ORDER BY snapshot_date DESC LIMIT 1)
                    UNION ALL
                    SELECT (SELECT s.snapshot_date FROM sfa_pipeline_snapshot s
                             WHERE s.snapshot_date < dates.snapshot_date
                             ORDER BY s.snapshot_date DESC LIMIT 1)
                      FROM dates
                     WHERE dates.snapshot_date IS NOT NULL
                )
                SELECT snapshot_date FROM dates
                 WHERE snapshot_date IS NOT NULL
                 LIMIT %s
                """,
                limit,
            )
        )
        return [row[0] for row in rows]

    @api.model
    def _dates_without_snapshot(self, dates):
        """Those of ``dates`` for which no snapshot was taken (1 query)."""
        rows = self.env.execute_query(
            SQL(
                """
                SELECT d::date FROM unnest(%s::date[]) d
                 WHERE NOT EXISTS (SELECT 1 FROM sfa_pipeline_snapshot s
                                    WHERE s.snapshot_date = d)
                 ORDER BY 1
                """,
                list(dates),
            )
        )
        return [row[0] for row in rows]
