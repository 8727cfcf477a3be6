from odoo import api, fields, models
from odoo.tools import SQL, OrderedSet

# precommit data: the stage changes not yet written
PENDING = "sfa.stage.history.pending"

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
    by hand, at the next flush (see ``_sfa_queue``). The database keeps
    exactly one open row (no ``date_out``) per opportunity. Owner, team and
    territory are those at entry, so reports attribute each stay to whoever
    held the deal at the time; whoever may read the deal today reads all its
    stays (``sfa.lead.trail.mixin``).
    """

    _name = "sfa.stage.history"
    _description = "Opportunity Stage History"
    _sfa_system_records = True
    # Rows are written in bulk on every stage change: no create/write log
    # columns (and their foreign keys), ``changed_by_id`` says who moved it.
    _log_access = False
    _inherit = ["sfa.lead.trail.mixin"]
    _order = "lead_id, date_in desc, id desc"
    _rec_name = "stage_id"

    lead_id = fields.Many2one(
        "crm.lead", "Opportunity", required=True, ondelete="cascade", index=True
    )
    stage_id = fields.Many2one("crm.stage", required=True)
    previous_stage_id = fields.Many2one(
        "crm.stage", compute="_compute_neighbour_stages"
    )
    next_stage_id = fields.Many2one("crm.stage", compute="_compute_neighbour_stages")
    changed_by_id = fields.Many2one(
        "res.users", "Moved By", help="Who put the opportunity in this stage."
    )
    user_id = fields.Many2one("res.users", "Salesperson", index=True)
    team_id = fields.Many2one("crm.team", "Sales Team")
    sfa_territory_id = fields.Many2one("sfa.territory", "Territory", index=True)
    company_id = fields.Many2one("res.company")
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
    outcome = fields.Selection(OUTCOMES, required=True, default="open")

    _one_open_stay = models.UniqueIndex(
        "(lead_id) WHERE date_out IS NULL",
        "An opportunity can only be in one stage at a time.",
    )
    _dates_ordered = models.Constraint(
        "CHECK (date_out IS NULL OR date_out >= date_in)",
        "A stay cannot end before it starts.",
    )

    @api.depends("lead_id", "date_in")
    def _compute_neighbour_stages(self):
        """Stages before and after each stay, from its opportunity's other stays."""
        stays = self.search(
            [("lead_id", "in", self.lead_id.ids)], order="lead_id, date_in, id"
        )
        previous, following = {}, {}
        for before, after in zip(stays, stays[1:]):
            if before.lead_id == after.lead_id:
                following[before.id] = after.stage_id
                previous[after.id] = before.stage_id
        empty = self.env["crm.stage"]
        for stay in self:
            stay.previous_stage_id = previous.get(stay.id, empty)
            stay.next_stage_id = (
                following.get(stay.id, empty) if stay.date_out else empty
            )

    @api.depends("date_in", "date_out")
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
    # A stage change is queued, like Odoo's tracking, and written at the next
    # flush: before any read of the stays (this model's flush, which every
    # ORM read and ``flush_all`` run), and before commit. The queue is the
    # transaction's: a rolled-back savepoint drops what it queued. Changes
    # of distinct leads go in the same statements, so a thousand leads moved
    # one by one cost two statements, not two thousand.

    def flush_model(self, fnames=None):
        self._sfa_apply_pending()
        return super().flush_model(fnames)

    def flush_recordset(self, fnames=None):
        self._sfa_apply_pending()
        return super().flush_recordset(fnames)

    @api.model
    def _sfa_queue(self, rows, now, opening=False):
        """Queue the stays the leads left and entered (``rows``: their values
        at the change, see ``_sfa_rows_sql``); ``opening`` for new leads."""
        if not rows:
            return
        data = self.env.cr.precommit.data
        pending = data.get(PENDING)
        if pending is None:
            pending = data[PENDING] = []
            self.env.cr.precommit.add(self._sfa_apply_pending)
        pending.append((opening, now, self.env.uid, rows))
        # the leads' stays read next are fetched, which writes the queue
        self.env["crm.lead"]._fields["sfa_stage_history_ids"]._invalidate_cache(
            self.env, [row[0] for row in rows]
        )
        # ``flush_all`` flushes the models with dirty fields: this one too
        self.env._field_dirty.setdefault(self._fields["date_in"], OrderedSet())

    @api.model
    def _sfa_apply_pending(self):
        """Write the queued changes, in order: changes of distinct leads go
        together, a lead's next change waits for the next pair of
        statements (closing its stay needs the one opened before)."""
        pending = self.env.cr.precommit.data.pop(PENDING, None)
        if not pending:
            return
        closing, opening, leads = [], [], set()
        for opening_only, now, uid, rows in pending:
            ids = {row[0] for row in rows}
            if leads & ids:
                self._sfa_write_stays(closing, opening)
                closing, opening, leads = [], [], set()
            stamped = [(*row, now, uid) for row in rows]
            if not opening_only:
                closing += stamped
            opening += stamped
            leads |= ids
        self._sfa_write_stays(closing, opening)
        self.invalidate_model(flush=False)

    @api.model
    def _sfa_write_stays(self, closing, opening):
        self._sfa_close_stays(closing)
        self._sfa_open_stays(opening)

    @api.model
    def _sfa_rows_sql(self, rows):
        """The leads' values as an SQL row set ``v``, from Python tuples.

        Each row: (lead, stage, active, owner, team, territory, company,
        expected revenue, probability, moment of the change, user who made
        it).
        """
        columns = list(zip(*rows)) if rows else [[]] * 11
        return SQL(
            """unnest(%s::int[], %s::int[], %s::bool[], %s::int[], %s::int[],
                      %s::int[], %s::int[], %s::numeric[], %s::float8[],
                      %s::timestamp[], %s::int[])
               AS v(lead_id, stage_id, active, user_id, team_id, sfa_territory_id,
                    company_id, expected_revenue, probability, moment, uid)""",
            *[list(column) for column in columns],
        )

    @api.model
    def _sfa_open_stays(self, rows):
        """Open a stay for the active leads that have none (1 query)."""
        if not rows:
            return
        self.env.execute_query(
            SQL(
                """
                INSERT INTO sfa_stage_history (
                    lead_id, stage_id, user_id, team_id, sfa_territory_id,
                    company_id, date_in, expected_revenue, probability, outcome,
                    changed_by_id)
                SELECT v.lead_id, v.stage_id, v.user_id, v.team_id,
                       v.sfa_territory_id, v.company_id, v.moment,
                       v.expected_revenue, v.probability, 'open', v.uid
                  FROM %(rows)s
                 WHERE v.active AND v.stage_id IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM sfa_stage_history h
                                    WHERE h.lead_id = v.lead_id AND h.date_out IS NULL)
                ON CONFLICT (lead_id) WHERE date_out IS NULL DO NOTHING
                """,
                rows=self._sfa_rows_sql(rows),
            )
        )

    @api.model
    def _sfa_close_stays(self, rows):
        """Close the open stays of leads that left their stage (1 query).

        The outcome follows from where the lead went: a won stage, a stage
        further down or back up the pipe, or lost when it was archived.
        """
        if not rows:
            return
        self.env.execute_query(
            SQL(
                """
                UPDATE sfa_stage_history h
                   SET date_out = GREATEST(v.moment, h.date_in),
                       outcome = CASE
                           WHEN NOT v.active THEN 'lost'
                           WHEN new_stage.is_won THEN 'won'
                           WHEN new_stage.id IS NULL THEN 'regressed'
                           WHEN new_stage.sequence > old_stage.sequence
                             OR (new_stage.sequence = old_stage.sequence
                                 AND new_stage.id > old_stage.id) THEN 'advanced'
                           ELSE 'regressed'
                       END
                  FROM %(rows)s
                  LEFT JOIN crm_stage new_stage ON new_stage.id = v.stage_id,
                       crm_stage old_stage
                 WHERE h.lead_id = v.lead_id AND h.date_out IS NULL
                   AND old_stage.id = h.stage_id
                   AND (NOT v.active OR v.stage_id IS DISTINCT FROM h.stage_id)
                """,
                rows=self._sfa_rows_sql(rows),
            )
        )
