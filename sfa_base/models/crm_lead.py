from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

LEAD_ADDRESS_FIELDS = {"country_id", "state_id", "zip"}


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "sfa.visibility.mixin"]
    _sfa_shareable = True
    # what a deal is worth is never negative: won revenue, targets and credit
    # add it up
    _sfa_number_bounds = {"expected_revenue": (0, None), "recurring_revenue": (0, None)}

    sfa_territory_id = fields.Many2one(
        "sfa.territory",
        string="Territory",
        index="btree_not_null",
        tracking=True,
        domain="[('company_id', 'in', "
        "[company_id] if company_id else allowed_company_ids)]",
    )
    sfa_category_id = fields.Many2one(
        related="partner_id.commercial_partner_id.sfa_category_id",
        string="Customer Category",
    )
    sfa_duplicate_warning = fields.Char(
        "Duplicate Warning", compute="_compute_sfa_duplicate_warning"
    )

    @api.depends("partner_id", "partner_name", "contact_name", "email_from", "phone")
    def _compute_sfa_duplicate_warning(self):
        Partner = self.env["res.partner"]
        for lead in self:
            if lead.partner_id:
                lead.sfa_duplicate_warning = False
                continue
            matches = Partner._sfa_find_duplicates(
                lead.partner_name or lead.contact_name, lead.email_from, lead.phone
            )
            lead.sfa_duplicate_warning = Partner._sfa_duplicate_message(matches)

    @api.constrains("expected_revenue", "recurring_revenue")
    def _check_sfa_revenue(self):
        """A deal is not worth less than nothing, whoever writes it (an
        import, a server action): won revenue, targets and credit add it up."""
        for lead in self:
            if lead.expected_revenue < 0 or lead.recurring_revenue < 0:
                raise ValidationError(
                    self.env._(
                        "The revenue of %(lead)s cannot be negative (%(value)s).",
                        lead=lead.name,
                        value=min(lead.expected_revenue, lead.recurring_revenue),
                    )
                )

    @api.constrains("sfa_territory_id", "company_id")
    def _check_sfa_territory_company(self):
        self._sfa_check_territory_company()

    @api.constrains("partner_id", "partner_name", "phone", "company_id")
    def _check_sfa_duplicate_block(self):
        """With the company's block on, a new lead may not be a known customer
        under another name: it must be linked to that customer."""
        Partner = self.env["res.partner"]
        for lead in self:
            company = lead.company_id or self.env.company
            if (
                lead.partner_id
                or not lead.partner_name
                or not company.sfa_duplicate_block
            ):
                continue
            matches = Partner._sfa_find_duplicates(lead.partner_name, None, lead.phone)
            if matches:
                raise ValidationError(Partner._sfa_duplicate_message(matches))

    @api.model_create_multi
    def create(self, vals_list):
        # linking a customer copies its email, phone and address onto the
        # deal: sfa_base's value guard (models/base.py) lets a user link only
        # customers they may read; Odoo's own create compares the probability
        # before the guard would see it: the numbers are checked first
        if not self.env.su:
            for vals in vals_list:
                self._sfa_check_numbers(vals)
        leads = super().create(vals_list)
        leads.filtered(lambda lead: not lead.sfa_territory_id)._sfa_assign_territories()
        return leads

    def write(self, vals):
        if not self.env.su:
            self._sfa_check_numbers(vals)
        self._sfa_check_owner_change(vals)
        res = super().write(vals)
        if "sfa_territory_id" not in vals and (
            "partner_id" in vals or LEAD_ADDRESS_FIELDS & set(vals)
        ):
            self.filtered(
                lambda lead: lead.won_status == "pending"
            )._sfa_assign_territories()
        return res

    def _sfa_assign_territories(self):
        """Give leads the territory of their customer, else the best rule match."""
        if not self:
            return
        by_territory = {}
        without_customer = self.browse()
        for lead in self:
            territory = lead.partner_id.commercial_partner_id.sfa_territory_id
            if territory and territory.company_id in (
                lead.company_id or territory.company_id
            ):
                by_territory.setdefault(territory.id, []).append(lead.id)
            else:
                without_customer |= lead
        Rule = self.env["sfa.territory.rule"]
        for company, leads in without_customer.grouped("company_id").items():
            best = Rule._best_territories(
                "crm.lead",
                [("id", "in", leads.ids)],
                company=company or self.env.company,
            )
            for lead in leads:
                if lead.id in best:
                    by_territory.setdefault(best[lead.id][0], []).append(lead.id)
        for territory_id, ids in by_territory.items():
            # sudo: territory assignment follows company rules, whoever triggered it
            self.sudo().browse(ids).filtered(
                lambda lead, t=territory_id: lead.sfa_territory_id.id != t
            ).write({"sfa_territory_id": territory_id})

    @api.model
    def _sfa_follow_customer_territory(self, partner_ids):
        """Open deals move with their customer; closed ones keep their history."""
        leads = self.sudo().search(
            Domain("partner_id.commercial_partner_id", "in", partner_ids)
            & Domain("won_status", "=", "pending")
        )
        leads._sfa_assign_territories()
