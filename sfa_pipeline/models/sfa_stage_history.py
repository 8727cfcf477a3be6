from odoo import api, fields, models
from odoo.tools import SQL

OUTCOMES = [
    ("open", "Still There"),
    ("advanced", "Advanced"),
    ("regressed", "Went Back"),
    ("won", "Won"),
    ("lost", "Lost"),
]


class SfaStageHistory(models.Model):
    """One row per stay of an opportunity in a stage.

    Rows are written by ``crm.lead`` with set-based SQL on every stage change
    (single and batch writes, kanban drag, import, won, lost, restore), never
    by hand. The database keeps exactly one open row (no ``date_out``) per
    opportunity. Owner, team and territory are those at entry, so reports
    attribute each stay to whoever held the deal at the time.
    """

    _name = "sfa.stage.history"
    _description = "Opportunity Stage History"
    _inherit = ["sfa.visibility.mixin"]
    _order = "lead_id, date_in desc, id desc"
    _rec_name = "stage_id"
    # Shares of the opportunity apply to its history.
    _sfa_share_model = "crm.lead"
    _sfa_share_field = "lead_id"

    lead_id = fields.Many2one(
        "crm.lead", "Opportunity", required=True, ondelete="cascade", index=True
    )
    stage_id = fields.Many2one("crm.stage", "Stage", required=True, index=True)
    previous_stage_id = fields.Many2one("crm.stage", "Previous Stage")
    next_stage_id = fields.Many2one("crm.stage", "Next Stage")
    user_id = fields.Many2one("res.users", "Salesperson", index=True)
    team_id = fields.Many2one("crm.team", "Sales Team", index=True)
    sfa_territory_id = fields.Many2one("sfa.territory", "Territory", index=True)
    company_id = fields.Many2one("res.company", index=True)
    date_in = fields.Datetime("Entered On", required=True)
    date_out = fields.Datetime("Left On")
    duration_days = fields.Float(
        "Days in Stage",
        compute="_compute_duration_days",
        aggregator="avg",
        help="For the current stay, the days spent in the stage so far.",
    )
    expected_revenue = fields.Monetary(
        "Expected Revenue on Entry", currency_field="company_currency"
    )
    company_currency = fields.Many2one(related="company_id.currency_id")
    probability = fields.Float("Probability on Entry", aggregator="avg")
    outcome = fields.Selection(OUTCOMES, required=True, default="open", index=True)

    _one_open_stay = models.UniqueIndex(
        "(lead_id) WHERE date_out IS NULL",
        "An opportunity can only be in one stage at a time.",
    )
    _dates_ordered = models.Constraint(
        "CHECK (date_out IS NULL OR date_out >= date_in)",
        "A stay cannot end before it starts.",
    )

    @api.depends("date_in", "date_out")
    @api.depends_context("sfa_now")
    def _compute_duration_days(self):
        now = fields.Datetime.now()
        for stay in self:
            end = stay.date_out or now
            stay.duration_days = (
                (end - stay.date_in).total_seconds() / 86400 if stay.date_in else 0.0
            )

    # ------------------------------------------------------------------
    # Set-based capture, called by crm.lead
    # ------------------------------------------------------------------

    @api.model
    def _sfa_open_stays(self, lead_ids, now, previous_stage_by_lead=None):
        """Open a stay in their current stage for the given active leads (1 query)."""
        if not lead_ids:
            return
        previous = previous_stage_by_lead or {}
        self.env.execute_query(
            SQL(
                """
                INSERT INTO sfa_stage_history (
                    lead_id, stage_id, previous_stage_id, user_id, team_id,
                    sfa_territory_id, company_id, date_in, expected_revenue,
                    probability, outcome, create_uid, create_date, write_uid,
                    write_date)
                SELECT l.id, l.stage_id, prev.stage_id, l.user_id, l.team_id,
                       l.sfa_territory_id, l.company_id, %(now)s,
                       l.expected_revenue, l.probability, 'open',
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM crm_lead l
                  LEFT JOIN unnest(%(lead_ids)s::int[], %(stage_ids)s::int[])
                       AS prev(lead_id, stage_id) ON prev.lead_id = l.id
                 WHERE l.id = ANY(%(ids)s) AND l.active AND l.stage_id IS NOT NULL
                ON CONFLICT (lead_id) WHERE date_out IS NULL DO NOTHING
                """,
                now=now,
                uid=self.env.uid,
                ids=list(lead_ids),
                lead_ids=list(previous),
                stage_ids=[previous[k] or None for k in previous],
            )
        )
        self.invalidate_model()

    @api.model
    def _sfa_close_stays(self, lead_ids, now, lost=False):
        """Close the open stays of the given leads (1 query).

        The outcome follows from where the lead went: a won stage, a stage
        further down or back up the pipe, or lost when it was archived.
        """
        if not lead_ids:
            return
        self.env.execute_query(
            SQL(
                """
                UPDATE sfa_stage_history h
                   SET date_out = GREATEST(%(now)s, h.date_in),
                       next_stage_id = CASE WHEN %(lost)s THEN NULL ELSE l.stage_id END,
                       outcome = CASE
                           WHEN %(lost)s THEN 'lost'
                           WHEN new_stage.is_won THEN 'won'
                           WHEN new_stage.sequence > old_stage.sequence
                             OR (new_stage.sequence = old_stage.sequence
                                 AND new_stage.id > old_stage.id) THEN 'advanced'
                           ELSE 'regressed'
                       END,
                       write_uid = %(uid)s, write_date = %(now)s
                  FROM crm_lead l, crm_stage old_stage, crm_stage new_stage
                 WHERE h.lead_id = l.id AND h.date_out IS NULL
                   AND old_stage.id = h.stage_id
                   AND new_stage.id = COALESCE(l.stage_id, h.stage_id)
                   AND l.id = ANY(%(ids)s)
                """,
                now=now,
                lost=lost,
                uid=self.env.uid,
                ids=list(lead_ids),
            )
        )
        self.invalidate_model()
