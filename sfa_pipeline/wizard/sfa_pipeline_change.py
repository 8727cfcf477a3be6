from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_date

# Figures of the change analysis, in display order: (key, label, which
# snapshot the deals behind the figure are listed from).
FIGURES = [
    ("open_a", "Open on the First Date", "a"),
    ("new", "New", "b"),
    ("advanced", "Advanced", "b"),
    ("regressed", "Went Back", "b"),
    ("won", "Won", "a"),
    ("lost", "Lost", "a"),
    ("dropped", "Left Otherwise", "a"),
    ("slipped", "Slipped", "b"),
    ("amount_up", "Amount Up", "b"),
    ("amount_down", "Amount Down", "b"),
    ("open_b", "Open on the Second Date", "b"),
]
FIGURE_DATE = {key: side for key, _label, side in FIGURES}
SNAPSHOT_MANAGERS = "sfa_base.group_sfa_manager,sales_team.group_sale_manager"


class SfaPipelineChange(models.TransientModel):
    """What happened to the pipeline between two snapshots.

    All figures come from one aggregate query over the FULL OUTER JOIN of the
    two snapshots, each read through the snapshot's record rules: a user
    counts exactly the rows they may see, so a deal that moved into their
    view between the dates is new to them and one that moved out left. The
    deals behind a figure are the snapshot rows the same condition selects.
    """

    _name = "sfa.pipeline.change"
    _description = "Pipeline Change Analysis"

    date_a = fields.Date("First Snapshot", required=True)
    date_b = fields.Date("Second Snapshot", required=True)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    line_ids = fields.One2many(
        "sfa.pipeline.change.line", "wizard_id", string="Figures", readonly=True
    )
    snapshot_dates = fields.Char("Latest Snapshots", compute="_compute_snapshot_dates")
    can_take_snapshot = fields.Boolean(compute="_compute_snapshot_dates")

    @api.model
    def default_get(self, fields_list):
        """Compare the two latest snapshots (today when there is none yet)."""
        values = super().default_get(fields_list)
        dates = self.env["sfa.pipeline.snapshot"]._snapshot_dates(limit=2) or [
            fields.Date.context_today(self)
        ]
        values.setdefault("date_b", dates[0])
        values.setdefault("date_a", dates[-1])
        return values

    @api.depends("date_a", "date_b")
    def _compute_display_name(self):
        """The breadcrumb's name: the dates compared, not the record's id."""
        for wizard in self:
            wizard.display_name = (
                self.env._(
                    "Pipeline Changes: %(date_a)s → %(date_b)s",
                    date_a=format_date(self.env, wizard.date_a),
                    date_b=format_date(self.env, wizard.date_b),
                )
                if wizard.date_a and wizard.date_b
                else self.env._("Pipeline Changes")
            )

    def _format_dates(self, dates):
        return ", ".join(format_date(self.env, date) for date in dates)

    def _compute_snapshot_dates(self):
        dates = self.env["sfa.pipeline.snapshot"]._snapshot_dates(limit=8)
        text = self._format_dates(dates) or self.env._("none yet")
        can_take = fields.Date.context_today(self) not in dates and (
            self.env.user.has_groups(SNAPSHOT_MANAGERS)
        )
        for wizard in self:
            wizard.snapshot_dates = text
            wizard.can_take_snapshot = can_take

    @api.constrains("date_a", "date_b")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_b < wizard.date_a:
                raise ValidationError(
                    self.env._(
                        "The second snapshot (%(date_b)s) must not be earlier than "
                        "the first one (%(date_a)s).",
                        date_a=format_date(self.env, wizard.date_a),
                        date_b=format_date(self.env, wizard.date_b),
                    )
                )

    def _check_snapshots_exist(self):
        missing = self.env["sfa.pipeline.snapshot"]._dates_without_snapshot(
            {self.date_a, self.date_b}
        )
        if missing:
            latest = self.env["sfa.pipeline.snapshot"]._snapshot_dates(limit=8)
            raise UserError(
                self.env._(
                    "No pipeline snapshot was taken on %(dates)s. Latest snapshots: "
                    "%(latest)s.",
                    dates=self._format_dates(missing),
                    latest=self._format_dates(latest) or self.env._("none yet"),
                )
            )

    # ------------------------------------------------------------------
    # The analysis: one query
    # ------------------------------------------------------------------

    def _figure_rules(self):
        """(key, condition, amount) of each figure over the joined pairs ``p``.

        Deals that left the pipeline count with their amount of the first
        snapshot, those still in it with their amount of the second, so that
        open on the first date + new + up - down - won - lost - left otherwise
        = open on the second date.
        """
        closed_by_b = SQL(
            "COALESCE(l.date_closed < %s, TRUE)",
            datetime.combine(self.date_b + timedelta(days=1), time.min),
        )
        gone = SQL("p.in_a AND NOT p.in_b")
        both = SQL("p.in_a AND p.in_b")
        return [
            ("open_a", SQL("p.in_a"), SQL("p.amount_a")),
            ("new", SQL("NOT p.in_a"), SQL("p.amount_b")),
            (
                "advanced",
                SQL("%s AND (sb.sequence, sb.id) > (sa.sequence, sa.id)", both),
                SQL("p.amount_b"),
            ),
            (
                "regressed",
                SQL("%s AND (sb.sequence, sb.id) < (sa.sequence, sa.id)", both),
                SQL("p.amount_b"),
            ),
            (
                "won",
                SQL("%s AND l.won_status = 'won' AND %s", gone, closed_by_b),
                SQL("p.amount_a"),
            ),
            (
                "lost",
                SQL("%s AND l.won_status = 'lost' AND %s", gone, closed_by_b),
                SQL("p.amount_a"),
            ),
            (
                "dropped",
                SQL(
                    "%s AND NOT (l.won_status IN ('won', 'lost') AND %s)",
                    gone,
                    closed_by_b,
                ),
                SQL("p.amount_a"),
            ),
            (
                "slipped",
                SQL("%s AND p.close_b > p.close_a", both),
                SQL("p.amount_b"),
            ),
            (
                "amount_up",
                SQL("%s AND p.amount_b > p.amount_a", both),
                SQL("p.amount_b - p.amount_a"),
            ),
            (
                "amount_down",
                SQL("%s AND p.amount_b < p.amount_a", both),
                SQL("p.amount_a - p.amount_b"),
            ),
            ("open_b", SQL("p.in_b"), SQL("p.amount_b")),
        ]

    def _pairs_query(self, select, where):
        """``SELECT select`` over the deals of either snapshot, one row each.

        The two sides are the snapshot rows of each date the user may read;
        the opportunity itself is only read for whether and when it closed.
        """
        Snapshot = self.env["sfa.pipeline.snapshot"]
        columns = ["lead_id", "stage_id", "expected_revenue", "date_deadline"]

        def side(date):
            query = Snapshot._search([("snapshot_date", "=", date)])
            return query.subselect(
                *(SQL.identifier(query.table, column) for column in columns)
            )

        return SQL(
            """
            WITH pairs AS (
                SELECT COALESCE(a.lead_id, b.lead_id) AS lead_id,
                       a.lead_id IS NOT NULL AS in_a, b.lead_id IS NOT NULL AS in_b,
                       a.stage_id AS stage_a, b.stage_id AS stage_b,
                       COALESCE(a.expected_revenue, 0) AS amount_a,
                       COALESCE(b.expected_revenue, 0) AS amount_b,
                       a.date_deadline AS close_a, b.date_deadline AS close_b
                  FROM %(side_a)s a
                  FULL OUTER JOIN %(side_b)s b ON b.lead_id = a.lead_id
            )
            SELECT %(select)s
              FROM pairs p
              JOIN crm_lead l ON l.id = p.lead_id
              LEFT JOIN crm_stage sa ON sa.id = p.stage_a
              LEFT JOIN crm_stage sb ON sb.id = p.stage_b
             WHERE %(where)s
            """,
            side_a=side(self.date_a),
            side_b=side(self.date_b),
            select=select,
            where=where,
        )

    def _compute_figures(self):
        """{figure: (deal count, amount)} between the two dates, in one pass."""
        self.ensure_one()
        rules = self._figure_rules()
        aggregates = SQL(", ").join(
            SQL(
                "COUNT(*) FILTER (WHERE %s), COALESCE(SUM(%s) FILTER (WHERE %s), 0)",
                condition,
                amount,
                condition,
            )
            for _key, condition, amount in rules
        )
        [row] = self.env.execute_query(self._pairs_query(aggregates, SQL("TRUE")))
        return {
            key: (row[2 * index], row[2 * index + 1])
            for index, (key, _condition, _amount) in enumerate(rules)
        }

    def _figure_lead_ids(self, figure):
        condition = next(
            condition
            for key, condition, _amount in self._figure_rules()
            if key == figure
        )
        rows = self.env.execute_query(self._pairs_query(SQL("p.lead_id"), condition))
        return [row[0] for row in rows]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_compute(self):
        """Replace the figures by those of the chosen dates."""
        self.ensure_one()
        self._check_snapshots_exist()
        figures = self._compute_figures()
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(
                {
                    "sequence": sequence,
                    "figure": key,
                    "deal_count": figures[key][0],
                    "amount": figures[key][1],
                }
            )
            for sequence, (key, _label, _side) in enumerate(FIGURES)
        ]
        # an RPC client gets a value it can read (None cannot be marshalled)
        return True

    def action_take_snapshot(self):
        """Take today's snapshot now, then compare the first date with it."""
        self.ensure_one()
        if not self.env.user.has_groups(SNAPSHOT_MANAGERS):
            raise AccessError(
                self.env._("Only sales managers can take a pipeline snapshot.")
            )
        today = fields.Date.context_today(self)
        self.env["sfa.pipeline.snapshot"]._take_snapshot(today)
        self.date_b = today
        return self.action_compute()

    def _action_open_deals(self, figure):
        """The snapshot rows behind a figure, of the date the figure is read on."""
        self.ensure_one()
        date = self.date_a if FIGURE_DATE[figure] == "a" else self.date_b
        domain = [("snapshot_date", "=", date)]
        if figure not in ("open_a", "open_b"):
            domain.append(("lead_id", "in", self._figure_lead_ids(figure)))
        figure_field = self.env["sfa.pipeline.change.line"]._fields["figure"]
        label = dict(figure_field._description_selection(self.env))[figure]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "%(figure)s, %(date_a)s to %(date_b)s",
                figure=label,
                date_a=format_date(self.env, self.date_a),
                date_b=format_date(self.env, self.date_b),
            ),
            "res_model": "sfa.pipeline.snapshot",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": domain,
            "context": {"create": False},
        }


class SfaPipelineChangeLine(models.TransientModel):
    """One figure of a change analysis: how many deals, for how much."""

    _name = "sfa.pipeline.change.line"
    _description = "Pipeline Change Figure"
    _order = "wizard_id, sequence"

    wizard_id = fields.Many2one(
        "sfa.pipeline.change", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer()
    figure = fields.Selection(
        [(key, label) for key, label, _side in FIGURES], required=True
    )
    deal_count = fields.Integer("Deals")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    amount = fields.Monetary(currency_field="currency_id")
    explanation = fields.Char(compute="_compute_explanation")

    @api.depends("figure")
    def _compute_explanation(self):
        texts = {
            "open_a": self.env._("Open deals in the first snapshot."),
            "new": self.env._("In the second snapshot, not in the first."),
            "advanced": self.env._("In a later stage on the second date."),
            "regressed": self.env._("In an earlier stage on the second date."),
            "won": self.env._("Won by the second date; amount of the first date."),
            "lost": self.env._("Lost by the second date; amount of the first date."),
            "dropped": self.env._(
                "Neither open on the second date nor won or lost: turned back into "
                "a lead, archived or moved out of your view."
            ),
            "slipped": self.env._("Expected closing moved later."),
            "amount_up": self.env._("Expected revenue went up by this much."),
            "amount_down": self.env._("Expected revenue went down by this much."),
            "open_b": self.env._("Open deals in the second snapshot."),
        }
        for line in self:
            line.explanation = texts.get(line.figure, "")

    def action_open_deals(self):
        self.ensure_one()
        return self.wizard_id._action_open_deals(self.figure)
