from odoo import api, models
from odoo.fields import Domain


class SfaLeadTrailMixin(models.AbstractModel):
    """Visibility of the records that trace an opportunity's stages.

    Stage history and stage analysis keep the owner and territory a deal had
    at the time, so they follow sfa_base's rule as the deal stood then: a
    rep keeps reading the stays they worked on. On top of that, whoever may
    read the deal today reads its whole history: after a hand-over or a
    realignment the new owner (and the line above them) sees the stays
    recorded under the previous owner. Shares of the deal apply through
    ``_sfa_share_field``. (Pipeline snapshots do not use it: a rep's
    pipeline on a date is what they owned that day.)
    """

    _name = "sfa.lead.trail.mixin"
    _description = "SFA Opportunity Trail Visibility"
    _inherit = ["sfa.visibility.mixin"]
    _sfa_share_model = "crm.lead"
    _sfa_share_field = "lead_id"

    @api.model
    def _sfa_extra_access_domains(self, mode):
        domains = super()._sfa_extra_access_domains(mode)
        if mode != "read":
            return domains
        # The deal's current owner and territory, without its own shares (those
        # are matched above on the trail's lead_id) and without the lead's
        # record rules: 'any!' keeps it one sub-select on indexed columns.
        current = self.env["crm.lead"]._sfa_access_domain("read", shares=False)
        return [*domains, Domain("lead_id", "any!", current)]
