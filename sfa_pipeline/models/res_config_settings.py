from odoo import fields, models


class SfaCompanySettings(models.AbstractModel):
    _inherit = "sfa.company.settings"

    sfa_stage_norm_block = fields.Boolean(
        related="company_id.sfa_stage_norm_block", readonly=False
    )
    sfa_contact_action = fields.Boolean(
        related="company_id.sfa_contact_action", readonly=False
    )
    sfa_checkin_distance = fields.Float(
        related="company_id.sfa_checkin_distance", readonly=False
    )
