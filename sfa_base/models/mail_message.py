from odoo import api, fields, models

# Set on the cursor while Odoo's mail gateway processes an e-mail: True for
# the system (the mail server's job) or an administrator (the mailgate
# script), else the id of the user who called it. Out of any client's reach,
# unlike the context.
INBOUND = "sfa.inbound"


class MailMessage(models.Model):
    _inherit = "mail.message"
    # the mark is guarded here; the rest of a message is Odoo's to check
    _sfa_guard_values = False

    sfa_inbound = fields.Boolean(
        "Received by the Mail Gateway",
        readonly=True,
        copy=False,
        help="The e-mail came in through Odoo's mail gateway: only such an e-mail "
        "counts as written by the customer.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._sfa_refuse_system_values(vals)
        inbound = self.env.cr.cache.get(INBOUND)
        if inbound is True:
            vals_list = [
                dict(vals, sfa_inbound=True)
                if vals.get("message_type") == "email"
                else vals
                for vals in vals_list
            ]
            # the system marks it (the field is the system's, not the client's)
            return super(MailMessage, self.sudo()).create(vals_list).with_env(self.env)
        if inbound:
            # the gateway posts as the system: what a user hands it is the
            # user's message, whoever it says wrote it
            creator = self.with_user(inbound).sudo()
            return super(MailMessage, creator).create(vals_list).with_env(self.env)
        return super().create(vals_list)

    def write(self, vals):
        self._sfa_refuse_system_values(vals)
        return super().write(vals)


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_process(
        self,
        model,
        message,
        custom_values=None,
        save_original=False,
        strip_attachments=False,
        thread_id=None,
    ):
        """An e-mail the gateway receives for the system or an administrator
        is marked as received (``sfa_inbound``); the messages the same call
        by anyone else makes (any user may call it over RPC) are theirs, and
        count as an e-mail of the customer's for nobody."""
        cache = self.env.cr.cache
        before = cache.get(INBOUND)
        # True: the gateway; a user id: that user handed the e-mail in
        cache[INBOUND] = self.env.su or self.env.user._is_system() or self.env.uid
        try:
            return super().message_process(
                model,
                message,
                custom_values=custom_values,
                save_original=save_original,
                strip_attachments=strip_attachments,
                thread_id=thread_id,
            )
        finally:
            cache[INBOUND] = before
