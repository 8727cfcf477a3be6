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
        """Won opportunities on the day they were won, for the deal's company
        — or, for a deal without one, its team's, then its salesperson's."""
        return SQL(
            """
            SELECT %(company)s, l.user_id, l.team_id,
                   COALESCE(p.commercial_partner_id, l.partner_id),
                   %(date)s, %(value)s
            %(joins)s
            """,
            company=self._sfa_lead_company_sql(),
            date=self._sfa_won_date_sql(),
            value=value,
            joins=self._sfa_won_deals_from_sql(),
        )

    @api.model
    def _sfa_lead_company_sql(self):
        return SQL("COALESCE(l.company_id, tm.company_id, u.company_id)")

    @api.model
    def _sfa_won_date_sql(self):
        return self._sfa_local_date_sql(
            SQL("l.date_closed"), SQL("up.tz"), SQL("cp.tz")
        )

    @api.model
    def _sfa_won_deals_from_sql(self):
        return SQL(
            """
              FROM crm_lead l
              LEFT JOIN res_partner p ON p.id = l.partner_id
              LEFT JOIN crm_team tm ON tm.id = l.team_id
              LEFT JOIN res_users u ON u.id = l.user_id
              LEFT JOIN res_partner up ON up.id = u.partner_id
              LEFT JOIN res_company c
                     ON c.id = COALESCE(l.company_id, tm.company_id, u.company_id)
              LEFT JOIN res_partner cp ON cp.id = c.partner_id
             WHERE l.type = 'opportunity' AND l.won_status = 'won'
               AND l.date_closed IS NOT NULL
            """
        )

    @api.model
    def _sfa_facts_won_revenue(self):
        return self._sfa_won_deals_sql(SQL("COALESCE(l.expected_revenue, 0)"))

    @api.model
    def _sfa_facts_won_deals(self):
        return self._sfa_won_deals_sql(SQL("1"))

    @api.model
    def _sfa_order_date_sql(self):
        return self._sfa_local_date_sql(SQL("o.date_order"), SQL("up.tz"), SQL("cp.tz"))

    @api.model
    def _sfa_orders_from_sql(self):
        return SQL(
            """
              FROM sale_order o
              JOIN res_partner p ON p.id = o.partner_id
              LEFT JOIN res_users u ON u.id = o.user_id
              LEFT JOIN res_partner up ON up.id = u.partner_id
              JOIN res_company c ON c.id = o.company_id
              LEFT JOIN res_partner cp ON cp.id = c.partner_id
             WHERE o.state = 'sale'
            """
        )

    @api.model
    def _sfa_facts_sales_amount(self):
        # sale.order.currency_rate: order currency per company currency
        return SQL(
            """
            SELECT o.company_id, o.user_id, o.team_id, p.commercial_partner_id,
                   %s, o.amount_untaxed / COALESCE(NULLIF(o.currency_rate, 0), 1)
            %s
            """,
            self._sfa_order_date_sql(),
            self._sfa_orders_from_sql(),
        )

    @api.model
    def _sfa_facts_invoiced_amount(self):
        # amount_untaxed_signed: company currency, refunds negative;
        # invoice_date is already a calendar day
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
        """A customer is new to a company on its first won deal or first
        confirmed order there (whichever came first), credited to whoever
        won it. On the same day, the deal comes before the order, then the
        older record: the credit never depends on the database's whim."""
        return SQL(
            """
            SELECT DISTINCT ON (firsts.company_id, firsts.partner_id)
                   firsts.company_id, firsts.user_id, firsts.team_id,
                   firsts.partner_id, firsts.date, 1
              FROM (
                  SELECT %(lead_company)s AS company_id, l.user_id, l.team_id,
                         COALESCE(p.commercial_partner_id, l.partner_id)
                             AS partner_id,
                         %(won_date)s AS date, 0 AS kind, l.id AS res_id
                  %(won_from)s
                     AND l.partner_id IS NOT NULL
                  UNION ALL
                  SELECT o.company_id, o.user_id, o.team_id,
                         p.commercial_partner_id, %(order_date)s, 1, o.id
                  %(order_from)s
              ) firsts
             ORDER BY firsts.company_id, firsts.partner_id, firsts.date,
                      firsts.kind, firsts.res_id
            """,
            lead_company=self._sfa_lead_company_sql(),
            won_date=self._sfa_won_date_sql(),
            won_from=self._sfa_won_deals_from_sql(),
            order_date=self._sfa_order_date_sql(),
            order_from=self._sfa_orders_from_sql(),
        )
