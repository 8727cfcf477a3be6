from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def action_sfa_plan_visit(self):
        """Plan a visit to this customer, in a dialog (from Due for a Visit)."""
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Plan a Visit to %s", self.display_name),
            "res_model": "sfa.action",
            "view_mode": "form",
            "views": [(self.env.ref("sfa_pipeline.sfa_action_view_form").id, "form")],
            "target": "new",
            "context": {
                "default_partner_id": self.id,
                "default_action_type_id": self.env.ref(
                    "sfa_pipeline.sfa_action_type_visit"
                ).id,
            },
        }
