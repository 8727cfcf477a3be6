from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sfa_contact_order = fields.Boolean(
        related="company_id.sfa_contact_order", readonly=False
    )
