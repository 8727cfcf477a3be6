from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """A done activity on a customer or a deal counts as a contact."""
        partners = self.env["res.partner"]
        for res_model, activities in self.grouped("res_model").items():
            if res_model not in ("res.partner", "crm.lead"):
                continue
            # sudo: only the customer's last-contact date is updated
            records = (
                self.env[res_model].sudo().browse(activities.mapped("res_id")).exists()
            )
            partners |= records if res_model == "res.partner" else records.partner_id
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if partners:
            partners._sfa_register_contact(fields.Date.context_today(self))
        return result
