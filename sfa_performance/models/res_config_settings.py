from odoo import fields, models


class SfaCompanySettings(models.AbstractModel):
    _inherit = "sfa.company.settings"

    sfa_credit_closer_share = fields.Float(
        related="company_id.sfa_credit_closer_share", readonly=False
    )
    sfa_value_months = fields.Integer(
        related="company_id.sfa_value_months", readonly=False
    )
    sfa_value_weight_purchase = fields.Float(
        related="company_id.sfa_value_weight_purchase", readonly=False
    )
    sfa_value_weight_credit = fields.Float(
        related="company_id.sfa_value_weight_credit", readonly=False
    )
    sfa_value_weight_profit = fields.Float(
        related="company_id.sfa_value_weight_profit", readonly=False
    )
    sfa_value_weight_relationship = fields.Float(
        related="company_id.sfa_value_weight_relationship", readonly=False
    )
    sfa_alert_pace = fields.Float(related="company_id.sfa_alert_pace", readonly=False)
