from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

from odoo.addons.sfa_base.models.res_users import SFA_ROLES


class SfaScorecardTemplate(models.Model):
    """The KPIs a role is judged on, each with its weight (they add up to
    100 %), its default target and the cap of its score."""

    _name = "sfa.scorecard.template"
    _description = "Scorecard Template"
    _sfa_shared_configuration = True
    _order = "company_id, role, name"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    role = fields.Selection(
        SFA_ROLES,
        required=True,
        default="rep",
        help="Scorecards of the users of this sales role use this template.",
    )
    line_ids = fields.One2many(
        "sfa.scorecard.template.line", "template_id", "KPIs", copy=True
    )
    total_weight = fields.Float(compute="_compute_total_weight")

    _one_per_role = models.UniqueIndex(
        "(company_id, role) WHERE active",
        "A company has one active scorecard template per role.",
    )

    @api.depends("line_ids.weight")
    def _compute_total_weight(self):
        for template in self:
            template.total_weight = sum(template.line_ids.mapped("weight"))

    @api.constrains("line_ids")
    def _check_weights(self):
        for template in self:
            total = sum(template.line_ids.mapped("weight"))
            if float_compare(total, 100.0, precision_digits=2) != 0:
                raise ValidationError(
                    self.env._(
                        "The weights of %(template)s add up to %(total)s %%, "
                        "not 100 %%.",
                        template=template.name,
                        total=round(total, 2),
                    )
                )


class SfaScorecardTemplateLine(models.Model):
    _name = "sfa.scorecard.template.line"
    _description = "Scorecard Template KPI"
    _sfa_shared_configuration = True
    _order = "template_id, sequence, id"

    template_id = fields.Many2one(
        "sfa.scorecard.template", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    kpi_id = fields.Many2one("sfa.kpi", "KPI", required=True, ondelete="restrict")
    weight = fields.Float("Weight (%)", required=True)
    target = fields.Float(
        required=True,
        default=100.0,
        help="What a score of 100 takes. For won revenue, new customers, "
        "visits and deal credit, the salesperson's own target of the period "
        "in a target plan replaces it when there is one.",
    )
    cap = fields.Float(
        "Score Cap",
        default=150.0,
        help="The highest score this KPI can give, however far above target.",
    )

    _kpi_once = models.UniqueIndex(
        "(template_id, kpi_id)", "A KPI appears once in a template."
    )

    @api.constrains("weight", "target", "cap")
    def _check_values(self):
        for line in self:
            if not 0 < line.weight <= 100:
                raise ValidationError(
                    self.env._(
                        "The weight of %s must lie between 0 and 100 %%.",
                        line.kpi_id.name,
                    )
                )
            if line.target <= 0 or line.cap <= 0:
                raise ValidationError(
                    self.env._(
                        "The target and the cap of %s must be above zero.",
                        line.kpi_id.name,
                    )
                )

    @api.constrains("weight", "template_id")
    def _check_template_weights(self):
        # lines changed on their own: their template still adds up
        self.template_id._check_weights()
