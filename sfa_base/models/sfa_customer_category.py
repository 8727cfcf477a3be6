from odoo import fields, models


class SfaCustomerCategory(models.Model):
    _name = "sfa.customer.category"
    _description = "Customer Category"
    _sfa_shared_configuration = True
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one("res.company", index=True)
    visit_frequency_days = fields.Integer(
        "Visit Every (days)",
        default=30,
        help="Visit norm: a customer of this category is due for a visit when it "
        "has not been contacted for this many days. 0 means no norm.",
    )
    is_key_account = fields.Boolean(
        "Key Account", help="Active customers of this category are key accounts."
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
