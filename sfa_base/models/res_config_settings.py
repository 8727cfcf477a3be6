from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sfa_duplicate_block = fields.Boolean(
        related="company_id.sfa_duplicate_block", readonly=False
    )
    sfa_dormant_days = fields.Integer(
        related="company_id.sfa_dormant_days", readonly=False
    )
