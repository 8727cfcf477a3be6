from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    sfa_stage_norm_block = fields.Boolean(
        "Block Unfinished Playbooks",
        help="Refuse to move an opportunity out of a stage before the actions "
        "its playbook requires are done, instead of noting what is missing.",
    )
    sfa_contact_action = fields.Boolean(
        "Done Actions Count as Contacts",
        default=True,
        help="A call, visit or meeting planned as an action and marked done.",
    )
    sfa_checkin_distance = fields.Float(
        "Check-in Distance (km)",
        default=1.0,
        help="A visit checked in farther than this from the customer's "
        "coordinates is flagged in the visit report. 0: no limit.",
    )
