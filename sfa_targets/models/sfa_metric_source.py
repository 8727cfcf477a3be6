from odoo import api, models
from odoo.tools import SQL


class SfaMetricSource(models.AbstractModel):
    """Won revenue, won deals, new customers, confirmed sales and invoiced
    amounts: the facts behind targets (and scorecards)."""

    _inherit = "sfa.metric.source"

    @api.model
    def _sfa_metrics(self):
        _ = self.env._
        return [
            *super()._sfa_metrics(),
            ("won_revenue", _("Won Revenue"), False),
            ("won_deals", _("Won Deals"), True),
            ("new_customers", _("New Customers"), True),
            ("sales_amount", _("Confirmed Sales"), False),
            ("invoiced_amount", _("Invoiced Amount"), False),
        ]

    @api.model
    def _sfa_won_deals_sql(self, value):
        return SQL(
            """
            SELECT l.company_id, l.user_id, l.team_id,
                   COALESCE(p.commercial_partner_id, l.partner_id),
                   (l.date_closed AT TIME ZONE 'UTC')::date, %s
              FROM crm_lead l
              LEFT JOIN res_partner p ON p.id = l.partner_id
             WHERE l.type = 'opportunity' AND l.won_status = 'won'
               AND l.date_closed IS NOT NULL
            """,
            value,
        )

    @api.model
    def _sfa_facts_won_revenue(self):
        return self._sfa_won_deals_sql(SQL("COALESCE(l.expected_revenue, 0)"))

    @api.model
    def _sfa_facts_won_deals(self):
        return self._sfa_won_deals_sql(SQL("1"))

    @api.model
    def _sfa_facts_sales_amount(self):
        # sale.order.currency_rate: order currency per company currency
        return SQL(
            """
                SELECT o.company_id, o.user_id, o.team_id, p.commercial_partner_id,
                       (o.date_order AT TIME ZONE 'UTC')::date,
                       o.amount_untaxed / COALESCE(NULLIF(o.currency_rate, 0), 1)
                  FROM sale_order o
                  JOIN res_partner p ON p.id = o.partner_id
                 WHERE o.state = 'sale'
                """
        )

    @api.model
    def _sfa_facts_invoiced_amount(self):
        # amount_untaxed_signed: company currency, refunds negative
        return SQL(
            """
                SELECT m.company_id, m.invoice_user_id, m.team_id,
                       m.commercial_partner_id, m.invoice_date,
                       m.amount_untaxed_signed
                  FROM account_move m
                 WHERE m.move_type IN ('out_invoice', 'out_refund')
                   AND m.state = 'posted' AND m.invoice_date IS NOT NULL
                """
        )

    @api.model
    def _sfa_facts_new_customers(self):
        """A customer is new on its first won deal or first confirmed order
        (whichever came first), credited to whoever won it."""
        return SQL(
            """
                SELECT DISTINCT ON (firsts.partner_id)
                       firsts.company_id, firsts.user_id, firsts.team_id,
                       firsts.partner_id, firsts.date, 1
                  FROM (
                      SELECT l.company_id, l.user_id, l.team_id,
                             COALESCE(p.commercial_partner_id, l.partner_id)
                                 AS partner_id,
                             (l.date_closed AT TIME ZONE 'UTC')::date AS date
                        FROM crm_lead l
                        JOIN res_partner p ON p.id = l.partner_id
                       WHERE l.type = 'opportunity' AND l.won_status = 'won'
                         AND l.date_closed IS NOT NULL
                      UNION ALL
                      SELECT o.company_id, o.user_id, o.team_id,
                             p.commercial_partner_id,
                             (o.date_order AT TIME ZONE 'UTC')::date
                        FROM sale_order o
                        JOIN res_partner p ON p.id = o.partner_id
                       WHERE o.state = 'sale'
                  ) firsts
                 ORDER BY firsts.partner_id, firsts.date
                """
        )
