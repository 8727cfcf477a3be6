from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, float_round

OWNER_FIELDS = {
    "company": "company_id",
    "territory": "territory_id",
    "team": "team_id",
    "user": "user_id",
}
# The level of the organization a target is at: totals add targets of one
# level only (a country's target and its regions' are the same money).
OWNER_LEVELS = [
    ("company", "Company"),
    ("territory_region", "Territory: Region"),
    ("territory_country", "Territory: Country"),
    ("territory_state", "Territory: State"),
    ("territory_city", "Territory: City"),
    ("territory_district", "Territory: District"),
    ("territory_industry", "Territory: Industry"),
    ("territory_key_accounts", "Territory: Key Accounts"),
    ("team", "Sales Team"),
    ("user", "Salesperson"),
]
# Figures a report may total, when its group holds one kind of target.
TOTALLED = ("target_value", "stretch_value", "actual_value", "gap", "children_total")
OWNER_TYPES = [
    ("company", "Company"),
    ("territory", "Territory"),
    ("team", "Sales Team"),
    ("user", "Salesperson"),
]


class SfaTargetLine(models.Model):
    """One target: an owner (the company, a territory, a team or a
    salesperson), a metric and a period, in a plan's tree of targets.

    Children split their parent over the organization (its territories,
    teams or people) or over time (quarters, months); the decomposition
    wizard makes them sum exactly to it. Actuals are refreshed for all lines
    of a plan at once from sfa_base's facts (``sfa.fact``), one grouped read
    per metric and kind of owner; a module adds a metric by declaring its
    facts.

    A line belongs to the person it targets — the salesperson, the
    territory's manager or the team's leader — for sfa_base's visibility
    rule: they and the people above them read it. Only those strictly above
    set it: nobody sets their own target.
    """

    _name = "sfa.target.line"
    _description = "Target"
    _inherit = ["sfa.visibility.mixin"]
    _parent_store = True
    _order = "plan_id, parent_path, date_from, id"
    _sfa_number_bounds = {"target_value": (0, None), "stretch_value": (0, None)}
    _sfa_owner_field = "owner_user_id"
    _sfa_territory_field = "territory_id"

    name = fields.Char(compute="_compute_name", store=True)
    plan_id = fields.Many2one(
        "sfa.target.plan", required=True, ondelete="cascade", index=True
    )
    plan_state = fields.Selection(related="plan_id.state")
    company_id = fields.Many2one(
        related="plan_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    value_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_value_currency_id",
        help="The currency of the target's figures: the company's for amounts, "
        "none for counts.",
    )
    parent_id = fields.Many2one(
        "sfa.target.line", "Parent Target", ondelete="cascade", index=True
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("sfa.target.line", "parent_id", "Split Into")
    holder_ids = fields.One2many(
        "sfa.target.holder",
        "line_id",
        "Earlier Holders",
        help="Salespeople who held this target before: its actual counts "
        "their results for the days they held it.",
    )
    owner_type = fields.Selection(OWNER_TYPES, "Target Of", required=True)
    territory_id = fields.Many2one("sfa.territory", index=True)
    team_id = fields.Many2one("crm.team", "Sales Team", index=True)
    user_id = fields.Many2one("res.users", "Salesperson", index=True)
    owner_user_id = fields.Many2one(
        "res.users",
        "Responsible",
        compute="_compute_owner_user_id",
        store=True,
        index=True,
        help="Who answers for the target: the salesperson, the territory's "
        "manager or the team's leader.",
    )
    sales_team_id = fields.Many2one(
        "crm.team",
        "Team",
        compute="_compute_sales_team_id",
        store=True,
        index="btree_not_null",
        help="The sales team the target counts for: the team's own, or the "
        "salesperson's team (reports and dashboards total targets by team).",
    )
    metric = fields.Selection(selection="_selection_metric", required=True)
    product_categ_id = fields.Many2one(
        "product.category",
        "Product Category",
        index="btree_not_null",
        help="Only sales of products of this category and its sub-categories "
        "count for this target (metrics with products: orders' and invoices' "
        "lines).",
    )
    customer_category_id = fields.Many2one(
        "sfa.customer.category",
        index="btree_not_null",
        help="Only the facts of customers that were in this category on the "
        "fact's day count for this target.",
    )
    date_from = fields.Date("From", required=True)
    date_to = fields.Date("To", required=True)
    period_type = fields.Selection(
        [
            ("year", "Year"),
            ("quarter", "Quarter"),
            ("month", "Month"),
            ("custom", "Other Period"),
        ],
        "Period",
        compute="_compute_period_type",
        store=True,
    )
    owner_level = fields.Selection(
        OWNER_LEVELS,
        "Level",
        compute="_compute_total_key",
        store=True,
        help="The level of the organization the target is at.",
    )
    total_key = fields.Char(
        compute="_compute_total_key",
        store=True,
        index=True,
        help="Targets with the same key add up: same metric, period, level "
        "and currency.",
    )
    target_value = fields.Float("Target", required=True, default=0.0)
    stretch_value = fields.Float(
        "Stretch Target", help="An optional higher goal beside the target."
    )
    actual_value = fields.Float("Actual", readonly=True)
    attainment = fields.Float(
        "Attainment (%)",
        compute="_compute_attainment",
        store=True,
        aggregator=None,
        help="Actual over target, in percent. Not summed nor averaged in "
        "reports: compare the summed target and actual instead.",
    )
    gap = fields.Float(
        compute="_compute_attainment",
        store=True,
        help="What is still missing to reach the target (negative: above it).",
    )
    children_total = fields.Float(
        "Split Total",
        compute="_compute_children_total",
        store=True,
        help="The sum of the targets this one is split into.",
    )
    split_mismatch = fields.Boolean(
        "Split Disagrees",
        compute="_compute_children_total",
        store=True,
        help="The targets this one is split into do not add up to it.",
    )

    outside_split = fields.Float(
        "Outside the Split",
        compute="_compute_outside_split",
        help="For a target split over territories: the part of its actual "
        "none of them counts, e.g. the customers of a region in none of its "
        "cities with a target.",
    )
    unheld = fields.Boolean(
        "Nobody Holds It",
        compute="_compute_unheld",
        store=True,
        help="Quota on the company, a territory or a team that has no "
        "responsible and is not split: nobody answers for it.",
    )
    unheld_value = fields.Float(
        "Nobody Holds",
        compute="_compute_unheld",
        store=True,
        help="The quota nobody holds: the target of a line nobody answers for. "
        "Only such lines carry it, so it adds up over every level.",
    )
    unheld_share = fields.Float(
        "Nobody Holds (%)",
        compute="_compute_held",
        aggregator=None,
        help="The share of this target in lines at or below it that nobody "
        "holds, over the same dates.",
    )
    sfa_unheld_below = fields.Boolean(
        "Quota Nobody Holds Below",
        compute="_compute_held",
        search="_search_sfa_unheld_below",
        help="Below this target lies quota that nobody holds.",
    )
    held_by = fields.Char(
        compute="_compute_held",
        help="Who answers for the target: its salesperson, the salespeople it "
        "is split into, its responsible, or nobody.",
    )
    held_value = fields.Float(
        "Held by Salespeople",
        compute="_compute_held",
        help="The targets of the salespeople below this one for the same period.",
    )
    held_share = fields.Float(
        "Held (%)",
        compute="_compute_held",
        aggregator=None,
        help="The share of this target the salespeople below it hold.",
    )

    sfa_tree_root = fields.Boolean(
        "Top of My Tree",
        compute="_compute_sfa_tree_root",
        search="_search_sfa_tree_root",
        help="A top target, or one whose parent the user may not read: where "
        "their tree of targets starts.",
    )

    _target_not_negative = models.Constraint(
        "CHECK (target_value >= 0 AND COALESCE(stretch_value, 0) >= 0)",
        "A target cannot be negative.",
    )
    _dates_ordered = models.Constraint(
        "CHECK (date_to >= date_from)", "A target cannot end before it starts."
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.model
    def _selection_metric(self):
        return self.env["sfa.fact"]._sfa_target_metrics()

    @api.depends("owner_type", "team_id", "user_id.sale_team_id")
    def _compute_sales_team_id(self):
        for line in self:
            line.sales_team_id = {
                "team": line.team_id,
                "user": line.user_id.sale_team_id,
            }.get(line.owner_type, False)

    @api.depends("owner_type", "user_id", "territory_id.manager_id", "team_id.user_id")
    def _compute_owner_user_id(self):
        for line in self:
            line.owner_user_id = {
                "user": line.user_id,
                "territory": line.territory_id.manager_id,
                "team": line.team_id.user_id,
            }.get(line.owner_type, False)

    @api.depends("owner_type", "user_id", "territory_id", "team_id", "company_id")
    @api.depends("metric", "period_type", "date_from")
    @api.depends("product_categ_id.name", "customer_category_id.name")
    def _compute_name(self):
        self._sfa_set_label("name")

    @api.depends("name")
    @api.depends_context("lang")
    def _compute_display_name(self):
        """The stored name is written in the language of whoever saved the
        target (and searched in it); it is shown in the reader's."""
        self._sfa_set_label("display_name")

    @api.depends("metric", "company_id")
    def _compute_value_currency_id(self):
        Fact = self.env["sfa.fact"]
        for line in self:
            amount = line.metric and Fact._sfa_unit(line.metric) == "amount"
            line.value_currency_id = amount and line.company_id.currency_id

    def _sfa_set_label(self, field_name):
        metrics = dict(self._fields["metric"]._description_selection(self.env))
        for line in self:
            owner = {
                "user": line.user_id,
                "territory": line.territory_id,
                "team": line.team_id,
                "company": line.company_id,
            }.get(line.owner_type)
            line[field_name] = " · ".join(
                filter(
                    None,
                    [
                        owner.display_name if owner else "",
                        line._period_label(),
                        metrics.get(line.metric, ""),
                        line.product_categ_id.name,
                        line.customer_category_id.name,
                    ],
                )
            )

    def _period_label(self):
        start = self.date_from
        if not start:
            return ""
        if self.period_type == "year":
            return str(start.year)
        if self.period_type == "quarter":
            return f"{start.year} Q{(start.month - 1) // 3 + 1}"
        if self.period_type == "month":
            return f"{start.year}-{start.month:02d}"
        return f"{self.date_from} – {self.date_to}"

    @api.depends_context("uid")
    def _compute_sfa_tree_root(self):
        roots = self.filtered_domain(self._search_sfa_tree_root("=", True))
        for line in self:
            line.sfa_tree_root = line in roots

    def _search_sfa_tree_root(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        # 'any!': the parent's own record rules would hide exactly the
        # parents we are looking for
        domain = Domain("parent_id", "=", False) | Domain(
            "parent_id", "any!", Domain("sfa_visible", "=", False)
        )
        return domain if (operator == "=") == value else ~domain

    @api.model
    def hierarchy_read(
        self, domain, specification, parent_field, child_field=None, order=None
    ):
        """The target tree starts at the top targets the user may read.

        The hierarchy view asks for its roots as ``parent_id = False``, which
        for a manager would stop at the company's target, the country's above
        them not being theirs to read; and it shows each record's parent,
        which must not be one the user cannot read. Same result shape as
        web_hierarchy's method; children come from ``child_ids``.
        """
        if parent_field != "parent_id":
            return super().hierarchy_read(
                domain, specification, parent_field, child_field, order
            )
        domain = [
            ("sfa_tree_root", "=", True)
            if isinstance(leaf, (list, tuple))
            and list(leaf) == ["parent_id", "=", False]
            else leaf
            for leaf in domain
        ]
        records = self.search(domain, order=order)
        if not records:
            return []
        if len(records) == 1:
            # one record: show it with its parent (when readable) and siblings
            parent = records.parent_id._filtered_access("read")
            around = (
                [
                    ("id", "not in", (records | parent).ids),
                    ("parent_id", "in", (records | parent).ids),
                ]
                if parent
                else [("parent_id", "=", records.id)]
            )
            records |= parent | self.search(around, order=order)
        spec = dict(specification, parent_id={})
        if child_field:
            spec.setdefault(child_field, {})
        result = records.web_read(spec)
        names = {
            line.id: line.display_name
            for line in self.browse(
                {row["parent_id"] for row in result if row.get("parent_id")}
            )._filtered_access("read")
        }
        for row in result:
            parent_id = row.get("parent_id")
            row["parent_id"] = (
                {"id": parent_id, "display_name": names[parent_id]}
                if parent_id in names
                else False
            )
        return result

    @api.depends(
        "owner_type", "territory_id.type", "metric", "period_type", "company_id"
    )
    @api.depends("product_categ_id", "customer_category_id")
    def _compute_total_key(self):
        for line in self:
            level = line.owner_type
            if level == "territory" and line.territory_id.type:
                level = f"territory_{line.territory_id.type}"
            line.owner_level = level
            currency = line.company_id.currency_id.id if line._is_amount() else 0
            dimensions = "|".join(str(i or 0) for i in line._sfa_dimensions())
            line.total_key = (
                f"{line.metric}|{line.period_type}|{level}|{currency}|{dimensions}"
                if line.metric
                else False
            )

    def _is_amount(self):
        """Whether the line's metric is an amount (in its company's currency)."""
        return (
            self.env["sfa.fact"]._sfa_unit(self.metric) == "amount"
            if self.metric in self.env["sfa.fact"]._sfa_sources()
            else False
        )

    def _read_group_select(self, aggregate_spec, query):
        """A total of targets, actuals or gaps only over one kind of target:
        a group mixing metrics, periods, levels or currencies has none (the
        company's year and its months, France and its regions, won revenue
        and new customers are not added up)."""
        fname, __, func = aggregate_spec.partition(":")
        if fname == "unheld_value" and func == "sum":
            # lines nobody holds never lie below one another: one metric,
            # period and currency add up over every level
            key = self._field_to_sql(self._table, "total_key", query)
            return SQL(
                "CASE WHEN COUNT(DISTINCT split_part(%s, '|', 1) || '|' "
                "|| split_part(%s, '|', 2) || '|' || split_part(%s, '|', 4)) "
                "<= 1 THEN %s END",
                key,
                key,
                key,
                super()._read_group_select(aggregate_spec, query),
            )
        if fname in TOTALLED and func == "sum":
            return SQL(
                "CASE WHEN COUNT(DISTINCT %s) <= 1 THEN %s END",
                self._field_to_sql(self._table, "total_key", query),
                super()._read_group_select(aggregate_spec, query),
            )
        return super()._read_group_select(aggregate_spec, query)

    @api.depends("date_from", "date_to")
    def _compute_period_type(self):
        for line in self:
            start, end = line.date_from, line.date_to
            kind = "custom"
            if (
                start
                and end
                and start.day == 1
                and fields.Date.add(end, days=1).day == 1
            ):
                months = (end.year - start.year) * 12 + end.month - start.month + 1
                if months == 1:
                    kind = "month"
                elif months == 3 and start.month in (1, 4, 7, 10):
                    kind = "quarter"
                elif months == 12 and start.month == 1:
                    kind = "year"
            line.period_type = kind

    @api.depends("target_value", "actual_value")
    def _compute_attainment(self):
        for line in self:
            line.attainment = (
                100.0 * line.actual_value / line.target_value
                if line.target_value
                else 0.0
            )
            line.gap = line.target_value - line.actual_value

    @api.depends("child_ids.target_value", "target_value")
    def _compute_children_total(self):
        for line in self:
            total = sum(line.child_ids.mapped("target_value"))
            line.children_total = total
            digits = line._split_digits()
            line.split_mismatch = (
                bool(line.child_ids) and round(total - line.target_value, digits) != 0
            )

    @api.depends(
        "child_ids.actual_value",
        "child_ids.owner_type",
        "child_ids.product_categ_id",
        "child_ids.customer_category_id",
        "actual_value",
    )
    def _compute_outside_split(self):
        """Only over territories and categories (sales in no territory or of
        no category of the split): salespeople and teams sell anywhere, and a
        split over time adds up to the whole."""
        for line in self:
            children = line.child_ids
            by_category = all(
                child._sfa_dimensions() != line._sfa_dimensions() for child in children
            )
            line.outside_split = (
                line.actual_value - sum(children.mapped("actual_value"))
                if children
                and (set(children.mapped("owner_type")) == {"territory"} or by_category)
                else 0.0
            )

    @api.depends("child_ids", "owner_type", "target_value", "owner_user_id")
    def _compute_unheld(self):
        """The rule of the targets' own screens: a target is held by its
        responsible (the salesperson, the territory's manager, the team's
        leader) or by the targets it is split into."""
        for line in self:
            line.unheld = bool(
                line.owner_type != "user"
                and not line.owner_user_id
                and not line.child_ids
                and line.target_value > 0
            )
            line.unheld_value = line.target_value if line.unheld else 0.0

    def _compute_held(self):
        """One query for all the lines: the salespeople's targets and the
        quota nobody holds below each, over the same dates."""
        ids = [i for i in self.ids if i]
        held = {}
        if ids:
            self.flush_model(
                [
                    "parent_path",
                    "owner_type",
                    "target_value",
                    "date_from",
                    "date_to",
                    "unheld_value",
                ]
            )
            held = {
                row[0]: row[1:]
                for row in self.env.execute_query(
                    SQL(
                        """
                        SELECT t.id,
                               COALESCE(SUM(d.target_value)
                                   FILTER (WHERE d.owner_type = 'user'), 0),
                               COUNT(*) FILTER (WHERE d.owner_type = 'user'),
                               COALESCE(SUM(d.unheld_value), 0)
                          FROM sfa_target_line t
                          JOIN sfa_target_line d
                            ON d.parent_path LIKE t.parent_path || '%%'
                           AND d.date_from = t.date_from AND d.date_to = t.date_to
                         WHERE t.id = ANY(%s)
                         GROUP BY t.id
                        """,
                        ids,
                    )
                )
            }
        for line in self:
            by_reps, reps, unheld = held.get(line.id, (0.0, 0, line.unheld_value))
            value = line.target_value if line.owner_type == "user" else by_reps
            line.held_value = value
            share = 100.0 / line.target_value if line.target_value else 0.0
            line.held_share = value * share
            line.unheld_share = unheld * share
            line.sfa_unheld_below = bool(unheld) and not line.unheld
            line.held_by = line._sfa_held_by(reps)

    def _sfa_held_by(self, reps):
        if self.owner_type == "user":
            return self.user_id.name
        if self.child_ids and reps:
            return self.env._("%(count)s salespeople", count=reps)
        if self.owner_user_id:
            return self.env._("%(name)s (responsible)", name=self.owner_user_id.name)
        if self.child_ids:
            return self.env._("Split, no salesperson")
        return self.env._("Nobody") if self.target_value else False

    def _search_sfa_unheld_below(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on quota nobody holds."))
        self.flush_model(
            ["parent_path", "parent_id", "date_from", "date_to", "unheld_value"]
        )
        query = SQL(
            """
            SELECT t.id
              FROM sfa_target_line t
              JOIN sfa_target_line d
                ON d.parent_path LIKE t.parent_path || '%%' AND d.id != t.id
               AND d.date_from = t.date_from AND d.date_to = t.date_to
             WHERE d.unheld_value > 0
            """
        )
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", query)]

    def _split_digits(self, metric=None):
        """Decimals a split of this target keeps: none for counts, the
        currency's for amounts."""
        self.ensure_one()
        return self._sfa_digits(metric or self.metric, self.company_id)

    @api.model
    def _sfa_digits(self, metric, company):
        unit = self.env["sfa.fact"]._sfa_unit(metric) if metric else "amount"
        if unit != "amount":
            return 0
        return (company.currency_id or self.env.company.currency_id).decimal_places

    @api.model
    def _sfa_rounded(self, vals, digits):
        """``vals`` with the target and stretch target at ``digits``: a
        target is kept at the precision it splits at (whole units for counts,
        the currency's for amounts), or a split of 10.4 deals could not add up
        to it."""
        return dict(
            vals,
            **{
                name: float_round(vals[name], precision_digits=digits)
                for name in ("target_value", "stretch_value")
                if vals.get(name)
            },
        )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("target_value", "stretch_value")
    def _check_values(self):
        for line in self:
            if line.target_value < 0 or (line.stretch_value or 0) < 0:
                raise ValidationError(
                    self.env._("A target cannot be negative (%s).", line.name)
                )
            if line.stretch_value and line.stretch_value < line.target_value:
                raise ValidationError(
                    self.env._(
                        "The stretch target of %s is below its target.", line.name
                    )
                )

    @api.constrains("owner_type", "territory_id", "team_id", "user_id")
    def _check_owner(self):
        field_of = {"territory": "territory_id", "team": "team_id", "user": "user_id"}
        for line in self:
            fname = field_of.get(line.owner_type)
            if fname and not line[fname]:
                raise ValidationError(
                    self.env._(
                        "A target of this kind needs its %s.",
                        self._fields[fname].string,
                    )
                )

    @api.constrains(
        "date_from",
        "date_to",
        "parent_id",
        "plan_id",
        "metric",
        "product_categ_id",
        "customer_category_id",
    )
    def _check_within_parent(self):
        for line in self:
            outer = line.parent_id or line.plan_id
            if line.date_from < outer.date_from or line.date_to > outer.date_to:
                raise ValidationError(
                    self.env._(
                        "The target %(line)s runs outside %(outer)s.",
                        line=line.name,
                        outer=outer.display_name,
                    )
                )
            if line.parent_id and line.parent_id.plan_id != line.plan_id:
                raise ValidationError(
                    self.env._("A target and its parent belong to the same plan.")
                )
            if line.parent_id and line.parent_id.metric != line.metric:
                raise ValidationError(
                    self.env._(
                        "%s is split into targets of another metric.",
                        line.parent_id.name,
                    )
                )
            line._check_dimensions()
        if self._has_cycle():
            raise ValidationError(self.env._("A target cannot be split into itself."))

    def _check_dimensions(self):
        """A target by product category needs a metric with products; a
        target split from one of a category stays within it."""
        Fact = self.env["sfa.fact"]
        if (
            self.product_categ_id
            and self.metric in Fact._sfa_sources()
            and "product_id" not in Fact._sfa_source(self.metric).columns
        ):
            raise ValidationError(
                self.env._(
                    "%(line)s: %(metric)s has no products, so it has no target "
                    "by product category.",
                    line=self.name,
                    metric=Fact._sfa_source(self.metric).label,
                )
            )
        parent = self.parent_id
        within = parent.product_categ_id.parent_path or ""
        if not (self.product_categ_id.parent_path or "").startswith(within) or (
            parent.customer_category_id
            and self.customer_category_id != parent.customer_category_id
        ):
            raise ValidationError(
                self.env._(
                    "%(line)s is outside the category of %(parent)s.",
                    line=self.name,
                    parent=parent.name,
                )
            )

    def _sfa_dimensions(self):
        """(product category id, customer category id) the target counts."""
        return (self.product_categ_id.id, self.customer_category_id.id)

    @api.constrains(
        "owner_type",
        "territory_id",
        "team_id",
        "user_id",
        "metric",
        "date_from",
        "date_to",
        "plan_id",
        "parent_id",
        "product_categ_id",
        "customer_category_id",
    )
    def _check_no_overlap(self):
        """In confirmed plans, no two targets for the same owner, metric and
        categories cover the same days, unless one is split into the other (a
        year and its quarters)."""
        lines = self.filtered(lambda line: line.plan_id.state != "draft")
        if not lines:
            return
        self.flush_model()
        self.env["sfa.target.plan"].flush_model(["state"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT a.name, b.name
                  FROM sfa_target_line a
                  JOIN sfa_target_plan pa ON pa.id = a.plan_id
                  JOIN sfa_target_line b
                    ON b.id != a.id AND b.company_id = a.company_id
                   AND b.metric = a.metric AND b.owner_type = a.owner_type
                   AND b.territory_id IS NOT DISTINCT FROM a.territory_id
                   AND b.team_id IS NOT DISTINCT FROM a.team_id
                   AND b.user_id IS NOT DISTINCT FROM a.user_id
                   AND b.product_categ_id IS NOT DISTINCT FROM a.product_categ_id
                   AND b.customer_category_id
                       IS NOT DISTINCT FROM a.customer_category_id
                   AND b.date_from <= a.date_to AND a.date_from <= b.date_to
                  JOIN sfa_target_plan pb ON pb.id = b.plan_id
                 WHERE a.id = ANY(%(ids)s)
                   AND pa.state != 'draft' AND pb.state != 'draft'
                   AND NOT (a.plan_id = b.plan_id
                            AND (a.parent_path LIKE b.parent_path || '%%'
                                 OR b.parent_path LIKE a.parent_path || '%%'))
                 LIMIT 1
                """,
                ids=lines.ids,
            )
        )
        if rows:
            raise ValidationError(
                self.env._(
                    "%(one)s and %(other)s target the same owner, metric and days "
                    "in confirmed plans (and the same categories).",
                    one=rows[0][0],
                    other=rows[0][1],
                )
            )

    # ------------------------------------------------------------------
    # Who may read and change targets
    # ------------------------------------------------------------------

    @api.model
    def _sfa_unowned_domain(self):
        """The company's targets are the whole sales force's to read. A
        territory's or team's target nobody answers for (no manager, no
        leader) is not: the managers of the territories above read it, as
        directors do."""
        return Domain("owner_type", "=", "company")

    @api.model
    def _sfa_clear_unused_owners(self, vals):
        """Only the owner field of the target's kind is kept: a leftover
        territory on a salesperson's target would escape the overlap check
        and widen who may read it."""
        if "owner_type" not in vals:
            return vals
        used = {"territory": "territory_id", "team": "team_id", "user": "user_id"}
        keep = used.get(vals["owner_type"])
        return dict(vals, **{f: False for f in used.values() if f != keep})

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._sfa_clear_unused_owners(vals) for vals in vals_list]
        for vals in vals_list:
            # a split keeps the categories of the target it splits
            parent = self.browse(vals.get("parent_id"))
            vals.setdefault("product_categ_id", parent.product_categ_id.id)
            vals.setdefault("customer_category_id", parent.customer_category_id.id)
        Plan = self.env["sfa.target.plan"]
        for vals in vals_list:
            self._check_not_negative(vals)
        vals_list = [
            self._sfa_rounded(
                vals,
                self._sfa_digits(
                    vals.get("metric"), Plan.browse(vals.get("plan_id")).company_id
                ),
            )
            for vals in vals_list
        ]
        lines = super().create(vals_list)
        lines._check_editable()
        return lines

    def write(self, vals):
        vals = self._sfa_clear_unused_owners(vals)
        self._check_not_negative(vals)
        values = ("target_value", "stretch_value")
        if "metric" in vals and not any(name in vals for name in values):
            # another metric: each target is kept at its precision too
            if len(self) > 1:
                for line in self:
                    line.write(vals)
                return True
            vals = dict(vals, **{name: self[name] for name in values})
        if any(name in vals for name in values):
            by_digits = self.grouped(
                lambda line: line._split_digits(vals.get("metric"))
            )
            if len(by_digits) > 1:
                # targets of other precisions: each group rounded apart
                for lines in by_digits.values():
                    lines.write(vals)
                return True
            vals = self._sfa_rounded(vals, next(iter(by_digits), 0))
        self._check_editable()
        holders = self._sfa_holders_before(vals)
        res = super().write(vals)
        if holders:
            # sudo: the change of salesperson was allowed, its trace follows
            self.env["sfa.target.holder"].sudo().create(holders)
        # moved to another owner, plan or parent: the new place must allow it
        # too (a locked plan, someone else's target)
        moved = {"owner_type", "user_id", "territory_id", "team_id", "plan_id"}
        if (moved | {"parent_id"}) & set(vals):
            self._check_editable()
        return res

    def unlink(self):
        self._check_editable()
        return super().unlink()

    def _sfa_holders_before(self, vals):
        """Earlier holders to record when running targets change salesperson:
        the days before today stay with the one who worked them."""
        if "user_id" not in vals:
            return []
        today = self._sfa_today()
        yesterday = fields.Date.subtract(today, days=1)
        holders = []
        for line in self.filtered(
            lambda line: (
                line.owner_type == "user"
                and line.user_id.id != vals["user_id"]
                and line.date_from < today
            )
        ):
            start = max(
                [line.date_from]
                + [
                    fields.Date.add(end, days=1)
                    for end in line.sudo().holder_ids.mapped("date_to")
                ]
            )
            end = min(yesterday, line.date_to)
            if start <= end:
                holders.append(
                    {
                        "line_id": line.id,
                        "user_id": line.user_id.id,
                        "date_from": start,
                        "date_to": end,
                    }
                )
        return holders

    @api.model
    def _check_not_negative(self, vals):
        """Refuse a negative target before the database does, with a message
        (NaN, infinity, text or a figure out of bounds too: the rounding that
        follows would fail on them)."""
        for name in ("target_value", "stretch_value"):
            value = vals.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if value < 0 and name == "target_value":
                    raise ValidationError(self.env._("A target cannot be negative."))
                if value < 0:
                    raise ValidationError(
                        self.env._("A stretch target cannot be negative.")
                    )
        self._sfa_check_numbers(vals)

    def _check_editable(self):
        """Locked plans are read-only; a target is set by the people above
        the one it targets, never by themselves."""
        locked = self.filtered(lambda line: line.plan_id.state == "locked")
        if locked:
            raise UserError(
                self.env._(
                    "The plan %s is locked: its targets can no longer change.",
                    locked[0].plan_id.name,
                )
            )
        if self.env.su:
            return
        user = self.env.user
        if user._sfa_is_director() or not user.has_group("sfa_base.group_sfa_rep"):
            return
        below = set(user._sfa_subordinates_map().get(user.id, []))
        territories = set()
        if self.filtered(lambda line: line.territory_id and not line.owner_user_id):
            territories = set(self.env["res.users"]._sfa_scope(user.id)[1])
        for line in self:
            owner = line.owner_user_id
            if owner.id in below or (
                # a territory without a manager: set from the territories above
                not owner and line.territory_id.id in territories
            ):
                continue
            raise AccessError(
                self.env._(
                    "Only the managers of %(owner)s set the target %(line)s.",
                    owner=(
                        owner.name
                        or line.territory_id.name
                        or line.team_id.name
                        or line.company_id.name
                    ),
                    line=line.name,
                )
            )

    # ------------------------------------------------------------------
    # Actuals
    # ------------------------------------------------------------------

    def _refresh_actuals(self):
        """Recompute actual, attainment and gap of the lines, locked plans
        aside: one grouped query per metric and one update, whatever the
        number of lines."""
        rows = self.sudo()._sfa_rows(skip_locked=True)
        if not rows:
            return
        values = dict.fromkeys((row[0] for row in rows), 0.0)
        lines = {
            line_id: (metric, plan_id)
            for line_id, metric, plan_id in self.env.execute_query(
                SQL(
                    "SELECT id, metric, plan_id FROM sfa_target_line"
                    " WHERE id = ANY(%s)",
                    list(values),
                )
            )
        }
        by_metric = defaultdict(list)
        for row in rows:
            by_metric[lines[row[0]][0]].append(row)
        for metric, group in by_metric.items():
            values.update(self._sfa_metric_actuals(metric, group))
        # the pending computations of the lines first, or they would
        # overwrite the figures written below
        self.env.flush_all()
        # only the lines whose figures move are written
        self.env.execute_query(
            SQL(
                """
                WITH v AS (
                    SELECT t.id, v.actual, t.target_value - v.actual AS gap,
                           CASE WHEN t.target_value != 0
                                THEN 100.0 * v.actual / t.target_value
                                ELSE 0 END AS attainment
                      FROM unnest(%(ids)s::int[], %(actuals)s::float8[])
                           AS v(id, actual)
                      JOIN sfa_target_line t ON t.id = v.id
                )
                UPDATE sfa_target_line t
                   SET actual_value = v.actual, gap = v.gap,
                       attainment = v.attainment
                  FROM v
                 WHERE t.id = v.id
                   AND (t.actual_value IS DISTINCT FROM v.actual
                        OR t.gap IS DISTINCT FROM v.gap
                        OR t.attainment IS DISTINCT FROM v.attainment)
                """,
                ids=list(values),
                actuals=list(values.values()),
            )
        )
        self.env["sfa.target.plan"].sudo().browse(
            {plan_id for _metric, plan_id in lines.values()}
        ).write({"date_refreshed": fields.Datetime.now()})
        self.invalidate_model(["actual_value", "gap", "attainment"])

    @api.model
    def _sfa_actuals(self, rows, metric):
        """{key: sum of the metric's facts} for target rows.

        ``rows`` are (key, owner type, owner id, company id, date from, date
        to[, product category id, customer category id]): lines, or the
        would-be lines of a decomposition. A row of a product category counts
        the facts of its products and sub-categories' products; one of a
        customer category, the facts of customers in it on their day.

        Each fact (``sfa.fact``) counts for every row of its company whose
        owner it belongs to — the salesperson, the team, the company, or the
        territory the customer was in on the fact's day and every territory
        above it — and whose dates hold it. One ``_read_group`` per kind of
        owner (by month when every row is whole months, else by day), then
        the rows add up their periods: the cost follows the owners and
        months, not facts times lines.
        """
        if not rows:
            return {}
        # sudo: sums for target rows the caller may compute (plans it reads)
        Fact = self.env["sfa.fact"].sudo()
        measure = f"{Fact._sfa_source(metric).measure}:sum"
        result = {}
        for (owner_type, monthly, dimensions), group in _group_rows(rows).items():
            owner_field = OWNER_FIELDS[owner_type]
            product_categ_id, category_id = dimensions
            domain = (
                Domain("metric", "=", metric)
                & Domain("company_id", "in", list({row[3] for row in group}))
                & Domain("date", ">=", min(row[4] for row in group))
                & Domain("date", "<=", max(row[5] for row in group))
            )
            if product_categ_id:
                domain &= Domain("product_categ_id", "child_of", product_categ_id)
            if category_id:
                domain &= Domain("category_id", "=", category_id)
            if owner_type != "territory":
                domain &= Domain(owner_field, "in", list({row[2] for row in group}))
            bucket = "date:month" if monthly else "date:day"
            sums = defaultdict(lambda: defaultdict(float))
            for owner, company, day, value in Fact._read_group(
                domain & Domain(owner_field, "!=", False),
                [owner_field, "company_id", bucket],
                [measure],
            ):
                sums[owner.id, company.id][day] += value
            if owner_type == "territory":
                sums = self._sfa_roll_up_territories(sums)
            for key, _type, owner_id, company_id, start, end, *_dims in group:
                values = [
                    value
                    for day, value in sums.get((owner_id, company_id), {}).items()
                    if start <= day <= end
                ]
                if values:
                    result[key] = result.get(key, 0.0) + sum(values)
        return result

    @api.model
    def _sfa_roll_up_territories(self, sums):
        """Sums of each territory's subtree: a fact of a city counts for its
        region and country too, once."""
        territories = (
            self.env["sfa.territory"]
            .sudo()
            .browse({territory_id for territory_id, _company in sums})
        )
        rolled = defaultdict(lambda: defaultdict(float))
        for territory in territories.with_context(active_test=False):
            ancestors = [int(i) for i in territory.parent_path.strip("/").split("/")]
            for company_id in {c for t, c in sums if t == territory.id}:
                for day, value in sums[territory.id, company_id].items():
                    for ancestor in ancestors:
                        rolled[ancestor, company_id][day] += value
        return rolled

    def _sfa_rows(self, skip_locked=False):
        """The lines as target rows for ``_sfa_actuals``: a salesperson's
        target that changed hands gives one row per holder and their days.
        Read in one query (a refresh reads tens of thousands of lines);
        ``skip_locked`` leaves out the lines of locked plans."""
        if not self:
            return []
        self.flush_model()
        self.env["sfa.target.holder"].flush_model()
        self.env["sfa.target.plan"].flush_model(["state"])
        rows = []
        for (
            line_id,
            owner_type,
            owner_id,
            company_id,
            date_from,
            date_to,
            product_categ_id,
            category_id,
            holders,
        ) in self.env.execute_query(
            SQL(
                """
                SELECT l.id, l.owner_type,
                       CASE l.owner_type WHEN 'company' THEN l.company_id
                                         WHEN 'territory' THEN l.territory_id
                                         WHEN 'team' THEN l.team_id
                                         ELSE l.user_id END,
                       l.company_id, l.date_from, l.date_to,
                       COALESCE(l.product_categ_id, 0),
                       COALESCE(l.customer_category_id, 0),
                       (SELECT ARRAY_AGG(ARRAY[h.user_id::text, h.date_from::text,
                                               h.date_to::text]
                                         ORDER BY h.date_from, h.id)
                          FROM sfa_target_holder h
                         WHERE h.line_id = l.id AND l.owner_type = 'user')
                  FROM sfa_target_line l
                  JOIN sfa_target_plan p ON p.id = l.plan_id
                 WHERE l.id = ANY(%s) AND (p.state != 'locked' OR NOT %s)
                 ORDER BY l.id
                """,
                list(self._ids),
                skip_locked,
            )
        ):
            dimensions = (product_categ_id or False, category_id or False)
            start = date_from
            for user_id, held_from, held_to in holders or ():
                held_from = fields.Date.to_date(held_from)
                held_to = fields.Date.to_date(held_to)
                rows.append(
                    (
                        line_id,
                        "user",
                        int(user_id),
                        company_id,
                        max(held_from, start),
                        min(held_to, date_to),
                        *dimensions,
                    )
                )
                start = max(start, fields.Date.add(held_to, days=1))
            if start <= date_to:
                rows.append(
                    (
                        line_id,
                        owner_type,
                        owner_id or False,
                        company_id,
                        start,
                        date_to,
                        *dimensions,
                    )
                )
        return rows

    def _sfa_fact_domain(self):
        """The facts this target's actual sums: the domain ``_sfa_actuals``
        counts for its rows (each holder on their own days)."""
        self.ensure_one()
        domain = Domain("metric", "=", self.metric) & Domain(
            "company_id", "=", self.company_id.id
        )
        product_categ_id, category_id = self._sfa_dimensions()
        if product_categ_id:
            domain &= Domain("product_categ_id", "child_of", product_categ_id)
        if category_id:
            domain &= Domain("category_id", "=", category_id)
        periods = []
        for (
            _key,
            owner_type,
            owner_id,
            _company,
            start,
            end,
            *_dims,
        ) in self._sfa_rows():
            period = Domain("date", ">=", start) & Domain("date", "<=", end)
            if owner_type == "territory":
                period &= Domain("territory_id", "child_of", owner_id)
            else:
                period &= Domain(OWNER_FIELDS[owner_type], "=", owner_id)
            periods.append(period)
        return domain & Domain.OR(periods) if periods else Domain.FALSE

    def action_open_bottom_up(self):
        """The Bottom-up Check. Those who split targets (supervisors and
        sales managers) get the targets whose split disagrees, the quota
        nobody holds and the targets above it, by metric with totals; a
        salesperson, who splits nothing, gets their own targets and who
        holds them."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sfa_targets.action_sfa_target_bottom_up"
        )
        user = self.env.user
        if user.has_group("sfa_base.group_sfa_supervisor") or user.has_group(
            "sales_team.group_sale_manager"
        ):
            return action
        action.update(
            domain="[('owner_user_id', '=', uid)]",
            context={"search_default_current": 1},
            help=self.env._(
                "<p class='o_view_nocontent_smiling_face'>No target for you "
                "yet</p><p>Your managers check that the targets they split add "
                "up and that someone holds each quota; here you see yours.</p>"
            ),
        )
        return action

    def action_open_facts(self):
        """The facts behind the actual, as the user may read them."""
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sfa_base.action_sfa_fact"
        )
        action.update(
            name=self.env._("Facts of %s", self.display_name),
            domain=list(self._sfa_fact_domain()),
            context={"search_default_group_month": 1},
        )
        return action

    def _owner_id(self):
        return {
            "company": self.company_id.id,
            "territory": self.territory_id.id,
            "team": self.team_id.id,
            "user": self.user_id.id,
        }[self.owner_type]

    @api.model
    def _sfa_metric_actuals(self, metric, rows):
        """{key: actual} of ``metric`` for target rows (see _sfa_actuals)."""
        return self._sfa_actuals(rows, metric)


def _whole_months(start, end):
    return start.day == 1 and (end + relativedelta(days=1)).day == 1


def _group_rows(rows):
    """Target rows by owner type, whether they all cover whole months, and
    the categories they count."""
    groups = defaultdict(list)
    for row in rows:
        product, customer = (*row[6:8], False, False)[:2]
        dimensions = (product or False, customer or False)
        groups[row[1], _whole_months(row[4], row[5]), dimensions].append(row)
    return groups
