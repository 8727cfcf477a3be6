from odoo import api, fields, models

# Writing any of these may move an opportunity to another stage, directly or
# through Odoo's stage computation (team and type changes).
STAGE_TRIGGERS = {"stage_id", "active", "team_id", "type"}
HISTORY_FIELDS = [
    "stage_id",
    "active",
    "user_id",
    "team_id",
    "sfa_territory_id",
    "company_id",
    "expected_revenue",
    "probability",
]


class CrmLead(models.Model):
    _inherit = "crm.lead"

    sfa_stage_history_ids = fields.One2many(
        "sfa.stage.history", "lead_id", string="Stage History"
    )

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads.flush_recordset(HISTORY_FIELDS)
        self.env["sfa.stage.history"]._sfa_open_stays(leads.ids, fields.Datetime.now())
        return leads

    def write(self, vals):
        if not STAGE_TRIGGERS & set(vals):
            return super().write(vals)
        before = {lead.id: (lead.stage_id.id, lead.active) for lead in self}
        res = super().write(vals)
        self.flush_recordset(HISTORY_FIELDS)
        moved, lost, restored = [], [], []
        previous = {}
        for lead in self:
            old_stage, was_active = before[lead.id]
            if was_active and not lead.active:
                lost.append(lead.id)
            elif not was_active and lead.active:
                restored.append(lead.id)
            elif lead.active and lead.stage_id.id != old_stage:
                moved.append(lead.id)
                previous[lead.id] = old_stage
        History = self.env["sfa.stage.history"]
        now = fields.Datetime.now()
        History._sfa_close_stays(moved, now)
        History._sfa_open_stays(moved, now, previous)
        History._sfa_close_stays(lost, now, lost=True)
        History._sfa_open_stays(restored, now)
        return res
