from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.sfa_base.models.sfa_fact import (
    WON_DEAL_FIELDS,
    FactSource,
    won_leads,
)

ORDER_FIELDS = (
    "state",
    "date_order",
    "user_id",
    "team_id",
    "partner_id",
    "company_id",
    "currency_id",
    "amount_untaxed",
)
ORDER_LINE_FIELDS = (
    "price_subtotal",
    "product_id",
    "product_uom_qty",
    "display_type",
    "order_id",
)
INVOICE_FIELDS = (
    "state",
    "move_type",
    "invoice_date",
    "invoice_user_id",
    "team_id",
    "partner_id",
    "commercial_partner_id",
    "company_id",
    "currency_id",
)
INVOICE_LINE_FIELDS = (
    "amount_currency",
    "balance",
    "quantity",
    "product_id",
    "display_type",
    "currency_id",
    "move_id",
)
LEAD_FIELDS = WON_DEAL_FIELDS


# Which documents just created may give facts at once (FactSource's
# created_if): an order created confirmed, an invoice created posted (an
# import); a draft gives none until it is confirmed or posted.
def confirmed_orders(orders):
    return orders.filtered(lambda order: order.state == "sale")


def confirmed_order_lines(lines):
    return lines.filtered(lambda line: line.order_id.state == "sale")


def posted_moves(moves):
    return moves.filtered(lambda move: move.state == "posted")


def posted_move_lines(lines):
    return lines.filtered(lambda line: line.parent_state == "posted")


# An order's change moves the facts of its lines (once it is confirmed).
ORDER_LINE_TRIGGERS = (
    ("sale.order", ORDER_FIELDS, "res_id", "order_line", confirmed_orders),
)


# The columns of a fact of a confirmed order, and of one of its lines.
ORDER_COLUMNS = {
    "company_id": "o.company_id",
    "moment": "o.date_order",
    "user_id": "o.user_id",
    "team_id": "o.team_id",
    "partner_id": "p.commercial_partner_id",
    "currency_id": "o.currency_id",
    "lead_id": "o.opportunity_id",
}
ORDER_LINE_COLUMNS = {
    **ORDER_COLUMNS,
    "res_id": "ol.id",
    "product_id": "ol.product_id",
    "quantity": "ol.product_uom_qty",
}
ORDER_LINES_SQL = SQL(
    """
      FROM sale_order_line ol
      JOIN sale_order o ON o.id = ol.order_id
      JOIN res_partner p ON p.id = o.partner_id
     WHERE o.state = 'sale' AND ol.display_type IS NULL
    """
)


class SfaFact(models.Model):
    """Confirmed orders, their lines, invoice lines and new customers as
    facts."""

    _inherit = "sfa.fact"

    product_id = fields.Many2one("product.product", index="btree_not_null")
    product_categ_id = fields.Many2one("product.category", "Product Category")

    @api.model
    def _sfa_layer_columns(self):
        """The product of a fact, and its category."""
        return {
            **super()._sfa_layer_columns(),
            "product_id": SQL("src.product_id"),
            "product_categ_id": SQL("pt.categ_id"),
        }

    @api.model
    def _sfa_rebuild_with_products(self):
        """At install (and upgrade): the facts of every metric whose documents
        have a product, those of the modules installed before this one too:
        their rows were written without a product column."""
        self._sfa_rebuild(
            [
                metric
                for metric, source in self._sfa_sources().items()
                if "product_id" in source.columns
            ]
        )

    @api.model
    def _sfa_layer_joins(self):
        return SQL(
            """%s
              LEFT JOIN product_product pp ON pp.id = src.product_id
              LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id""",
            super()._sfa_layer_joins(),
        )

    @api.model
    def _sfa_fact_sources(self):
        _ = self.env._
        orders = SQL(
            """
              FROM sale_order o
              JOIN res_partner p ON p.id = o.partner_id
             WHERE o.state = 'sale'
            """
        )
        invoice_lines = SQL(
            """
              FROM account_move_line l
              JOIN account_move m ON m.id = l.move_id
             WHERE m.move_type IN ('out_invoice', 'out_refund')
               AND m.state = 'posted' AND m.invoice_date IS NOT NULL
               AND l.display_type = 'product'
            """
        )
        return {
            **super()._sfa_fact_sources(),
            "orders": FactSource(
                "orders",
                _("Confirmed Orders"),
                "sale.order",
                {
                    **ORDER_COLUMNS,
                    "res_id": "o.id",
                    "amount_currency": "o.amount_untaxed",
                },
                orders,
                unit="count",
                depends=ORDER_FIELDS,
                contact="order",
                purchase=True,
                sequence=50,
                created_if=confirmed_orders,
            ),
            "sales_amount": FactSource(
                "sales_amount",
                _("Confirmed Sales"),
                "sale.order.line",
                {**ORDER_LINE_COLUMNS, "amount_currency": "ol.price_subtotal"},
                ORDER_LINES_SQL,
                depends=ORDER_LINE_FIELDS,
                triggers=ORDER_LINE_TRIGGERS,
                purchase=True,
                sequence=51,
                created_if=confirmed_order_lines,
            ),
            "invoiced_amount": FactSource(
                "invoiced_amount",
                _("Invoiced Amount"),
                "account.move.line",
                {
                    "res_id": "l.id",
                    "day": "m.invoice_date",
                    "company_id": "m.company_id",
                    "user_id": "m.invoice_user_id",
                    "team_id": "m.team_id",
                    "partner_id": "m.commercial_partner_id",
                    "product_id": "l.product_id",
                    # credit notes count against the invoices
                    "quantity": "CASE WHEN m.move_type = 'out_refund'"
                    " THEN -l.quantity ELSE l.quantity END",
                    "currency_id": "l.currency_id",
                    "amount_currency": "-l.amount_currency",
                },
                invoice_lines,
                depends=INVOICE_LINE_FIELDS,
                triggers=(
                    (
                        "account.move",
                        INVOICE_FIELDS,
                        "res_id",
                        "line_ids",
                        posted_moves,
                    ),
                ),
                sequence=52,
                created_if=posted_move_lines,
            ),
            "new_customers": FactSource(
                "new_customers",
                _("New Customers"),
                "res.partner",
                {
                    "res_id": "firsts.partner_id",
                    "moment": "firsts.moment",
                    "company_id": "firsts.company_id",
                    "user_id": "firsts.user_id",
                    "team_id": "firsts.team_id",
                    "partner_id": "firsts.partner_id",
                    "lead_id": "firsts.lead_id",
                },
                self._sfa_new_customers_sql(),
                unit="count",
                depends=("parent_id",),
                triggers=(
                    (
                        "crm.lead",
                        LEAD_FIELDS,
                        "partner_id",
                        "partner_id.commercial_partner_id",
                        won_leads,
                    ),
                    (
                        "sale.order",
                        ORDER_FIELDS,
                        "partner_id",
                        "partner_id.commercial_partner_id",
                        confirmed_orders,
                    ),
                ),
                sequence=35,
                # a partner just created has bought nothing yet: its first
                # deal won or order confirmed marks it
                created_if=lambda partners: partners.browse(),
            ),
        }

    @api.model
    def _sfa_new_customers_sql(self):
        """A customer is new to a company on its first won deal or first
        confirmed order there (whichever came first), credited to whoever won
        it. On the same moment, the deal comes before the order, then the
        older record: the credit never depends on the database's whim."""
        return SQL(
            """
              FROM (
                  SELECT DISTINCT ON (company_id, partner_id) *
                    FROM (
                        SELECT COALESCE(l.company_id, tm.company_id, u.company_id)
                                   AS company_id,
                               -- a plain column: the refresh of a few customers
                               -- reaches their deals through the indexes
                               p.commercial_partner_id AS partner_id,
                               l.user_id, l.team_id, l.date_closed AS moment,
                               0 AS kind, l.id AS res_id, l.id AS lead_id
                          FROM crm_lead l
                          JOIN res_partner p ON p.id = l.partner_id
                          LEFT JOIN crm_team tm ON tm.id = l.team_id
                          LEFT JOIN res_users u ON u.id = l.user_id
                         WHERE l.type = 'opportunity' AND l.won_status = 'won'
                           AND l.date_closed IS NOT NULL
                           AND l.partner_id IS NOT NULL
                        UNION ALL
                        SELECT o.company_id, p.commercial_partner_id, o.user_id,
                               o.team_id, o.date_order, 1, o.id, o.opportunity_id
                          FROM sale_order o
                          JOIN res_partner p ON p.id = o.partner_id
                         WHERE o.state = 'sale'
                    ) candidates
                   ORDER BY company_id, partner_id, moment, kind, res_id
              ) firsts
            """
        )
