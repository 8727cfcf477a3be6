from collections import Counter

from markupsafe import Markup

from odoo import fields, models
from odoo.tools import SQL

from ..tools import bulk_changes

# what the customers of a category derive from it
_PARTNER_FIELDS = {"is_key_account", "visit_frequency_days"}


class SfaCustomerCategory(models.Model):
    _name = "sfa.customer.category"
    _description = "Customer Category"
    _inherit = ["mail.thread"]
    _sfa_shared_configuration = True
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char()
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    color = fields.Integer()
    company_id = fields.Many2one("res.company", index=True)
    visit_frequency_days = fields.Integer(
        "Visit Every (days)",
        default=30,
        tracking=True,
        help="Visit norm: a customer of this category is due for a visit when it "
        "has not been contacted for this many days. 0 means no norm.",
    )
    is_key_account = fields.Boolean(
        "Key Account",
        tracking=True,
        help="Active customers of this category are key accounts.",
    )
    partner_count = fields.Integer(compute="_compute_partner_count")

    _visit_frequency_positive = models.Constraint(
        "CHECK (visit_frequency_days >= 0)",
        "The visit frequency cannot be negative.",
    )

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("sfa_category_id", "in", self.ids)], ["sfa_category_id"], ["__count"]
            )
        )
        for category in self:
            category.partner_count = counts.get(category, 0)

    def write(self, vals):
        """A norm or the key-account flag changed: every customer of the
        category follows, a change made in bulk. It is tracked on the
        category and summarized there once (how many customers changed
        stage, how many next visits moved), not noted in each customer's
        chatter unless the company asks for it."""
        if not self or not _PARTNER_FIELDS & set(vals):
            return super().write(vals)
        self.env.flush_all()
        before = self._sfa_customer_figures()
        # the category's own change is tracked as usual
        self._track_prepare(self._fields)
        company = self.company_id[:1] or self.env.company
        with bulk_changes(self.env, company) as env:
            res = super(SfaCustomerCategory, self.with_env(env)).write(vals)
        self._sfa_post_summary(before, self._sfa_customer_figures())
        return res

    def _sfa_customer_figures(self):
        """{partner id: (category id, lifecycle stage, next visit)} of the
        customers of these categories, in one query."""
        return {
            pid: (category_id, stage, visit)
            for pid, category_id, stage, visit in self.env.execute_query(
                SQL(
                    "SELECT id, sfa_category_id, sfa_lifecycle_stage,"
                    " sfa_next_visit_date FROM res_partner"
                    " WHERE sfa_category_id = ANY(%s)",
                    self.ids,
                )
            )
        }

    def _sfa_post_summary(self, before, after):
        labels = dict(
            self.env["res.partner"]
            ._fields["sfa_lifecycle_stage"]
            ._description_selection(self.env)
        )
        stages, visits = Counter(), Counter()
        for pid, (category_id, stage, visit) in after.items():
            _category, old_stage, old_visit = before.get(pid, (None, stage, visit))
            if old_stage != stage:
                stages[category_id, old_stage, stage] += 1
            if old_visit != visit:
                visits[category_id] += 1
        for category in self:
            moved = sorted(
                (labels.get(old, old), labels.get(new, new), count)
                for (cid, old, new), count in stages.items()
                if cid == category.id
            )
            lines = [
                self.env._(
                    "Lifecycle stage of %(count)s customers: %(from)s → %(to)s.",
                    count=count,
                    **{"from": old, "to": new},
                )
                for old, new, count in moved
            ]
            if visits[category.id]:
                lines.append(
                    self.env._(
                        "Next visit of %(count)s customers moved.",
                        count=visits[category.id],
                    )
                )
            if lines:
                # sudo: the summary of what the system did, posted once
                category.sudo().message_post(
                    body=Markup("<br/>").join(lines), subtype_xmlid="mail.mt_note"
                )
