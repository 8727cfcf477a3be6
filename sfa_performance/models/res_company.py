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
