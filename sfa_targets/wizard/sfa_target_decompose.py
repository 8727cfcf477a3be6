from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..models.decomposition import split_exact


class SfaTargetDecompose(models.TransientModel):
    """Split a target into child targets that add up to it exactly.

    Over the organization (territories, teams or salespeople, by equal
    shares, weights typed in, last year's actuals or headcount) or over time
    (quarters or months, equal or following last year's months). The split
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
        [("org", "Organization"), ("time", "Time")],
        default="org",
        required=True,
    )
    owner_type = fields.Selection(
        [
            ("territory", "Territories"),
            ("team", "Sales Teams"),
            ("user", "Salespeople"),
        ],
        "Split Into",
        default="user",
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

    def _check_children(self):
        """The rows are the proposed owners or the periods of the target,
        whatever the client sent back."""
        if self.split_by == "org":
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
            if wizard.split_by == "org":
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
        or its members; a team over its members."""
        line = self.line_id
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
            return [child._headcount(self.owner_type) for child in children]
        rows = [
            (
                child.id,
                self.owner_type,
                child.owner_id,
                line.company_id.id,
                line.date_from - relativedelta(years=1),
                line.date_to - relativedelta(years=1),
            )
            for child in children
        ]
        return self._actual_weights(rows)

    def _actual_weights(self, rows):
        actuals = (
            self.env["sfa.target.line"]
            .sudo()
            ._sfa_metric_actuals(self.line_id.metric, rows)
        )
        # refunds can make a period's actual negative: it then weighs nothing
        return [max(actuals.get(row[0], 0.0), 0.0) for row in rows]

    def _amounts(self):
        self.ensure_one()
        if not self.child_ids:
            raise UserError(self.env._("There is nothing to split this target into."))
        self._check_children()
        return split_exact(
            self.line_id.target_value, self._weights(), self.line_id._split_digits()
        )

    def action_preview(self):
        for child, amount in zip(self.child_ids, self._amounts(), strict=True):
            child.amount = amount
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_apply(self):
        """Replace the target's children with the split, in one create."""
        self.ensure_one()
        line = self.line_id
        amounts = self._amounts()
        common = {
            "plan_id": line.plan_id.id,
            "parent_id": line.id,
            "metric": line.metric,
        }
        vals_list = []
        for child, amount in zip(self.child_ids, amounts, strict=True):
            vals = dict(common, target_value=amount)
            if self.split_by == "time":
                vals.update(
                    owner_type=line.owner_type,
                    territory_id=line.territory_id.id,
                    team_id=line.team_id.id,
                    user_id=line.user_id.id,
                    date_from=child.date_from,
                    date_to=child.date_to,
                )
            else:
                vals.update(
                    owner_type=self.owner_type,
                    date_from=line.date_from,
                    date_to=line.date_to,
                    **{f"{self.owner_type}_id": child.owner_id},
                )
            vals_list.append(vals)
        line.child_ids.unlink()
        children = self.env["sfa.target.line"].create(vals_list)
        children._refresh_actuals()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sfa.target.line",
            "name": self.env._("Targets of %s", line.name),
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
