from odoo import api, fields, models

from .sfa_customer_value import GRADES


class ResPartner(models.Model):
    _inherit = "res.partner"

    sfa_value_ids = fields.One2many(
        "sfa.customer.value", "partner_id", string="Customer Values"
    )
    sfa_value_grade = fields.Selection(
        GRADES,
        "Customer Grade",
        compute="_compute_sfa_value_grade",
        help="Grade of the customer's value for the current company, as of the "
        "last computation.",
    )

    @api.depends_context("company", "uid")
    @api.depends("sfa_value_ids.grade")
    def _compute_sfa_value_grade(self):
        values = self.env["sfa.customer.value"].search_fetch(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
            ],
            ["partner_id", "grade"],
        )
        grades = {value.partner_id: value.grade for value in values}
        for partner in self:
            partner.sfa_value_grade = grades.get(partner.commercial_partner_id, False)

    @api.readonly
    def action_sfa_customer_value(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sfa_performance.action_sfa_customer_value"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        value = self.env["sfa.customer.value"].search(
            action["domain"] + [("company_id", "=", self.env.company.id)], limit=1
        )
        if value:
            action.update(views=[(False, "form")], res_id=value.id)
        return action
