from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

STATES = [
    ("draft", "Draft"),
    ("computed", "Computed"),
    ("reviewed", "Reviewed"),
    ("final", "Final"),
]


# KPIs whose target may come from the salesperson's own target of the period
class SfaScorecard(models.Model):
    """One salesperson's scorecard for a period: each KPI of their role's
    template with its value, target, score (normalized, capped) and weight,
    the weighted total and their rank in their team (the people with the same
    manager, for the same period and template).

    Draft > computed (values measured, for a whole batch at once) > reviewed
    (the manager commented) > final (frozen: nothing changes any more).
    """

    _name = "sfa.scorecard"
    _description = "Scorecard"
    _inherit = ["sfa.visibility.mixin", "mail.thread"]
    _order = "date_from desc, total_score desc, id"
    _sfa_owner_field = "user_id"
    _sfa_territory_field = False
    # Made by Compute Scorecards and the nightly cron, moved by the buttons:
    # a user only writes the manager's comment.
    _sfa_system_fields = (
        "user_id",
        "company_id",
        "template_id",
        "manager_id",
        "date_from",
        "date_to",
        "state",
    )

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one(
        "res.users", "Salesperson", required=True, index=True, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    template_id = fields.Many2one(
        "sfa.scorecard.template", required=True, ondelete="restrict"
    )
    manager_id = fields.Many2one(
        "res.users",
        index=True,
        help="The salesperson's manager when the scorecard was computed: "
        "their team is ranked together.",
    )
    date_from = fields.Date("From", required=True)
    date_to = fields.Date("To", required=True)
    state = fields.Selection(STATES, default="draft", required=True, tracking=True)
    line_ids = fields.One2many("sfa.scorecard.line", "scorecard_id", "KPIs")
    total_score = fields.Float("Weighted Score", readonly=True, aggregator="avg")
    rank = fields.Integer("Rank in Team", readonly=True, aggregator=None)
    team_size = fields.Integer(readonly=True, aggregator=None)
    comment = fields.Html("Manager's Comment")
    reviewed_by_id = fields.Many2one("res.users", readonly=True)
    date_computed = fields.Datetime("Computed On", readonly=True)

    _one_per_period = models.UniqueIndex(
        "(user_id, company_id, date_from, date_to)",
        "A salesperson has one scorecard per period.",
    )
    _dates_ordered = models.Constraint(
        "CHECK (date_to >= date_from)", "A scorecard cannot end before it starts."
    )

    @api.depends("user_id", "date_from", "date_to")
    def _compute_name(self):
        for card in self:
            card.name = f"{card.user_id.name or ''} · {card.date_from} – {card.date_to}"

    # ------------------------------------------------------------------
    # Who may change what
    # ------------------------------------------------------------------

    def write(self, vals):
        self._check_changeable(vals)
        return super().write(vals)

    def unlink(self):
        self._check_changeable({})
        return super().unlink()

    def _check_changeable(self, vals):
        final = self.filtered(lambda card: card.state == "final")
        if final:
            raise UserError(
                self.env._(
                    "The scorecard %s is final: it can no longer change.",
                    final[0].name,
                )
            )
        if self.env.su or set(vals) <= {"message_main_attachment_id"}:
            return
        user = self.env.user
        if user._sfa_is_director() or not user.has_group("sfa_base.group_sfa_rep"):
            return
        below = set(user._sfa_subordinates_map().get(user.id, []))
        foreign = self.filtered(lambda card: card.user_id.id not in below)
        if foreign:
            raise AccessError(
                self.env._(
                    "Only the managers of %s review their scorecard.",
                    foreign[0].user_id.name,
                )
            )

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_compute(self):
        cards = self.filtered(lambda card: card.state in ("draft", "computed"))
        cards._check_changeable({"state": "computed"})
        cards.sudo()._sfa_compute()
        return True

    def action_review(self):
        self._check_changeable({"state": "reviewed"})
        if self.filtered(lambda card: card.state != "computed"):
            raise UserError(self.env._("Only computed scorecards are reviewed."))
        self._sfa_set_state("reviewed", reviewed_by_id=self.env.uid)
        return True

    def action_finalize(self):
        self._check_changeable({"state": "final"})
        if self.filtered(lambda card: card.state not in ("computed", "reviewed")):
            raise UserError(self.env._("Compute a scorecard before making it final."))
        self._sfa_set_state("final")
        return True

    def action_reset_to_computed(self):
        self._check_changeable({"state": "computed"})
        self.filtered(lambda card: card.state == "reviewed")._sfa_set_state("computed")
        return True

    def _sfa_set_state(self, state, **values):
        """The state moves by the buttons only, after their checks (the
        user's line, the current state). sudo: state and reviewer are the
        system's; the user's write access is checked here first."""
        self.check_access("write")
        self.sudo().write(dict(values, state=state))

    # ------------------------------------------------------------------
    # Computation: a fixed number of queries whatever the number of cards
    # ------------------------------------------------------------------

    def _sfa_compute(self):
        """Measure every KPI of these scorecards, score it and rank each
        team: per (company, period, template), one computation per KPI for
        all the salespeople, one insert of the lines, one update of the
        totals and one ranking query."""
        if not self:
            return
        self.env.flush_all()
        self.env.execute_query(
            SQL("DELETE FROM sfa_scorecard_line WHERE scorecard_id = ANY(%s)", self.ids)
        )
        now = fields.Datetime.now()
        line_vals = []
        totals = {}
        groups = self.grouped(
            lambda c: (c.company_id, c.date_from, c.date_to, c.template_id)
        )
        for (company, date_from, date_to, template), cards in groups.items():
            kpis = template.line_ids.kpi_id
            values = kpis._sfa_values(cards.user_id, company, date_from, date_to)
            own_targets = self._sfa_own_targets(cards, template)
            for card in cards:
                total = 0.0
                for tline in template.line_ids:
                    measured = values[tline.kpi_id.id]
                    value = measured.get(card.user_id.id, 0.0)
                    target = own_targets.get((card.user_id.id, tline.kpi_id.id))
                    target = target or tline.target
                    score = (
                        0.0
                        if value is None
                        else _score(value, target, tline.cap, tline.kpi_id.direction)
                    )
                    weighted = score * tline.weight / 100.0
                    total += weighted
                    line_vals.append(
                        {
                            "scorecard_id": card.id,
                            "sequence": tline.sequence,
                            "kpi_id": tline.kpi_id.id,
                            "weight": tline.weight,
                            "target": target,
                            "cap": tline.cap,
                            "value": value or 0.0,
                            "measured": value is not None,
                            "score": score,
                            "weighted_score": weighted,
                        }
                    )
                totals[card.id] = total
        self._sfa_insert_lines(line_vals, now)
        self.env.execute_query(
            SQL(
                """
                UPDATE sfa_scorecard s
                   SET total_score = v.total, state = 'computed',
                       date_computed = %(now)s,
                       manager_id = u.sfa_manager_id
                  FROM unnest(%(ids)s::int[], %(totals)s::float8[]) AS v(id, total),
                       res_users u
                 WHERE s.id = v.id AND u.id = s.user_id
                """,
                ids=list(totals),
                totals=list(totals.values()),
                now=now,
            )
        )
        self.invalidate_model(
            ["total_score", "state", "date_computed", "manager_id", "line_ids"]
        )
        self.env["sfa.scorecard.line"].invalidate_model()
        self._sfa_rank()

    def _sfa_insert_lines(self, line_vals, now):
        """Insert the measured KPI lines in one statement."""
        columns = [
            "measured",
            "scorecard_id",
            "sequence",
            "kpi_id",
            "weight",
            "target",
            "cap",
            "value",
            "score",
            "weighted_score",
        ]
        kinds = ["bool[]"] + ["int[]"] * 3 + ["float8[]"] * 6
        self.env.execute_query(
            SQL(
                """
                INSERT INTO sfa_scorecard_line
                       (%(columns)s, user_id, date_from, create_uid, create_date,
                        write_uid, write_date)
                SELECT %(v_columns)s, s.user_id, s.date_from, %(uid)s, %(now)s,
                       %(uid)s, %(now)s
                  FROM unnest(%(arrays)s) WITH ORDINALITY AS v(%(columns)s, n)
                  JOIN sfa_scorecard s ON s.id = v.scorecard_id
                 ORDER BY v.n
                """,
                columns=SQL(", ").join(SQL.identifier(c) for c in columns),
                v_columns=SQL(", ").join(SQL.identifier("v", c) for c in columns),
                arrays=SQL(", ").join(
                    SQL("%s::%s", [vals[c] for vals in line_vals], SQL(kind))
                    for c, kind in zip(columns, kinds, strict=True)
                ),
                uid=self.env.uid,
                now=now,
            )
        )

    @api.model
    def _cron_compute_last_month(self):
        """Every night: last month's scorecards of every active salesperson
        whose role has a template, created when missing and measured again
        while not yet reviewed (late deals, corrected stages). Running it
        twice changes nothing more."""
        today = fields.Date.context_today(self)
        date_to = today.replace(day=1) - relativedelta(days=1)
        return self._sfa_compute_period(date_to.replace(day=1), date_to)

    @api.model
    def _sfa_compute_period(self, date_from, date_to):
        """The period's scorecards of every active salesperson whose role has
        a template in their company: missing ones created, those not yet
        reviewed measured again. Returns the scorecards measured."""
        Template = self.env["sfa.scorecard.template"]
        computed = self.browse()
        for company in Template.search([]).company_id:
            templates = {
                t.role: t for t in Template.search([("company_id", "=", company.id)])
            }
            users = (
                self.env["res.users"]
                .search([("share", "=", False), ("company_ids", "in", company.ids)])
                .filtered(lambda u: u.sfa_role in templates)
            )
            period = [
                ("company_id", "=", company.id),
                ("date_from", "=", date_from),
                ("date_to", "=", date_to),
            ]
            have = self.search([*period, ("user_id", "in", users.ids)]).user_id
            self.create(
                [
                    {
                        "user_id": user.id,
                        "company_id": company.id,
                        "template_id": templates[user.sfa_role].id,
                        "date_from": date_from,
                        "date_to": date_to,
                    }
                    for user in users - have
                ]
            )
            todo = self.search([*period, ("state", "in", ("draft", "computed"))])
            todo._sfa_compute()
            computed |= todo
        return computed

    def _sfa_rank(self):
        """Rank each team's scorecards by weighted score (1 = best): the team
        is everyone with the same manager, company, period and template."""
        self.env.execute_query(
            SQL(
                """
                WITH teams AS (
                    SELECT DISTINCT company_id, date_from, date_to, template_id,
                           manager_id
                      FROM sfa_scorecard WHERE id = ANY(%(ids)s)
                ), ranked AS (
                    SELECT s.id,
                           RANK() OVER w AS rank,
                           COUNT(*) OVER (PARTITION BY s.company_id, s.date_from,
                                          s.date_to, s.template_id, s.manager_id)
                               AS size
                      FROM sfa_scorecard s
                      JOIN teams t
                        ON t.company_id = s.company_id AND t.date_from = s.date_from
                       AND t.date_to = s.date_to AND t.template_id = s.template_id
                       AND t.manager_id IS NOT DISTINCT FROM s.manager_id
                     WHERE s.state != 'draft'
                    WINDOW w AS (PARTITION BY s.company_id, s.date_from, s.date_to,
                                              s.template_id, s.manager_id
                                 ORDER BY s.total_score DESC)
                )
                UPDATE sfa_scorecard s SET rank = r.rank, team_size = r.size
                  FROM ranked r WHERE s.id = r.id
                """,
                ids=self.ids,
            )
        )
        self.invalidate_model(["rank", "team_size"])

    @api.model
    def _sfa_own_targets(self, cards, template):
        """{(user id, kpi id): target} from the salespeople's own targets of
        the period (confirmed or locked plans), for the KPIs that have one."""
        kpis = template.line_ids.kpi_id.filtered(lambda kpi: kpi._sfa_target_metric())
        if not kpis:
            return {}
        card = cards[:1]
        rows = self.env.execute_query(
            SQL(
                """
                SELECT t.user_id, t.metric, SUM(t.target_value)
                  FROM sfa_target_line t
                  JOIN sfa_target_plan p ON p.id = t.plan_id
                 WHERE t.owner_type = 'user' AND t.user_id = ANY(%(users)s)
                   AND t.company_id = %(company)s AND t.metric = ANY(%(metrics)s)
                   AND t.date_from = %(start)s AND t.date_to = %(end)s
                   AND p.state != 'draft'
                 GROUP BY t.user_id, t.metric
                """,
                users=cards.user_id.ids,
                company=card.company_id.id,
                metrics=[kpi._sfa_target_metric() for kpi in kpis],
                start=card.date_from,
                end=card.date_to,
            )
        )
        kpi_of_metric = defaultdict(list)
        for kpi in kpis:
            kpi_of_metric[kpi._sfa_target_metric()].append(kpi.id)
        return {
            (user_id, kpi_id): target
            for user_id, metric, target in rows
            for kpi_id in kpi_of_metric[metric]
        }


def _score(value, target, cap, direction):
    """Value against target on a scale where 100 is on target, capped."""
    if target <= 0:
        return 0.0
    if direction == "lower":
        score = cap if value <= 0 else 100.0 * target / value
    else:
        score = 100.0 * value / target
    return max(0.0, min(score, cap))


class SfaScorecardLine(models.Model):
    _name = "sfa.scorecard.line"
    _description = "Scorecard KPI"
    _sfa_system_records = True
    _order = "scorecard_id, sequence, id"

    scorecard_id = fields.Many2one(
        "sfa.scorecard", required=True, ondelete="cascade", index=True
    )
    user_id = fields.Many2one(related="scorecard_id.user_id", store=True)
    date_from = fields.Date(related="scorecard_id.date_from", store=True)
    sequence = fields.Integer()
    kpi_id = fields.Many2one("sfa.kpi", "KPI", required=True, ondelete="restrict")
    unit = fields.Selection(related="kpi_id.unit")
    weight = fields.Float("Weight (%)", aggregator=None)
    target = fields.Float("Target Value", aggregator=None)
    cap = fields.Float("Score Cap", aggregator=None)
    value = fields.Float("Measured Value", aggregator="avg")
    measured = fields.Boolean(
        default=True,
        help="Unchecked when there was nothing to measure (no deal closed for "
        "a win rate...): the KPI then scores 0.",
    )
    score = fields.Float(
        aggregator="avg", help="Value against target, 100 on target, capped."
    )
    weighted_score = fields.Float("Weighted", aggregator="avg")
    value_display = fields.Char("Value", compute="_compute_displays")
    target_display = fields.Char("Target", compute="_compute_displays")
    from_facts = fields.Boolean(
        compute="_compute_from_facts",
        help="The KPI is a formula over sums of sales facts: they can be listed.",
    )

    @api.depends("kpi_id.source")
    def _compute_from_facts(self):
        for line in self:
            line.from_facts = line.kpi_id.source == "formula"

    def action_open_facts(self):
        """The facts the KPI's formula sums for this person and period (as
        the user may read them)."""
        self.ensure_one()
        self.check_access("read")
        card = self.scorecard_id
        if not self.from_facts:
            raise UserError(
                self.env._(
                    "%s is not a sum of sales facts: it is computed from the "
                    "targets or the pipeline.",
                    self.kpi_id.name,
                )
            )
        _tree, metrics = self.kpi_id._sfa_parse()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sfa_base.action_sfa_fact"
        )
        action.update(
            name=self.env._(
                "%(kpi)s of %(card)s", kpi=self.kpi_id.name, card=card.name
            ),
            domain=[
                ("metric", "in", sorted(metrics)),
                ("user_id", "=", card.user_id.id),
                ("company_id", "=", card.company_id.id),
                ("date", ">=", card.date_from),
                ("date", "<=", card.date_to),
            ],
            context={"search_default_group_metric": 1},
        )
        return action

    @api.depends("value", "target", "unit", "measured")
    @api.depends_context("lang")
    def _compute_displays(self):
        """Value and target with their unit: an amount in the company's
        currency, a percentage, days, minutes or a count."""
        for line in self:
            kpi = line.kpi_id
            currency = line.scorecard_id.company_id.currency_id
            line.value_display = (
                kpi._sfa_format(line.value, currency) if line.measured else "–"
            )
            line.target_display = kpi._sfa_format(line.target, currency)

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_open()
        return lines

    def write(self, vals):
        self._check_open()
        return super().write(vals)

    def unlink(self):
        self._check_open()
        return super().unlink()

    def _check_open(self):
        if self.scorecard_id.filtered(lambda card: card.state == "final"):
            raise UserError(self.env._("A final scorecard can no longer change."))
