from odoo import api, models
from odoo.tools import SQL

from odoo.addons.sfa_base.models.sfa_fact import FactSource
from odoo.addons.sfa_targets.models.sfa_fact import (
    ORDER_FIELDS,
    ORDER_LINE_COLUMNS,
    ORDER_LINES_SQL,
)

from .crm_lead import PENDING as CREDIT_PENDING

RATING_FIELDS = ("rating", "consumed", "rated_on", "rated_partner_id", "partner_id")


class SfaFact(models.Model):
    """Deal contribution credit, the margin of the confirmed sales and the
    customers' ratings as facts."""

    _inherit = "sfa.fact"

    @api.model
    def _sfa_fact_sources(self):
        _ = self.env._
        rating = {
            "res_id": "r.id",
            # when the customer rated, not when the record last changed
            "moment": "COALESCE(r.rated_on, r.write_date)",
            "company_id": "u.company_id",
            "user_id": "u.id",
            "partner_id": "p.commercial_partner_id",
        }
        ratings = SQL(
            """
              FROM rating_rating r
              JOIN LATERAL (
                  SELECT u.id, u.company_id FROM res_users u
                   WHERE u.partner_id = r.rated_partner_id AND NOT u.share
                   ORDER BY u.id LIMIT 1) u ON TRUE
              LEFT JOIN res_partner p ON p.id = r.partner_id
             WHERE r.consumed AND r.rating > 0
            """
        )
        return {
            **super()._sfa_fact_sources(),
            "deal_credit": FactSource(
                "deal_credit",
                _("Deal Contribution Credit"),
                "sfa.deal.credit",
                {
                    "res_id": "dc.id",
                    # on the day the deal was won, on the credited user's calendar
                    "moment": "dc.date",
                    "company_id": "dc.company_id",
                    "user_id": "dc.user_id",
                    "team_id": "dc.team_id",
                    "partner_id": "dc.partner_id",
                    "lead_id": "dc.lead_id",
                    "amount": "dc.amount",
                },
                SQL("FROM sfa_deal_credit dc"),
                sequence=70,
            ),
            "sales_margin": FactSource(
                "sales_margin",
                _("Sales Margin"),
                "sale.order.line",
                {**ORDER_LINE_COLUMNS, "amount_currency": "COALESCE(ol.margin, 0)"},
                ORDER_LINES_SQL,
                depends=("margin", "purchase_price", "price_subtotal", "product_id"),
                triggers=(("sale.order", ORDER_FIELDS, "res_id", "order_line"),),
                target=False,
                sequence=53,
            ),
            "ratings": FactSource(
                "ratings",
                _("Ratings Received"),
                "rating.rating",
                rating,
                ratings,
                unit="count",
                depends=RATING_FIELDS,
                target=False,
                sequence=80,
            ),
            "rating_points": FactSource(
                "rating_points",
                _("Rating Points"),
                "rating.rating",
                {**rating, "quantity": "r.rating"},
                ratings,
                unit="points",
                depends=RATING_FIELDS,
                target=False,
                sequence=81,
            ),
        }

    @api.model
    def _sfa_sync_round(self, metrics):
        # the credits of the deals won in this transaction first: they are
        # facts too (each round: a flush may win more deals)
        if self.env.cr.precommit.data.get(CREDIT_PENDING) and (
            metrics is None or "deal_credit" in metrics
        ):
            self.env["crm.lead"]._sfa_credit_pending()
        return super()._sfa_sync_round(metrics)
