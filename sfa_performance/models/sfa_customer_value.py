from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from odoo.addons.sfa_base.tools import done_notice

GRADES = [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")]
LEVELS = [
    ("strong", "Strong"),
    ("steady", "Steady"),
    ("weak", "Weak"),
    ("dormant", "Dormant"),
]
# Lowest overall score of grades A, B and C (D below), and lowest relationship
# score of each relationship level: the same quarters of 0-100.
GRADE_FLOORS = (75.0, 50.0, 25.0)
# Visit norm of a customer whose category sets none.
DEFAULT_NORM_DAYS = 30


class SfaCustomerValue(models.Model):
    """What a customer is worth to a company, recomputed every night.

    One row per customer (commercial partner) and company, over the
    company's value window (the last ``sfa_value_months`` months):

    * purchasing power: confirmed sales (untaxed, company currency) and orders;
    * credit standing: received, receivable and overdue on posted customer
      invoices and credit notes;
    * profit contribution: the margin of the confirmed orders (Odoo's
      ``sale_margin``: price minus cost) less the cost of the done actions;
    * relationship: done actions (contacts) against the category's visit
      norm, and days since the last contact.

    Each is scored 0-100, the four scores are weighted by the company's
    weights into an overall score, and the score gives a grade: A from 75,
    B from 50, C from 25, D below. The scores of purchasing power and profit
    are relative (the share of the company's paying customers at or below
    this one, ``CUME_DIST``), the other two absolute. Written by one SQL
    statement for every customer of the companies computed, never by hand.
    """

    _name = "sfa.customer.value"
    _description = "Customer Value"
    _sfa_system_records = True
    _inherit = ["sfa.visibility.mixin"]
    _order = "score desc, partner_id"
    _rec_name = "partner_id"
    _sfa_share_model = "res.partner"
    _sfa_share_field = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, ondelete="cascade", index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users", "Salesperson", related="partner_id.user_id", store=True, index=True
    )
    sfa_territory_id = fields.Many2one(
        "sfa.territory",
        "Territory",
        related="partner_id.sfa_territory_id",
        store=True,
        index=True,
    )
    sfa_category_id = fields.Many2one(
        "sfa.customer.category",
        "Customer Category",
        related="partner_id.sfa_category_id",
        store=True,
    )
    date_from = fields.Date("From", readonly=True)
    date_to = fields.Date("To", readonly=True)

    order_count = fields.Integer("Orders", readonly=True)
    sales_amount = fields.Monetary(
        "Purchases", readonly=True, help="Confirmed sales, untaxed, in the window."
    )
    invoiced_amount = fields.Monetary(
        "Invoiced", readonly=True, help="Posted invoices net of credit notes, untaxed."
    )
    received_amount = fields.Monetary(
        "Received",
        readonly=True,
        help="What was settled of the window's invoices, net of credit notes.",
    )
    receivable_amount = fields.Monetary(
        "Receivable", readonly=True, help="Still owed today on posted invoices."
    )
    overdue_amount = fields.Monetary(
        "Overdue",
        readonly=True,
        help="Still owed today on invoices past their due date.",
    )
    margin_amount = fields.Monetary(
        "Margin", readonly=True, help="Price minus cost of the confirmed sales."
    )
    action_cost = fields.Monetary(
        "Action Costs", readonly=True, help="Cost of the done actions in the window."
    )
    profit_amount = fields.Monetary(
        "Profit Contribution", readonly=True, help="Margin less action costs."
    )
    contact_count = fields.Integer(
        "Contacts",
        readonly=True,
        help="Exchanges with the customer in the window that count as contacts "
        "in the company: done actions and activities, e-mails, meetings held, "
        "confirmed orders.",
    )
    last_contact_date = fields.Date("Last Contact", readonly=True)
    purchase_score = fields.Float(
        "Purchasing Power", readonly=True, aggregator="avg", digits=(16, 1)
    )
    credit_score = fields.Float(
        "Credit Standing", readonly=True, aggregator="avg", digits=(16, 1)
    )
    profit_score = fields.Float(readonly=True, aggregator="avg", digits=(16, 1))
    relationship_score = fields.Float(readonly=True, aggregator="avg", digits=(16, 1))
    relationship_level = fields.Selection(LEVELS, readonly=True)
    score = fields.Float(
        "Overall Score", readonly=True, aggregator="avg", digits=(16, 1)
    )
    grade = fields.Selection(GRADES, readonly=True, index=True)

    _one_per_company = models.Constraint(
        "UNIQUE (partner_id, company_id)",
        "A customer has one value per company.",
    )

    # ------------------------------------------------------------------
    # Computation
    # ------------------------------------------------------------------

    @api.model
    def _cron_compute(self):
        self.sudo()._sfa_compute(self.env["res.company"].sudo().search([]))

    def action_sfa_recompute(self):
        """Compute the values of the user's companies now, without waiting for
        the night: for supervisors and above and sales administrators."""
        user = self.env.user
        if not (
            user.has_group("sfa_base.group_sfa_supervisor")
            or user.has_group("sales_team.group_sale_manager")
        ):
            raise AccessError(
                self.env._("Only supervisors and above recompute customer values.")
            )
        # sudo: the values cover every customer of the companies
        self.sudo()._sfa_compute(self.env.companies)
        grades = dict(
            self._read_group(
                [("company_id", "in", self.env.companies.ids)], ["grade"], ["__count"]
            )
        )
        labels = dict(self._fields["grade"]._description_selection(self.env))
        return done_notice(
            self.env._(
                "%(count)s customers you can see graded: %(grades)s.",
                count=sum(grades.values()),
                grades=", ".join(
                    f"{labels[grade]} {count}"
                    for grade, count in sorted(grades.items())
                )
                or "-",
            ),
            title=self.env._("Customer values recomputed"),
        )

    @api.model
    def _sfa_facts_sql(self, companies, today):
        """The facts of each company's value window, per customer (``win``
        holds each company's window and contact metrics), as SQL: orders,
        purchases, margin, invoiced, received, contacts (the company's
        channels) and action costs; and the balances of today: receivable
        (every open balance) and overdue (the positive balances due before
        today). One grouped scan of the facts, pending refreshes applied
        first."""
        Fact = self.env["sfa.fact"]
        figures = {
            "order_count": "orders",
            "sales": "sales_amount",
            "margin": "sales_margin",
            "invoiced": "invoiced_amount",
            "received": "paid_on_invoices",
            "cost": "action_cost",
        }
        contacts = {
            metric
            for company in companies
            for metric in Fact._sfa_contact_metrics(company)
        }
        metrics = set(figures.values()) | contacts | {"open_balance"}
        Fact.sudo()._sfa_sync(metrics)
        # each metric's measure: the amount, or the quantity of a count
        quantities = [m for m in metrics if Fact._sfa_source(m).measure != "amount"]
        value = SQL(
            "CASE WHEN f.metric IN %s THEN f.quantity ELSE f.amount END",
            tuple(quantities) or ("",),
        )
        in_window = SQL("f.date >= w.date_from AND f.date <= %s", today)
        return SQL(
            """
            SELECT f.company_id, f.partner_id, %(sums)s,
                   COALESCE(SUM(%(value)s) FILTER (
                       WHERE %(in_window)s AND f.metric = ANY(w.contacts)), 0)
                       AS contacts,
                   COALESCE(SUM(f.amount) FILTER (
                       WHERE f.metric = 'open_balance'), 0) AS receivable,
                   COALESCE(SUM(f.amount) FILTER (
                       WHERE f.metric = 'open_balance' AND f.date < %(today)s
                         AND f.amount > 0), 0) AS overdue
              FROM sfa_fact f
              JOIN win w ON w.company_id = f.company_id
             WHERE f.partner_id IS NOT NULL AND f.metric IN %(metrics)s
               AND (%(in_window)s OR f.metric = 'open_balance')
             GROUP BY 1, 2
            """,
            sums=SQL(", ").join(
                SQL(
                    "COALESCE(SUM(%s) FILTER (WHERE %s AND f.metric = %s), 0) AS %s",
                    value,
                    in_window,
                    metric,
                    SQL.identifier(name),
                )
                for name, metric in figures.items()
            ),
            value=value,
            in_window=in_window,
            today=today,
            metrics=tuple(metrics),
        )

    @api.model
    def _sfa_compute(self, companies, today=None):
        """Recompute every customer value of ``companies`` in one statement:
        new customers get a row, known ones are updated in place, and rows of
        partners that are no longer customers with any fact are removed."""
        if not companies:
            return
        today = today or fields.Date.context_today(self)
        Fact = self.env["sfa.fact"]
        windows = SQL(", ").join(
            SQL(
                "(%s, %s::date, %s::varchar[])",
                company.id,
                today - relativedelta(months=company.sfa_value_months or 12),
                Fact._sfa_contact_metrics(company),
            )
            for company in companies
        )
        facts = self._sfa_facts_sql(companies, today)
        # the customers' pending values (last contact...) before they are read
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """
            WITH win(company_id, date_from, contacts) AS (VALUES %(windows)s),
            fact AS MATERIALIZED (%(facts)s),
            orders AS (
                SELECT company_id, partner_id, order_count, sales, margin
                  FROM fact WHERE order_count != 0 OR sales != 0 OR margin != 0
            ),
            invoices AS (
                SELECT company_id, partner_id, received, receivable, overdue
                  FROM fact WHERE received != 0 OR receivable != 0 OR overdue != 0
            ),
            actions AS (
                SELECT company_id, partner_id, contacts, cost
                  FROM fact WHERE contacts != 0 OR cost != 0
            ),
            billed AS (
                SELECT company_id, partner_id, invoiced FROM fact WHERE invoiced != 0
            ),
            listed AS (
                SELECT COALESCE(p.company_id, u.company_id, %(main)s) AS company_id,
                       p.id AS partner_id
                  FROM res_partner p
                  LEFT JOIN res_users u ON u.id = p.user_id
                 WHERE p.active AND p.sfa_is_customer
                   AND (p.customer_rank > 0 OR p.sfa_category_id IS NOT NULL)
            ),
            base AS (
                SELECT company_id, partner_id FROM orders
                 UNION SELECT company_id, partner_id FROM invoices
                 UNION SELECT company_id, partner_id FROM billed
                 UNION SELECT company_id, partner_id FROM actions
                 UNION SELECT l.company_id, l.partner_id
                         FROM listed l JOIN win w ON w.company_id = l.company_id
            ),
            facts AS (
                SELECT b.company_id, b.partner_id, w.date_from,
                       COALESCE(o.order_count, 0) AS order_count,
                       COALESCE(o.sales, 0) AS sales,
                       COALESCE(o.margin, 0) AS margin,
                       COALESCE(bi.invoiced, 0) AS invoiced,
                       COALESCE(i.received, 0) AS received,
                       COALESCE(i.receivable, 0) AS receivable,
                       COALESCE(i.overdue, 0) AS overdue,
                       COALESCE(a.contacts, 0) AS contacts,
                       COALESCE(a.cost, 0) AS cost,
                       COALESCE(o.margin, 0) - COALESCE(a.cost, 0) AS profit,
                       p.sfa_last_contact_date AS last_contact,
                       %(today)s::date - p.sfa_last_contact_date AS idle_days,
                       COALESCE(NULLIF(cat.visit_frequency_days, 0), %(norm)s)
                           AS norm,
                       GREATEST(%(today)s::date - w.date_from, 1) AS window_days,
                       p.user_id, p.sfa_territory_id, p.sfa_category_id
                  FROM base b
                  JOIN win w ON w.company_id = b.company_id
                  JOIN res_partner p ON p.id = b.partner_id
                  LEFT JOIN sfa_customer_category cat ON cat.id = p.sfa_category_id
                  LEFT JOIN orders o
                         ON o.company_id = b.company_id AND o.partner_id = b.partner_id
                  LEFT JOIN invoices i
                         ON i.company_id = b.company_id AND i.partner_id = b.partner_id
                  LEFT JOIN billed bi
                         ON bi.company_id = b.company_id
                        AND bi.partner_id = b.partner_id
                  LEFT JOIN actions a
                         ON a.company_id = b.company_id AND a.partner_id = b.partner_id
            ),
            scored AS (
                SELECT f.*,
                       CASE WHEN f.sales > 0
                            THEN 100 * CUME_DIST() OVER (
                                PARTITION BY f.company_id, f.sales > 0
                                ORDER BY f.sales)
                            ELSE 0 END AS purchase_score,
                       CASE WHEN GREATEST(f.received, 0) + f.overdue > 0
                            THEN 100 * GREATEST(f.received, 0)
                                 / (GREATEST(f.received, 0) + f.overdue)
                            ELSE 100 END AS credit_score,
                       CASE WHEN f.profit > 0
                            THEN 100 * CUME_DIST() OVER (
                                PARTITION BY f.company_id, f.profit > 0
                                ORDER BY f.profit)
                            ELSE 0 END AS profit_score,
                       (LEAST(100.0, 100.0 * f.contacts * f.norm / f.window_days)
                        + CASE WHEN f.idle_days IS NULL THEN 0
                               ELSE LEAST(100.0, GREATEST(0.0,
                                   100.0 * (3 * f.norm - f.idle_days) / (2 * f.norm)))
                          END) / 2 AS relationship_score
                  FROM facts f
            ),
            total AS (
                SELECT s.*,
                       (s.purchase_score * c.sfa_value_weight_purchase
                        + s.credit_score * c.sfa_value_weight_credit
                        + s.profit_score * c.sfa_value_weight_profit
                        + s.relationship_score * c.sfa_value_weight_relationship
                       ) / 100 AS score
                  FROM scored s
                  JOIN res_company c ON c.id = s.company_id
            ),
            saved AS (
                INSERT INTO sfa_customer_value AS v (
                    partner_id, company_id, user_id, sfa_territory_id,
                    sfa_category_id, date_from, date_to, order_count,
                    sales_amount, invoiced_amount, received_amount,
                    receivable_amount, overdue_amount, margin_amount, action_cost,
                    profit_amount, contact_count, last_contact_date,
                    purchase_score, credit_score, profit_score,
                    relationship_score, relationship_level, score, grade,
                    create_uid, create_date, write_uid, write_date)
                SELECT t.partner_id, t.company_id, t.user_id, t.sfa_territory_id,
                       t.sfa_category_id, t.date_from, %(today)s, t.order_count,
                       ROUND(t.sales, 2), ROUND(t.invoiced, 2), ROUND(t.received, 2),
                       ROUND(t.receivable, 2), ROUND(t.overdue, 2),
                       ROUND(t.margin, 2), ROUND(t.cost, 2), ROUND(t.profit, 2),
                       t.contacts, t.last_contact,
                       ROUND(t.purchase_score::numeric, 2),
                       ROUND(t.credit_score::numeric, 2),
                       ROUND(t.profit_score::numeric, 2),
                       ROUND(t.relationship_score::numeric, 2),
                       CASE WHEN t.relationship_score >= %(a)s THEN 'strong'
                            WHEN t.relationship_score >= %(b)s THEN 'steady'
                            WHEN t.relationship_score >= %(c)s THEN 'weak'
                            ELSE 'dormant' END,
                       ROUND(t.score::numeric, 2),
                       CASE WHEN t.score >= %(a)s THEN 'a'
                            WHEN t.score >= %(b)s THEN 'b'
                            WHEN t.score >= %(c)s THEN 'c'
                            ELSE 'd' END,
                       %(uid)s, NOW() AT TIME ZONE 'UTC',
                       %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM total t
                ON CONFLICT (partner_id, company_id) DO UPDATE SET
                    user_id = EXCLUDED.user_id,
                    sfa_territory_id = EXCLUDED.sfa_territory_id,
                    sfa_category_id = EXCLUDED.sfa_category_id,
                    date_from = EXCLUDED.date_from,
                    date_to = EXCLUDED.date_to,
                    order_count = EXCLUDED.order_count,
                    sales_amount = EXCLUDED.sales_amount,
                    invoiced_amount = EXCLUDED.invoiced_amount,
                    received_amount = EXCLUDED.received_amount,
                    receivable_amount = EXCLUDED.receivable_amount,
                    overdue_amount = EXCLUDED.overdue_amount,
                    margin_amount = EXCLUDED.margin_amount,
                    action_cost = EXCLUDED.action_cost,
                    profit_amount = EXCLUDED.profit_amount,
                    contact_count = EXCLUDED.contact_count,
                    last_contact_date = EXCLUDED.last_contact_date,
                    purchase_score = EXCLUDED.purchase_score,
                    credit_score = EXCLUDED.credit_score,
                    profit_score = EXCLUDED.profit_score,
                    relationship_score = EXCLUDED.relationship_score,
                    relationship_level = EXCLUDED.relationship_level,
                    score = EXCLUDED.score,
                    grade = EXCLUDED.grade,
                    write_uid = EXCLUDED.write_uid,
                    write_date = EXCLUDED.write_date
                RETURNING v.id
            )
            DELETE FROM sfa_customer_value v
             WHERE v.company_id IN (SELECT company_id FROM win)
               AND v.id NOT IN (SELECT id FROM saved)
            """,
                windows=windows,
                today=today,
                facts=facts,
                main=companies[0].id,
                norm=DEFAULT_NORM_DAYS,
                a=GRADE_FLOORS[0],
                b=GRADE_FLOORS[1],
                c=GRADE_FLOORS[2],
                uid=self.env.uid,
            )
        )
        self.env.invalidate_all()
