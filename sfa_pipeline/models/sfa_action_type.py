from odoo import fields, models


class SfaActionType(models.Model):
    """Kind of customer interaction (call, visit, demo, ...).

    Each type rides on an Odoo activity type, so a planned action shows in the
    owner's activities with the usual icon; types with a time slot also book
    the owner's calendar.
    """

    _name = "sfa.action.type"
    _description = "Sales Action Type"
    _sfa_shared_configuration = True
    _order = "sequence, id"
    # at most a month, in hours, as an action's own duration
    _sfa_number_bounds = {"default_duration": (0, 31 * 24)}

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        required=True,
        ondelete="restrict",
        help="Odoo activity created in the owner's to-do list for each planned "
        "action of this type.",
    )
    icon = fields.Char(related="activity_type_id.icon")
    default_duration = fields.Float(
        default=0.5,
        help="Planned length of an action of this type, in hours.",
    )
    use_calendar = fields.Boolean(
        "Book in Calendar",
        help="Planned actions of this type take a time slot in the owner's "
        "calendar (visits, meetings, demos).",
    )
    outcome_required = fields.Boolean(
        help="An action of this type cannot be marked done without an outcome.",
    )
    is_visit = fields.Boolean(
        "Counts as a Visit",
        help="Done actions of this type count as customer visits.",
    )

    _default_duration_positive = models.Constraint(
        "CHECK (default_duration >= 0)",
        "The default duration of an action type cannot be negative.",
    )
