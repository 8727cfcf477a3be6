from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import record_ids


class SfaShareWizard(models.TransientModel):
    _name = "sfa.share.wizard"
    _description = "Share with Colleagues"

    res_model = fields.Char("Model", required=True)
    res_ids = fields.Json("Records", required=True)
    record_count = fields.Integer(compute="_compute_record_count")
    user_ids = fields.Many2many(
        "res.users",
        string="Colleagues",
        required=True,
        domain=lambda self: self.env["sfa.share"]._sfa_colleague_domain(),
    )
    access = fields.Selection(
        [("read", "Read"), ("edit", "Edit")], required=True, default="read"
    )
    date_expiry = fields.Date("Until", help="Last day of access; empty means no end.")
    note = fields.Char()

    @api.depends("res_ids")
    def _compute_record_count(self):
        for wizard in self:
            wizard.record_count = len(wizard.res_ids or [])

    def _sfa_record_ids(self):
        return record_ids(self.env, self.res_ids)

    @api.model
    def _action_open(self, records):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Share"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_res_model": records._name,
                "default_res_ids": records.ids,
            },
        }

    def action_share(self):
        self.ensure_one()
        if self.date_expiry and self.date_expiry < self._sfa_today():
            raise UserError(self.env._("A share cannot expire in the past."))
        Model = self.env["sfa.share"]._sfa_shareable_model(self.res_model)
        records = Model.browse(self._sfa_record_ids()).exists()
        records.check_access("write")
        self.env["sfa.share"]._sfa_check_colleague(self.user_ids, records)
        Share = self.env["sfa.share"]
        # sudo: a new share replaces any earlier one, whoever granted it
        existing = Share.sudo().search(
            [
                ("res_model", "=", self.res_model),
                ("res_id", "in", records.ids),
                ("user_id", "in", self.user_ids.ids),
            ]
        )
        existing.active = False
        existing.flush_recordset(["active"])
        Share.create(
            [
                {
                    "res_model": self.res_model,
                    "res_id": record.id,
                    "user_id": user.id,
                    "access": self.access,
                    "date_expiry": self.date_expiry,
                    "note": self.note,
                }
                for record in records
                for user in self.user_ids
            ]
        )
        return {"type": "ir.actions.act_window_close"}
