from odoo import fields, models


class SfaCompanySettings(models.AbstractModel):
    _inherit = "sfa.company.settings"

    sfa_contact_order = fields.Boolean(
        related="company_id.sfa_contact_order", readonly=False
    )
