from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sfa_stage_norm_block = fields.Boolean(
        related="company_id.sfa_stage_norm_block", readonly=False
    )
    sfa_contact_action = fields.Boolean(
        related="company_id.sfa_contact_action", readonly=False
    )
