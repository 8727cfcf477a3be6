from odoo import fields, models


class CrmActivityReport(models.Model):
    _name = "crm.activity.report"
    _inherit = ["crm.activity.report", "sfa.visibility.mixin"]

    # Activities follow the visibility of their opportunity.
    _sfa_share_model = "crm.lead"
    _sfa_share_field = "lead_id"

    sfa_territory_id = fields.Many2one(
        "sfa.territory", string="Territory", readonly=True
    )

    def _select(self):
        return super()._select() + ", l.sfa_territory_id"
