from odoo import fields, models


class CrmStage(models.Model):
    _inherit = "crm.stage"
    _sfa_shared_configuration = True

    sfa_norm_ids = fields.One2many(
        "sfa.stage.norm",
        "stage_id",
        string="Playbook",
        help="Actions planned when an opportunity enters this stage, and "
        "expected done before it leaves.",
    )
