from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    sfa_contact_order = fields.Boolean(
        "Confirmed Orders Count as Contacts",
        default=True,
        help="A sales order of the customer confirmed.",
    )
