from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmStage(models.Model):
    _inherit = "crm.stage"
    _sfa_number_bounds = {"sfa_credit_weight": (0, None)}

    sfa_credit_weight = fields.Float(
        "Credit Weight",
        default=1.0,
        help="How much bringing a deal into this stage weighs in the "
        "contributors' part of its won revenue (0: no credit for it).",
    )

    @api.constrains("sfa_credit_weight")
    def _check_sfa_credit_weight(self):
        for stage in self:
            if stage.sfa_credit_weight < 0:
                raise ValidationError(
                    self.env._(
                        "The credit weight of stage %s cannot be negative.",
                        stage.name,
                    )
                )
