from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"
    _sfa_shared_configuration = True

    sfa_duplicate_block = fields.Boolean(
        "Block Duplicate Customers",
        help="Refuse to save a customer matching an existing one instead of warning.",
    )
    sfa_dormant_days = fields.Integer(
        "Dormant After (days)",
        default=365,
        help="A customer with no won deal or contact for this long becomes dormant.",
    )

    _sfa_dormant_days_positive = models.Constraint(
        "CHECK (sfa_dormant_days > 0)", "The dormancy period must be positive."
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # a new company's own partner is not a customer
        partners = companies.partner_id
        self.env.add_to_compute(partners._fields["sfa_is_customer"], partners)
        return companies
