import ast
import operator

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, format_amount, formatLang

UNITS = [
    ("amount", "Amount"),
    ("count", "Count"),
    ("percent", "Percent"),
    ("days", "Days"),
    ("minutes", "Minutes"),
    ("score", "Score"),
]
OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


class SfaKpi(models.Model):
    """A measured indicator of a salesperson's work.

    Most KPIs are a formula over sums of facts (``sfa.fact``), as in OCA
    mis_builder: ``won_revenue / won_deals`` is the average deal size, and an
    administrator adds a KPI by writing one. Each metric of the formula is
    the sum of its facts for the salesperson, the company and the period;
    a division by nothing (no closed deal for a win rate) is no measure, not
    a zero. The values of every salesperson come from one grouped read of
    the facts, whatever their number. Python computes only what is not a
    ratio of sums (``_sfa_kpi_computers``): the attainment of targets, the
    pipeline velocity.
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
    source = fields.Selection(
        selection="_selection_source", required=True, default="formula"
    )
    formula = fields.Char(
        help="Sums of metrics combined with + - * / and parentheses, e.g. "
        "100 * won_deals / (won_deals + lost_deals).",
    )
    metric = fields.Selection(
        selection="_selection_metric",
        default="won_revenue",
        help="For target attainment: the metric whose targets count.",
    )
    active = fields.Boolean(default=True)

    def _sfa_format(self, value, currency):
        """``value`` of this KPI as a reader takes it in: with its currency,
        percent sign or unit, in the reader's language."""
        self.ensure_one()
        env = self.env
        if self.unit == "amount":
            return format_amount(env, value or 0.0, currency)
        if self.unit == "percent":
            return env._("%s %%", formatLang(env, value or 0.0, digits=1))
        if self.unit == "days":
            return env._("%s days", formatLang(env, value or 0.0, digits=1))
        if self.unit == "minutes":
            return env._("%s min", formatLang(env, value or 0.0, digits=0))
        if self.unit == "count":
            whole = float(value or 0.0).is_integer()
            return formatLang(env, value or 0.0, digits=0 if whole else 1)
        return formatLang(env, value or 0.0, digits=1)

    _code_unique = models.UniqueIndex("(code)", "A KPI code is used only once.")

    @api.model
    def _sfa_kpi_computers(self):
        """{source: method(period, kpi) -> {user id: value}} of the KPIs
        Python computes; modules add theirs."""
        return {
            "target_attainment": self._sfa_kpi_target_attainment,
            "pipeline_velocity": self._sfa_kpi_pipeline_velocity,
        }

    @api.model
    def _selection_source(self):
        _ = self.env._
        return [
            ("formula", _("Formula over metrics")),
            ("target_attainment", _("Target attainment (%)")),
            ("pipeline_velocity", _("Pipeline velocity (per day)")),
        ]

    @api.model
    def _selection_metric(self):
        return self.env["sfa.fact"]._sfa_target_metrics()

    @api.constrains("source", "formula")
    def _check_source(self):
        computers = self._sfa_kpi_computers()
        for kpi in self:
            if kpi.source == "formula":
                kpi._sfa_parse()
            elif kpi.source not in computers:
                raise ValidationError(
                    self.env._("Nothing computes the source of KPI %s.", kpi.name)
                )

    def _sfa_parse(self):
        """The formula's syntax tree and the metrics it sums; a clear error
        for anything but numbers, metrics, + - * / and parentheses."""
        self.ensure_one()
        known = set(self.env["sfa.fact"]._sfa_sources())
        try:
            tree = ast.parse((self.formula or "").strip(), mode="eval")
        except SyntaxError:
            tree = None
        names = set()
        for node in ast.walk(tree) if tree else ():
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif not isinstance(
                node,
                (
                    ast.Expression,
                    ast.BinOp,
                    ast.UnaryOp,
                    ast.USub,
                    ast.UAdd,
                    ast.Load,
                    ast.Constant,
                    *OPERATORS,
                ),
            ) or (
                isinstance(node, ast.Constant) and type(node.value) not in (int, float)
            ):
                tree = None
                break
        if tree is None or not names:
            raise ValidationError(
                self.env._(
                    "The formula of KPI %(kpi)s must combine metrics with + - * / "
                    "and parentheses, e.g. won_revenue / won_deals (got: %(formula)s).",
                    kpi=self.name,
                    formula=self.formula or "",
                )
            )
        if unknown := names - known:
            raise ValidationError(
                self.env._(
                    "The formula of KPI %(kpi)s uses %(names)s, which no installed "
                    "module measures. Metrics: %(known)s.",
                    kpi=self.name,
                    names=", ".join(sorted(unknown)),
                    known=", ".join(sorted(known)),
                )
            )
        return tree, names

    def _sfa_target_metric(self):
        """The metric whose targets give this KPI its target: the metric of a
        formula that is one metric, when targets can be set on it."""
        self.ensure_one()
        formula = (self.formula or "").strip()
        if self.source == "formula" and formula in dict(
            self.env["sfa.fact"]._sfa_target_metrics()
        ):
            return formula
        return False

    # ------------------------------------------------------------------
    # Values: one grouped read of the facts for every salesperson
    # ------------------------------------------------------------------

    def _sfa_values(self, users, company, date_from, date_to):
        """{kpi id: {user id: value}} of these KPIs for ``users`` in
        ``company`` from ``date_from`` to ``date_to`` (both included). A
        user missing from a sum has 0; a ratio with nothing to divide by (no
        closed deal for a win rate) is None: no measure."""
        period = _Period(self.env, users, company, date_from, date_to)
        parsed = {kpi.id: kpi._sfa_parse() for kpi in self if kpi.source == "formula"}
        metrics = set().union(*(names for _tree, names in parsed.values()))
        if "pipeline_velocity" in self.mapped("source"):
            metrics |= set(VELOCITY_METRICS)
        period.load(metrics)
        computers = self._sfa_kpi_computers()
        return {
            kpi.id: (
                {
                    uid: period.evaluate(parsed[kpi.id][0], uid)
                    for uid in period.user_ids
                }
                if kpi.source == "formula"
                else computers[kpi.source](period, kpi)
            )
            for kpi in self
        }

    @api.model
    def _sfa_open_at_end(self, period):
        """{user id: opportunities they held open at the end of the period}
        (a state, not a fact: the stay that ran over the period's end)."""
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
        revenue the pipeline is expected to bring per day. Per user: won
        revenue / (won + lost deals) x open deals / cycle days per won deal."""
        open_deals = self._sfa_open_at_end(period)
        result = {}
        for uid in period.user_ids:
            won = period.sum("won_deals", uid)
            closed = won + period.sum("lost_deals", uid)
            cycle = period.sum("won_cycle_days", uid)
            result[uid] = (
                open_deals.get(uid, 0)
                * (won / closed)
                * (period.sum("won_revenue", uid) / won)
                / (cycle / won)
                if closed and won and cycle
                else None
            )
        return result

    @api.model
    def _sfa_kpi_target_attainment(self, period, kpi):
        """Actual over target of the salesperson's targets of the KPI's
        metric for exactly the period (confirmed or locked plans), in %."""
        rows = (
            self.env["sfa.target.line"]
            .sudo()
            ._read_group(
                Domain("owner_type", "=", "user")
                & Domain("user_id", "in", period.user_ids)
                & Domain("company_id", "=", period.company.id)
                & Domain("metric", "=", kpi.metric or "won_revenue")
                & Domain("date_from", "=", period.date_from)
                & Domain("date_to", "=", period.date_to)
                & Domain("plan_id.state", "!=", "draft"),
                ["user_id"],
                ["actual_value:sum", "target_value:sum"],
            )
        )
        attainment = {
            user.id: _ratio(100.0 * actual, target) for user, actual, target in rows
        }
        # no target, no attainment to judge
        return {uid: attainment.get(uid) for uid in period.user_ids}


VELOCITY_METRICS = ("won_deals", "lost_deals", "won_revenue", "won_cycle_days")


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
        self.sums = {}

    def load(self, metrics):
        """Sum ``metrics`` per salesperson: one grouped read of the facts."""
        if not metrics or not self.user_ids:
            return
        # sudo: sums of the people whose scorecards or cards are computed
        Fact = self.env["sfa.fact"].sudo()
        for (user, metric), value in Fact._sfa_sums(
            Domain("user_id", "in", self.user_ids)
            & Domain("company_id", "=", self.company.id)
            & Domain("date", ">=", self.date_from)
            & Domain("date", "<=", self.date_to),
            ["user_id"],
            sorted(metrics),
        ).items():
            self.sums[user.id, metric] = value

    def sum(self, metric, uid):
        return self.sums.get((uid, metric), 0.0)

    def evaluate(self, tree, uid):
        """The formula for one salesperson; None when it divides by 0."""
        node = tree.body if isinstance(tree, ast.Expression) else tree
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return self.sum(node.id, uid)
        if isinstance(node, ast.UnaryOp):
            value = self.evaluate(node.operand, uid)
            return (
                None
                if value is None
                else (-value if isinstance(node.op, ast.USub) else value)
            )
        left = self.evaluate(node.left, uid)
        right = self.evaluate(node.right, uid)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Div) and not right:
            return None
        return OPERATORS[type(node.op)](left, right)
