from odoo import api, models
from odoo.tools import SQL

from odoo.addons.sfa_base.models.sfa_fact import FactSource
from odoo.addons.sfa_targets.models.sfa_fact import (
    ORDER_LINE_COLUMNS,
    ORDER_LINE_TRIGGERS,
    ORDER_LINES_SQL,
    confirmed_order_lines,
    posted_moves,
)

from .crm_lead import PENDING as CREDIT_PENDING

RATING_FIELDS = ("rating", "consumed", "rated_on", "rated_partner_id", "partner_id")
# The fields of a customer invoice whose change moves its balance facts (the
# residual changes at flush when a payment is reconciled with it).
BALANCE_FIELDS = (
    "state",
    "move_type",
    "invoice_date",
    "invoice_date_due",
    "invoice_user_id",
    "team_id",
    "partner_id",
    "commercial_partner_id",
    "company_id",
    "amount_total_signed",
    "amount_residual_signed",
)


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
        invoice = {
            "res_id": "m.id",
            "company_id": "m.company_id",
            "user_id": "m.invoice_user_id",
            "team_id": "m.team_id",
            "partner_id": "m.commercial_partner_id",
        }
        invoices = SQL(
            """
              FROM account_move m
             WHERE m.move_type IN ('out_invoice', 'out_refund')
               AND m.state = 'posted' AND m.invoice_date IS NOT NULL
               AND m.commercial_partner_id IS NOT NULL
            """
        )
        return {
            **super()._sfa_fact_sources(),
            # what the customer still owes on an invoice (a credit note's
            # balance counts against it), in the company's currency as the
            # ledger holds it, on the day it falls due: the receivable of a
            # day is the sum of every open balance, the overdue one the
            # positive balances due before that day
            "open_balance": FactSource(
                "open_balance",
                _("Open Invoice Balance"),
                "account.move",
                {
                    **invoice,
                    "day": "COALESCE(m.invoice_date_due, m.invoice_date)",
                    "amount": "m.amount_residual_signed",
                },
                SQL("%s AND m.amount_residual_signed != 0", invoices),
                depends=BALANCE_FIELDS,
                target=False,
                sequence=54,
                created_if=posted_moves,
            ),
            # what the customer paid of an invoice (or was refunded of a
            # credit note), on the invoice's day
            "paid_on_invoices": FactSource(
                "paid_on_invoices",
                _("Paid on Invoices"),
                "account.move",
                {
                    **invoice,
                    "day": "m.invoice_date",
                    "amount": "m.amount_total_signed - m.amount_residual_signed",
                },
                SQL(
                    "%s AND m.amount_total_signed != m.amount_residual_signed",
                    invoices,
                ),
                depends=BALANCE_FIELDS,
                target=False,
                sequence=55,
                created_if=posted_moves,
            ),
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
                # the credit of everyone who advanced the deal: a rep's win
                # credits those who came before him
                owned_by_system=True,
                sequence=70,
            ),
            "sales_margin": FactSource(
                "sales_margin",
                _("Sales Margin"),
                "sale.order.line",
                {**ORDER_LINE_COLUMNS, "amount_currency": "COALESCE(ol.margin, 0)"},
                ORDER_LINES_SQL,
                depends=("margin", "purchase_price", "price_subtotal", "product_id"),
                triggers=ORDER_LINE_TRIGGERS,
                target=False,
                sequence=53,
                created_if=confirmed_order_lines,
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
