from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import record_ids


class SfaDelegateWizard(models.TransientModel):
    """Reassign a customer or deal with a note and a follow-up for the new owner."""

    _name = "sfa.delegate.wizard"
    _description = "Delegate to a Colleague"

    res_model = fields.Char("Model", required=True)
    res_ids = fields.Json("Records", required=True)
    user_id = fields.Many2one(
        "res.users",
        "New Owner",
        required=True,
        domain=lambda self: self.env["sfa.share"]._sfa_colleague_domain(),
    )
    note = fields.Text(required=True)
    date_deadline = fields.Date(
        "Follow up by", required=True, default=fields.Date.context_today
    )

    def _sfa_record_ids(self):
        return record_ids(self.env, self.res_ids)

    @api.model
    def _action_open(self, records):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Delegate"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_res_model": records._name,
                "default_res_ids": records.ids,
            },
        }

    def action_delegate(self):
        self.ensure_one()
        if not self.user_id.active:
            raise UserError(self.env._("You cannot delegate to an archived user."))
        Model = self.env["sfa.share"]._sfa_shareable_model(self.res_model)
        records = Model.browse(self._sfa_record_ids()).exists()
        records.check_access("write")
        self.env["sfa.share"]._sfa_check_colleague(self.user_id, records)
        owner_field = records._sfa_owner_field
        previous = records.mapped(owner_field)
        if previous == self.user_id:
            raise UserError(
                self.env._("%s already owns these records.", self.user_id.name)
            )
        body = Markup("%s<br/>%s") % (
            self.env._(
                "Delegated to %(user)s by %(by)s.",
                user=self.user_id.name,
                by=self.env.user.name,
            ),
            self.note,
        )
        for record in records:
            record.message_post(body=body, subtype_xmlid="mail.mt_note")
            # sudo: the new owner's follow-up is created on their behalf
            record.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=self.date_deadline,
                summary=self.env._("Delegated by %s", self.env.user.name),
                note=self.note,
                user_id=self.user_id.id,
            )
        # Last: the delegating rep may lose access to the records.
        records.write({owner_field: self.user_id.id})
        return {"type": "ir.actions.act_window_close"}
