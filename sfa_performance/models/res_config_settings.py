from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sfa_credit_closer_share = fields.Float(
        related="company_id.sfa_credit_closer_share", readonly=False
    )
