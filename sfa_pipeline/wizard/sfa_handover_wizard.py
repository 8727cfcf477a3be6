from odoo import api, models


class SfaHandoverWizard(models.TransientModel):
    """A leaving rep's planned actions go with their customers."""

    _inherit = "sfa.handover.wizard"

    @api.model
    def _sfa_handover_targets(self, leaver):
        return [
            *super()._sfa_handover_targets(leaver),
            (
                "sfa.action",
                [("user_id", "=", leaver.id), ("state", "=", "planned")],
                self.env._("Planned Actions"),
            ),
        ]

    @api.model
    def _customer_of(self, model, records):
        if model == "sfa.action":
            return {action.id: action.partner_id.id for action in records}
        return super()._customer_of(model, records)
