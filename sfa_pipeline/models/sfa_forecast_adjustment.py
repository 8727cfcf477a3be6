from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError


class SfaForecastAdjustment(models.Model):
    """A manager's figure for a subordinate's forecast, with who and why.

    Adjustments are only ever added (the sales force has no write access),
    never edited, so the forecast keeps the whole conversation beside the
    rep's own figure; the latest one is the final forecast. Only someone
    above the rep in the reporting line, or a director, may adjust, and only
    while the period is open: a closed period's forecast is what accuracy is
    measured against.
    """

    _name = "sfa.forecast.adjustment"
    _description = "Forecast Adjustment"
    _order = "date desc, id desc"
    _sfa_number_bounds = {"amount": (0, None)}

    forecast_id = fields.Many2one(
        "sfa.forecast", required=True, ondelete="cascade", index=True
    )
    company_currency = fields.Many2one(related="forecast_id.company_currency")
    amount = fields.Monetary(currency_field="company_currency", required=True)
    reason = fields.Text(required=True)
    user_id = fields.Many2one(
        "res.users",
        "Adjusted By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)

    _amount_not_negative = models.Constraint(
        "CHECK (amount >= 0)", "A forecast adjustment cannot be negative."
    )

    @api.model_create_multi
    def create(self, vals_list):
        forecasts = self.env["sfa.forecast"].browse(
            {vals["forecast_id"] for vals in vals_list if vals.get("forecast_id")}
        )
        self._check_can_adjust(forecasts)
        for vals in vals_list:
            self._sfa_check_numbers(vals)
        if any((vals.get("amount") or 0) < 0 for vals in vals_list):
            # before the database refuses it, in words
            raise ValidationError(
                self.env._("A forecast adjustment cannot be negative.")
            )
        # Who adjusted and when are the system's (readonly fields, refused in
        # the values and in the context's defaults): the caller, now.
        return super().create(vals_list)

    @api.model
    def _check_can_adjust(self, forecasts):
        """Refuse before anything is written: closed periods, reps outside the
        caller's reporting line (their own figure is the rep forecast)."""
        closed = forecasts.filtered(lambda forecast: forecast._is_closed())
        if closed:
            raise UserError(
                self.env._(
                    "The forecast of %(rep)s for the period starting %(period)s "
                    "is closed: it can no longer be adjusted.",
                    rep=closed[0].user_id.name,
                    period=closed[0].period_start,
                )
            )
        user = self.env.user
        if self.env.su:
            return
        foreign = forecasts.filtered(lambda f: f.company_id not in self.env.companies)
        if foreign:
            raise AccessError(
                self.env._(
                    "The forecast of %s belongs to a company you do not work in.",
                    foreign[0].user_id.name,
                )
            )
        if user._sfa_is_director():
            return
        below = set(user._sfa_subordinates_map().get(user.id, []))
        outside = forecasts.filtered(lambda forecast: forecast.user_id.id not in below)
        if outside:
            raise AccessError(
                self.env._(
                    "Only the managers of %(rep)s or a director can adjust their "
                    "forecast.",
                    rep=outside[0].user_id.name,
                )
            )
