from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    sfa_credit_closer_share = fields.Float(
        "Closer's Share (%)",
        default=50.0,
        help="Part of a won deal's revenue credited to the salesperson who "
        "won it; the rest goes to whoever advanced the deal through its "
        "stages, in proportion to the stages' credit weights. A deal won "
        "without any advance credits its closer with all of it.",
    )
    sfa_value_months = fields.Integer(
        "Customer Value Window (months)",
        default=12,
        help="Customer values count the orders, invoices and actions of this "
        "many months back.",
    )
    sfa_value_weight_purchase = fields.Float(
        "Purchasing Power Weight (%)", default=30.0
    )
    sfa_value_weight_credit = fields.Float("Credit Standing Weight (%)", default=20.0)
    sfa_value_weight_profit = fields.Float("Profit Weight (%)", default=30.0)
    sfa_value_weight_relationship = fields.Float(
        "Relationship Weight (%)", default=20.0
    )
    sfa_alert_pace = fields.Float(
        "Alert Below Pace (%)",
        default=80.0,
        help="From the middle of a target's period, its responsible and their "
        "manager are alerted when the actual is below this share of what the "
        "days gone should have brought (target x days gone / days).",
    )

    @api.constrains("sfa_credit_closer_share")
    def _check_sfa_credit_closer_share(self):
        for company in self:
            if not 0 <= company.sfa_credit_closer_share <= 100:
                raise ValidationError(
                    self.env._(
                        "The closer's share of %s must lie between 0 and 100 %%.",
                        company.name,
                    )
                )

    @api.constrains(
        "sfa_value_months",
        "sfa_value_weight_purchase",
        "sfa_value_weight_credit",
        "sfa_value_weight_profit",
        "sfa_value_weight_relationship",
    )
    def _check_sfa_value_settings(self):
        for company in self:
            weights = company._sfa_value_weights()
            if company.sfa_value_months < 1:
                raise ValidationError(
                    self.env._(
                        "The customer value window of %s must be at least one month.",
                        company.name,
                    )
                )
            if any(w < 0 for w in weights) or abs(sum(weights) - 100) > 0.01:
                raise ValidationError(
                    self.env._(
                        "The customer value weights of %(company)s must not be "
                        "negative and must add up to 100 %% (they add up to "
                        "%(total)s %%).",
                        company=company.name,
                        total=round(sum(weights), 2),
                    )
                )

    @api.constrains("sfa_alert_pace")
    def _check_sfa_alert_pace(self):
        for company in self:
            if not 0 <= company.sfa_alert_pace <= 100:
                raise ValidationError(
                    self.env._(
                        "The alert pace of %s must lie between 0 and 100 %%.",
                        company.name,
                    )
                )

    def _sfa_value_weights(self):
        self.ensure_one()
        return (
            self.sfa_value_weight_purchase,
            self.sfa_value_weight_credit,
            self.sfa_value_weight_profit,
            self.sfa_value_weight_relationship,
        )
