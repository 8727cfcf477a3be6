from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"
    _sfa_shared_configuration = True

    sfa_duplicate_block = fields.Boolean(
        "Block Duplicate Customers",
        help="Refuse to save a customer matching an existing one instead of warning.",
    )
    sfa_dormant_days = fields.Integer(
        "Dormant After (days)",
        default=365,
        help="A customer with no won deal or contact for this long becomes dormant.",
    )
    sfa_track_bulk_changes = fields.Boolean(
        "Note Bulk Changes on Each Record",
        help="A change the system makes to many customers or deals at once (a "
        "realignment, a category's key-account flag or visit norm, the "
        "contact channels) is summarized once, on the territory or the "
        "category. Check to also note it in the chatter of every record it "
        "changes, as Odoo notes a change made on the record itself.",
    )

    # Which exchanges with a customer count as a contact (last contact,
    # lifecycle, visits due, "not contacted" alerts): one per channel a fact
    # declares (sfa.fact's ``contact``).
    sfa_contact_activity = fields.Boolean(
        "Done Activities Count as Contacts",
        default=True,
        help="An activity marked done on the customer, a contact or a deal.",
    )
    sfa_contact_email = fields.Boolean(
        "E-mails Count as Contacts",
        default=True,
        help="An e-mail received from or sent to the customer, on the customer, "
        "one of its contacts or one of its deals.",
    )
    sfa_contact_meeting = fields.Boolean(
        "Meetings Count as Contacts",
        default=True,
        help="A meeting that took place with the customer or one of its contacts "
        "among the attendees.",
    )

    _sfa_dormant_days_positive = models.Constraint(
        "CHECK (sfa_dormant_days > 0)", "The dormancy period must be positive."
    )

    def write(self, vals):
        res = super().write(vals)
        if "sfa_dormant_days" in vals or any(
            name.startswith("sfa_contact_") for name in vals
        ):
            # other channels, another dormancy: every customer's last contact
            # and lifecycle may move, a change made in bulk (set-based, and
            # summarized in the log unless the company asks for each note)
            self.env["res.partner"].sudo().search(
                [
                    ("sfa_is_customer", "=", True),
                    ("company_id", "in", [*self.ids, False]),
                ]
            )._sfa_refresh_in_bulk()
        return res

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # a new company's own partner is not a customer: Odoo's cached ids
        # of the companies' partners, read while creating it, miss it
        self.env.registry.clear_cache()
        partners = companies.partner_id
        self.env.add_to_compute(partners._fields["sfa_is_customer"], partners)
        return companies

    def _sfa_company_today(self):
        """Today where the company is (its address's time zone, else UTC)."""
        self.ensure_one()
        return fields.Date.context_today(
            self.with_context(tz=self.sudo().partner_id.tz or "UTC")
        )
