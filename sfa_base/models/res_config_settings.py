from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sfa_duplicate_block = fields.Boolean(
        related="company_id.sfa_duplicate_block", readonly=False
    )
    sfa_dormant_days = fields.Integer(
        related="company_id.sfa_dormant_days", readonly=False
    )
    sfa_contact_activity = fields.Boolean(
        related="company_id.sfa_contact_activity", readonly=False
    )
    sfa_contact_email = fields.Boolean(
        related="company_id.sfa_contact_email", readonly=False
    )
    sfa_contact_meeting = fields.Boolean(
        related="company_id.sfa_contact_meeting", readonly=False
    )
