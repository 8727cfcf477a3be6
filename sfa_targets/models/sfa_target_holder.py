from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SfaTargetHolder(models.Model):
    """Who held a salesperson's target before its current salesperson.

    When a running target changes hands (a hand-over, a reassignment), the
    days already worked stay the previous salesperson's: the actual counts
    their results until the day before the change and the new salesperson's
    from then on. Without this, a year handed over in June would only count
    what the successor won after June.
    """

    _name = "sfa.target.holder"
    _description = "Earlier Holder of a Target"
    _sfa_system_records = True
    _order = "line_id, date_from"

    line_id = fields.Many2one(
        "sfa.target.line", "Target", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="line_id.company_id", store=True)
    user_id = fields.Many2one("res.users", "Salesperson", required=True)
    date_from = fields.Date("From", required=True)
    date_to = fields.Date("To", required=True)

    _dates_ordered = models.Constraint(
        "CHECK (date_to >= date_from)", "A holding cannot end before it starts."
    )

    @api.constrains("date_from", "date_to", "line_id")
    def _check_within_line(self):
        for holder in self:
            line = holder.line_id
            if holder.date_from < line.date_from or holder.date_to > line.date_to:
                raise ValidationError(
                    self.env._(
                        "%(user)s held %(line)s outside its dates.",
                        user=holder.user_id.name,
                        line=line.name,
                    )
                )
