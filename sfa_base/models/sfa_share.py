from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date

from .sfa_cache import SHARE_CACHE


class SfaShare(models.Model):
    """A record shared with a colleague, read-only or editable, maybe until a date.

    Shares are read by the visibility rule of every model inheriting
    ``sfa.visibility.mixin``; an expired share grants nothing from the day
    after its expiry date.
    """

    _name = "sfa.share"
    _description = "SFA Share"
    _order = "id desc"

    res_model = fields.Char("Model", required=True, index=True)
    res_id = fields.Many2oneReference(
        "Record", model_field="res_model", required=True, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        "Shared With",
        required=True,
        index=True,
        ondelete="cascade",
        domain=lambda self: self._sfa_colleague_domain(),
    )
    access = fields.Selection(
        [("read", "Read"), ("edit", "Edit")], required=True, default="read"
    )
    date_expiry = fields.Date("Expires On", help="Last day the share grants access.")
    granted_by_id = fields.Many2one(
        "res.users",
        required=True,
        default=lambda self: self.env.user,
        ondelete="cascade",
    )
    note = fields.Char()
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    active = fields.Boolean(default=True)
    is_expired = fields.Boolean(compute="_compute_is_expired")
    record_name = fields.Char("Shared Record", compute="_compute_record_name")

    _record_user_uniq = models.UniqueIndex(
        "(res_model, res_id, user_id) WHERE active",
        "This record is already shared with this user.",
    )

    @api.depends("date_expiry")
    def _compute_is_expired(self):
        today = self._sfa_today()
        for share in self:
            share.is_expired = bool(share.date_expiry and share.date_expiry < today)

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for share in self:
            # sudo: only the display name of the shared record is shown
            record = self.env[share.res_model].sudo().browse(share.res_id).exists()
            share.record_name = record.display_name if record else False

    @api.model
    def _sfa_shared_res_ids(self, res_model, user_id, mode="read"):
        """Ids of ``res_model`` records shared with ``user_id``, not expired."""
        self.flush_model()
        return list(
            self._sfa_shared_res_ids_on(
                res_model,
                user_id,
                mode,
                self._sfa_today(),
                self.env["sfa.cache"]._sfa_generation(SHARE_CACHE),
            )
        )

    @api.model
    @tools.ormcache("res_model", "user_id", "mode", "today", "generation")
    def _sfa_shared_res_ids_on(self, res_model, user_id, mode, today, generation):
        """Cached per day; every change of a share starts a new generation."""
        access = ("read", "edit") if mode == "read" else ("edit",)
        return tuple(
            [
                res_id
                for (res_id,) in self.env.execute_query(
                    SQL(
                        """SELECT res_id FROM sfa_share
                        WHERE res_model = %s AND user_id = %s AND active
                          AND access IN %s
                          AND (date_expiry IS NULL OR date_expiry >= %s)""",
                        res_model,
                        user_id,
                        access,
                        today,
                    )
                )
            ]
        )

    @api.model
    def _sfa_shareable_model(self, res_model):
        """The model of records one may share or delegate, or a clear error."""
        Model = self.env.get(res_model) if isinstance(res_model, str) else None
        if Model is None or not getattr(Model, "_sfa_shareable", False):
            raise UserError(
                self.env._(
                    "Only customers and opportunities are shared or delegated, not %s.",
                    Model._description if Model is not None else repr(res_model),
                )
            )
        return Model

    @api.model
    def _sfa_colleague_domain(self):
        """Whom the forms propose: internal users with sales rights (what
        ``_sfa_check_colleague`` then checks whatever the client sends)."""
        return [
            ("share", "=", False),
            ("all_group_ids", "in", self.env.ref("sales_team.group_sale_salesman").ids),
        ]

    @api.model
    def _sfa_check_colleague(self, users, records):
        """Records are shared and delegated with colleagues only: active
        internal users with sales rights in the records' companies. A portal
        user would get a deal and its customer's data."""
        companies = (
            records.company_id
            if "company_id" in records._fields
            else self.env["res.company"]
        )
        for user in users:
            if not user._sfa_is_sales_colleague(companies, self.env.user):
                raise UserError(
                    self.env._(
                        "%s is not a colleague of the sales force of these "
                        "records' company: share and delegate with them only.",
                        user.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._sfa_shareable_model(vals.get("res_model"))
        # before the change: the check below caches the new shares under a
        # generation that is gone with the transaction if it is refused
        self.env["sfa.cache"]._sfa_invalidate(SHARE_CACHE)
        shares = super().create(vals_list)
        shares._check_granter_access()
        shares._post_share_notes()
        return shares

    def _post_share_notes(self):
        """Say in the record's chatter who was given access, however the share
        was made (wizard, import or RPC)."""
        access_label = dict(self._fields["access"]._description_selection(self.env))
        groups = defaultdict(lambda: self.browse())
        for share in self:
            key = (
                share.res_model,
                share.res_id,
                share.access,
                share.date_expiry,
                share.note,
            )
            groups[key] |= share
        for (res_model, res_id, access, expiry, note), shares in groups.items():
            record = self.env[res_model].browse(res_id)
            if not hasattr(record, "message_post"):
                continue
            users = ", ".join(shares.user_id.mapped("name"))
            if expiry:
                text = self.env._(
                    "Shared with %(users)s (%(access)s) until %(date)s.",
                    users=users,
                    access=access_label[access],
                    date=format_date(self.env, expiry),
                )
            else:
                text = self.env._(
                    "Shared with %(users)s (%(access)s).",
                    users=users,
                    access=access_label[access],
                )
            body = Markup("%s") % text
            if note:
                body += Markup("<br/>") + note
            record.message_post(body=body, subtype_xmlid="mail.mt_note")

    def unlink(self):
        self.env["sfa.cache"]._sfa_invalidate(SHARE_CACHE)
        return super().unlink()

    def _check_granter_access(self):
        """Only someone who may edit a record, and not merely through a share,
        may share it (re-sharing would outlive the share's expiry)."""
        today = self._sfa_today()
        for share in self:
            if not self.env.su and share.granted_by_id != self.env.user:
                raise UserError(
                    self.env._("A share is always granted in your own name.")
                )
            if share.user_id == share.granted_by_id:
                raise UserError(self.env._("You cannot share a record with yourself."))
            if not self.env.su and share.date_expiry and share.date_expiry < today:
                raise UserError(self.env._("A share cannot expire in the past."))
            record = self.env[share.res_model].browse(share.res_id).exists()
            if not record:
                raise UserError(
                    self.env._("There is no %s to share.", record._description)
                )
            if not self.env.su:
                self._sfa_check_colleague(share.user_id, record)
            as_granter = record.with_user(share.granted_by_id)
            as_granter.check_access("write")
            if (
                not self.env.su
                and "sfa_editable" in record._fields
                and not as_granter._sfa_is_own_line()
            ):
                raise AccessError(
                    self.env._(
                        "%s is shared with you: only its owner or their managers "
                        "can share it further.",
                        record.display_name,
                    )
                )

    def write(self, vals):
        if not self.env.su and {
            "res_model",
            "res_id",
            "user_id",
            "granted_by_id",
        } & set(vals):
            raise UserError(
                self.env._("Revoke the share and grant a new one instead of moving it.")
            )
        granted = {"active", "access", "date_expiry"} & set(vals)
        if granted:
            self.env["sfa.cache"]._sfa_invalidate(SHARE_CACHE)
        res = super().write(vals)
        if granted:
            # reviving, upgrading or extending a share is granting it again
            self.filtered("active")._check_granter_access()
        return res

    @api.model
    def _cron_archive_expired(self):
        expired = self.search([("date_expiry", "<", fields.Date.context_today(self))])
        expired.active = False
