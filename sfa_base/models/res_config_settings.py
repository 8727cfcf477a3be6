from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..tools import done_notice


class SfaCompanySettings(models.AbstractModel):
    """The company's sales force settings, as related fields on
    ``company_id``: Odoo's Settings show them to administrators and Sales
    Force Settings to directors. Each module adds its own here."""

    _name = "sfa.company.settings"
    _description = "Sales Force Company Settings"

    company_id = fields.Many2one("res.company")

    sfa_duplicate_block = fields.Boolean(
        related="company_id.sfa_duplicate_block", readonly=False
    )
    sfa_dormant_days = fields.Integer(
        related="company_id.sfa_dormant_days", readonly=False
    )
    sfa_contact_activity = fields.Boolean(
        related="company_id.sfa_contact_activity", readonly=False
    )
    sfa_contact_email = fields.Boolean(
        related="company_id.sfa_contact_email", readonly=False
    )
    sfa_contact_meeting = fields.Boolean(
        related="company_id.sfa_contact_meeting", readonly=False
    )
    sfa_track_bulk_changes = fields.Boolean(
        related="company_id.sfa_track_bulk_changes", readonly=False
    )


class ResConfigSettings(models.TransientModel):
    _name = "res.config.settings"
    _inherit = ["res.config.settings", "sfa.company.settings"]


class SfaSettings(models.TransientModel):
    """The sales force settings of the company, for its sales director (who
    is not an administrator of the database): the values are written on the
    company after checking who writes them, whatever the client sends."""

    _name = "sfa.settings"
    _inherit = ["sfa.company.settings"]
    _description = "Sales Force Settings"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda s: s.env.company
    )

    def _sfa_settings_fields(self):
        return {
            name
            for name, field in self._fields.items()
            if field.related and field.related.startswith("company_id.")
        }

    def _sfa_pop_settings(self, vals):
        return {
            name: vals.pop(name) for name in self._sfa_settings_fields() & set(vals)
        }

    @api.model_create_multi
    def create(self, vals_list):
        values = [self._sfa_pop_settings(vals) for vals in vals_list]
        records = super().create(vals_list)
        for record, settings in zip(records, values, strict=True):
            record._sfa_save(settings)
        return records

    def write(self, vals):
        settings = self._sfa_pop_settings(vals)
        res = super().write(vals)
        for record in self:
            record._sfa_save(settings)
        return res

    def _sfa_save(self, settings):
        if not settings:
            return
        user = self.env.user
        if not (user._sfa_is_director() or self.env.is_admin()):
            raise AccessError(
                self.env._("Only the sales director changes the sales force settings.")
            )
        if self.company_id not in user.company_ids:
            raise AccessError(
                self.env._("You change the settings of your own companies only.")
            )
        # sudo: a director is no administrator of the company record; they
        # write its sales force settings only (checked above)
        self.company_id.sudo().write(settings)

    def action_save(self):
        return done_notice(
            self.env._("Sales force settings saved."),
            then={"type": "ir.actions.act_window_close"},
        )
