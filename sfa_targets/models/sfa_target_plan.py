from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.sfa_base.tools import done_notice


class SfaTargetPlan(models.Model):
    """A company's targets for a period, decomposed in a tree of lines.

    Draft while it is built and split down the organization; confirmed once
    its lines are the targets everyone works to (then no two lines may target
    the same owner, metric and dates, see ``sfa.target.line``); locked when
    the period is over or the figures are final, read-only from then on.
    """

    _name = "sfa.target.plan"
    _description = "Target Plan"
    _sfa_shared_configuration = True
    _inherit = ["mail.thread"]
    _order = "date_from desc, id desc"

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date("From", required=True, tracking=True)
    date_to = fields.Date("To", required=True, tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed"), ("locked", "Locked")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    line_ids = fields.One2many("sfa.target.line", "plan_id", "Targets")
    line_count = fields.Integer(compute="_compute_line_count")
    metrics = fields.Char(
        compute="_compute_line_count", help="The metrics the plan's lines target."
    )
    date_refreshed = fields.Datetime("Actuals Refreshed On", readonly=True)

    _dates_ordered = models.Constraint(
        "CHECK (date_to >= date_from)", "A plan cannot end before it starts."
    )

    def _compute_line_count(self):
        Line = self.env["sfa.target.line"]
        metric_names = dict(Line._fields["metric"]._description_selection(self.env))
        counts = {
            (plan, metric): count
            for plan, metric, count in Line._read_group(
                [("plan_id", "in", self.ids)], ["plan_id", "metric"], ["__count"]
            )
        }
        for plan in self:
            mine = {metric: n for (p, metric), n in counts.items() if p == plan}
            plan.line_count = sum(mine.values())
            plan.metrics = ", ".join(sorted(metric_names[m] for m in mine))

    @api.constrains("company_id")
    def _check_company_of_lines(self):
        for plan in self:
            if plan.line_ids.filtered(lambda line: line.company_id != plan.company_id):
                raise ValidationError(
                    self.env._("A plan's targets belong to the plan's company.")
                )

    def write(self, vals):
        # a locked plan changes no more, its state included (only the
        # system's own bookkeeping, in sudo, may still touch it)
        if not self.env.su:
            self._check_not_locked()
        res = super().write(vals)
        if vals.get("state") == "confirmed":
            self.line_ids._check_no_overlap()
        return res

    def unlink(self):
        self._check_not_locked()
        return super().unlink()

    def _check_not_locked(self):
        locked = self.filtered(lambda plan: plan.state == "locked")
        if locked:
            raise UserError(
                self.env._(
                    "The plan %s is locked: its targets can no longer change.",
                    locked[0].name,
                )
            )

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def action_confirm(self):
        self._check_not_locked()
        self._sfa_set_state("confirmed")
        return True

    def action_lock(self):
        if self.filtered(lambda plan: plan.state != "confirmed"):
            raise UserError(self.env._("Confirm a plan before locking it."))
        self.line_ids._refresh_actuals()
        self._sfa_set_state("locked")
        return True

    def action_reset_to_draft(self):
        """Back to draft from confirmed only: a locked plan stays locked."""
        self._check_not_locked()
        self._sfa_set_state("draft")
        return True

    def _sfa_set_state(self, state):
        """The state only moves by these buttons, which check the plan first.
        sudo: state is the system's; whoever may edit the plan (checked here)
        may move it."""
        self.check_access("write")
        self.sudo().write({"state": state})

    def action_refresh_actuals(self):
        """Measure the targets again now, rather than at night, and say so."""
        lines = self.filtered(lambda plan: plan.state != "locked").line_ids
        lines._refresh_actuals()
        return done_notice(
            self.env._(
                "The actuals of %(count)s targets were measured again from the "
                "sales facts.",
                count=len(lines),
            )
        )

    @api.model
    def _cron_refresh_actuals(self):
        """Every night, the actuals of confirmed plans running or ended in the
        last month (late invoices and wins still count)."""
        since = fields.Date.subtract(fields.Date.context_today(self), months=1)
        plans = self.search([("state", "=", "confirmed"), ("date_to", ">=", since)])
        plans.line_ids._refresh_actuals()

    @api.readonly
    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sfa_targets.action_sfa_target_line"
        )
        action["domain"] = [("plan_id", "=", self.id)]
        action["context"] = {"default_plan_id": self.id}
        return action

    @api.readonly
    def action_view_tree(self):
        """The plan's targets as a tree, from the top ones the user may read
        (a manager's tree starts at their own region, not at the company)."""
        action = self.action_view_lines()
        action["views"] = [(False, "hierarchy"), (False, "list"), (False, "form")]
        action["domain"] = [("plan_id", "=", self.id), ("sfa_tree_root", "=", True)]
        action["name"] = action["display_name"] = self.env._("Target Tree")
        return action
