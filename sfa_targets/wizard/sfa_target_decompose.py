from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..models.decomposition import split_exact


class SfaTargetDecompose(models.TransientModel):
    """Split a target into child targets that add up to it exactly.

    Over the organization (territories, teams or salespeople, by equal
    shares, weights typed in, last year's actuals or headcount), over
    product or customer categories (the same owner and days, one target per
    category, by equal shares, weights or last year's actuals) or over time
    (quarters or months, equal or following last year's months). Children
    keep the categories of the target they split. The split
    replaces the target's current children; amounts are rounded with the
    largest-remainder method at the currency's precision (whole units for
    counts), so the children always sum to the parent and are never
    negative.
    """

    _name = "sfa.target.decompose"
    _description = "Split a Target"

    line_id = fields.Many2one("sfa.target.line", "Target", required=True)
    target_value = fields.Float(
        related="line_id.target_value", string="To Split", related_sudo=False
    )
    split_by = fields.Selection(
        [
            ("org", "Organization"),
            ("product", "Product Categories"),
            ("customer", "Customer Categories"),
            ("time", "Time"),
        ],
        compute="_compute_split",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    owner_type = fields.Selection(
        [
            ("territory", "Territories"),
            ("team", "Sales Teams"),
            ("user", "Salespeople"),
        ],
        "Split Into",
        compute="_compute_split",
        store=True,
        readonly=False,
        precompute=True,
    )
    org_method = fields.Selection(
        [
            ("equal", "Equal Shares"),
            ("weights", "Weights (%)"),
            ("last_period", "Last Year's Actuals"),
            ("headcount", "Headcount"),
        ],
        "Shares",
        default="equal",
    )
    period = fields.Selection(
        [("quarter", "Quarters"), ("month", "Months")], default="quarter"
    )
    time_method = fields.Selection(
        [("equal", "Equal Shares"), ("seasonal", "Last Year's Seasonality")],
        "Shares Over Time",
        default="equal",
    )
    child_ids = fields.One2many(
        "sfa.target.decompose.child",
        "wizard_id",
        "Children",
        compute="_compute_child_ids",
        store=True,
        readonly=False,
    )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        # only a target one may read is split
        wizards.line_id.check_access("read")
        return wizards

    @api.depends("line_id")
    def _compute_split(self):
        for wizard in self:
            wizard.split_by, wizard.owner_type = wizard._natural_split()

    def _natural_split(self):
        """(split by, split into) a target opens on: the way it is split
        already, else the next level down (a territory into its
        sub-territories, or its members when it has none, else over time; a
        team into its members; a salesperson over time; the company into its
        top territories when there are some, else its salespeople)."""
        line = self.line_id
        child = line.child_ids[:1]
        if child:
            if (child.owner_type, child._owner_id()) != (
                line.owner_type,
                line._owner_id(),
            ):
                return "org", child.owner_type
            if child.product_categ_id != line.product_categ_id:
                return "product", "user"
            if child.customer_category_id != line.customer_category_id:
                return "customer", "user"
            return "time", "user"
        if line.owner_type == "territory":
            if line.territory_id.child_ids:
                return "org", "territory"
            return ("org", "user") if line.territory_id.member_ids else ("time", "user")
        if line.owner_type == "user":
            return "time", "user"
        if line.owner_type == "company" and self.env["sfa.territory"].search_count(
            [
                ("parent_id", "=", False),
                ("company_id", "in", [line.company_id.id, False]),
            ],
            limit=1,
        ):
            return "org", "territory"
        return "org", "user"

    def _check_children(self):
        """The rows are the proposed owners or the periods of the target,
        whatever the client sent back."""
        if self.split_by != "time":
            allowed = set(self._default_owners().ids)
            if any(child.owner_id not in allowed for child in self.child_ids):
                raise UserError(
                    self.env._("Split a target only over the owners proposed.")
                )
        elif [(c.date_from, c.date_to) for c in self.child_ids] != self._periods():
            raise UserError(
                self.env._("The periods of the split changed: open it again.")
            )

    @api.depends("line_id", "split_by", "owner_type", "period")
    def _compute_child_ids(self):
        for wizard in self:
            commands = [fields.Command.clear()]
            if wizard.split_by != "time":
                commands += [
                    fields.Command.create(
                        {"owner_id": owner.id, "name": owner.display_name}
                    )
                    for owner in wizard._default_owners()
                ]
            else:
                commands += [
                    fields.Command.create(
                        {"date_from": start, "date_to": end, "name": f"{start} – {end}"}
                    )
                    for start, end in wizard._periods()
                ]
            wizard.child_ids = commands

    def _default_owners(self):
        """Who a target is naturally split over: a company over its top
        territories, teams or salespeople; a territory over its sub-territories
        or its members; a team over its members. Over categories: the
        sub-categories of the target's product category (from the top ones,
        or the children of a single top one), or the customer categories."""
        line = self.line_id
        if self.split_by == "product":
            return self._default_product_categories()
        if self.split_by == "customer":
            if line.customer_category_id:
                return self.env["sfa.customer.category"]
            return self.env["sfa.customer.category"].search(
                [("company_id", "in", [line.company_id.id, False])]
            )
        kind = self.owner_type
        if kind == "territory":
            Territory = self.env["sfa.territory"]
            if line.owner_type == "territory":
                return line.territory_id.child_ids
            return Territory.search(
                [
                    ("parent_id", "=", False),
                    ("company_id", "in", [line.company_id.id, False]),
                ]
            )
        if kind == "team":
            return self.env["crm.team"].search(
                [("company_id", "in", [line.company_id.id, False])]
            )
        if line.owner_type == "territory":
            return line.territory_id.member_ids
        if line.owner_type == "team":
            return line.team_id.member_ids
        if line.owner_type == "user":
            return self.env["res.users"]
        return self.env["res.users"].search(
            [
                ("group_ids", "in", self.env.ref("sfa_base.group_sfa_rep").ids),
                ("company_ids", "in", line.company_id.ids),
                ("share", "=", False),
            ]
        )

    def _default_product_categories(self):
        Category = self.env["product.category"]
        parent = self.line_id.product_categ_id
        categories = Category.search([("parent_id", "=", parent.id)])
        while not parent and len(categories) == 1 and categories.child_id:
            categories = categories.child_id
        return categories

    def _periods(self):
        """Quarters or months of the target's dates, clipped to them."""
        line = self.line_id
        if not line.date_from:
            return []
        step = relativedelta(months=3 if self.period == "quarter" else 1)
        start = line.date_from.replace(day=1)
        if self.period == "quarter":
            start = start.replace(month=(start.month - 1) // 3 * 3 + 1)
        periods = []
        while start <= line.date_to:
            end = start + step - relativedelta(days=1)
            periods.append((max(start, line.date_from), min(end, line.date_to)))
            start += step
        return periods

    # ------------------------------------------------------------------
    # Shares
    # ------------------------------------------------------------------

    def _weights(self):
        line = self.line_id
        children = self.child_ids
        product_categ_id, category_id = line._sfa_dimensions()
        if self.split_by == "time":
            if self.time_method == "equal":
                return [1.0] * len(children)
            rows = [
                (
                    child.id,
                    line.owner_type,
                    line._owner_id(),
                    line.company_id.id,
                    child.date_from - relativedelta(years=1),
                    child.date_to - relativedelta(years=1),
                    product_categ_id,
                    category_id,
                )
                for child in children
            ]
            return self._actual_weights(rows)
        if self.org_method == "equal":
            return [1.0] * len(children)
        if self.org_method == "weights":
            if any(weight < 0 for weight in children.mapped("weight")):
                raise ValidationError(self.env._("A weight cannot be negative."))
            total = sum(children.mapped("weight"))
            if abs(total - 100.0) > 0.005:
                raise ValidationError(
                    self.env._(
                        "The weights add up to %(total)s %%, not 100 %%.",
                        total=round(total, 2),
                    )
                )
            return children.mapped("weight")
        if self.org_method == "headcount":
            if self.split_by != "org":
                raise UserError(
                    self.env._("A split over categories cannot follow headcount.")
                )
            return [child._headcount(self.owner_type) for child in children]
        rows = [
            (
                child.id,
                *self._child_owner(child),
                line.company_id.id,
                line.date_from - relativedelta(years=1),
                line.date_to - relativedelta(years=1),
                *self._child_dimensions(child),
            )
            for child in children
        ]
        return self._actual_weights(rows)

    def _child_owner(self, child):
        """(owner type, owner id) of a child of an organization or category
        split."""
        if self.split_by == "org":
            return (self.owner_type, child.owner_id)
        return (self.line_id.owner_type, self.line_id._owner_id())

    def _child_dimensions(self, child):
        """(product category id, customer category id) of a child: the
        target's, and the child's category in a split over categories."""
        product_categ_id, category_id = self.line_id._sfa_dimensions()
        if self.split_by == "product":
            product_categ_id = child.owner_id
        elif self.split_by == "customer":
            category_id = child.owner_id
        return (product_categ_id, category_id)

    def _actual_weights(self, rows):
        actuals = (
            self.env["sfa.target.line"]
            .sudo()
            ._sfa_metric_actuals(self.line_id.metric, rows)
        )
        # refunds can make a period's actual negative: it then weighs nothing
        return [max(actuals.get(row[0], 0.0), 0.0) for row in rows]

    def _amounts(self):
        """The children's amounts and their shares (%) of the target."""
        self.ensure_one()
        if not self.child_ids:
            raise UserError(self._nothing_to_split())
        self._check_children()
        weights = self._weights()
        if self._by_last_year() and not any(weights):
            raise UserError(
                self.env._(
                    "None of these had any actuals in the same period last year: "
                    "split in equal shares or by weights instead."
                )
            )
        total = sum(weights) or 1.0
        shares = [100.0 * weight / total for weight in weights]
        amounts = split_exact(
            self.line_id.target_value, weights, self.line_id._split_digits()
        )
        return amounts, shares

    def _by_last_year(self):
        if self.split_by == "time":
            return self.time_method == "seasonal"
        return self.org_method == "last_period"

    def _nothing_to_split(self):
        line = self.line_id
        if self.split_by == "product":
            return self.env._(
                "%s has no sub-categories to split this target into.",
                line.product_categ_id.display_name or self.env._("The catalog"),
            )
        if self.split_by == "customer":
            return self.env._(
                "This target is for customers of one category already, or "
                "there are no customer categories: split it another way."
            )
        if self.owner_type == "territory" and line.owner_type == "territory":
            return self.env._(
                "%s has no sub-territories: split it into its salespeople or "
                "over time.",
                line.territory_id.display_name,
            )
        if line.owner_type == "user" and self.split_by == "org":
            return self.env._(
                "A salesperson's target is split over time or over categories, "
                "not over other people."
            )
        return self.env._(
            "There is nobody to split this target into: choose another way to split it."
        )

    def action_preview(self):
        amounts, shares = self._amounts()
        for child, amount, share in zip(self.child_ids, amounts, shares, strict=True):
            child.amount = amount
            child.share = share
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Split a Target"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_apply(self):
        """Replace the target's children with the split, in one create."""
        self.ensure_one()
        line = self.line_id
        amounts, _shares = self._amounts()
        common = {
            "plan_id": line.plan_id.id,
            "parent_id": line.id,
            "metric": line.metric,
        }
        vals_list = []
        for child, amount in zip(self.child_ids, amounts, strict=True):
            product_categ_id, category_id = self._child_dimensions(child)
            vals = dict(
                common,
                target_value=amount,
                product_categ_id=product_categ_id,
                customer_category_id=category_id,
            )
            if self.split_by == "org":
                vals.update(
                    owner_type=self.owner_type,
                    date_from=line.date_from,
                    date_to=line.date_to,
                    **{f"{self.owner_type}_id": child.owner_id},
                )
            else:
                vals.update(
                    owner_type=line.owner_type,
                    territory_id=line.territory_id.id,
                    team_id=line.team_id.id,
                    user_id=line.user_id.id,
                    date_from=child.date_from or line.date_from,
                    date_to=child.date_to or line.date_to,
                )
            vals_list.append(vals)
        line.child_ids.unlink()
        children = self.env["sfa.target.line"].create(vals_list)
        children._refresh_actuals()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sfa.target.line",
            "name": self.env._("Targets of %s", line.display_name),
            "view_mode": "list,form",
            "domain": [("id", "in", children.ids)],
        }


class SfaTargetDecomposeChild(models.TransientModel):
    _name = "sfa.target.decompose.child"
    _description = "Split a Target: Child"
    _order = "id"

    wizard_id = fields.Many2one(
        "sfa.target.decompose", required=True, ondelete="cascade"
    )
    name = fields.Char()
    owner_id = fields.Integer()
    date_from = fields.Date()
    date_to = fields.Date()
    weight = fields.Float("Weight (%)")
    amount = fields.Float("Target", readonly=True)
    share = fields.Float("Share (%)", readonly=True, digits=(16, 1))

    def _headcount(self, owner_type):
        """Salespeople behind an owner: a territory's members (its whole
        subtree), a team's members, one for a salesperson."""
        if owner_type == "user":
            return 1
        if owner_type == "team":
            return len(self.env["crm.team"].browse(self.owner_id).member_ids)
        territories = self.env["sfa.territory"].search(
            [("id", "child_of", self.owner_id)]
        )
        return len(territories.member_ids)
