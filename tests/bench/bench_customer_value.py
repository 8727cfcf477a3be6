"""Customer values of 50,000 customers over a year of orders, invoices and actions.

50,000 customers of 500 reps, with 200,000 confirmed sales orders (two
lines each, with a margin), 150,000 posted invoices (two lines each; part
paid, part overdue) and 300,000 done actions with a cost, all in the last
twelve months. The facts are rebuilt from those documents as the nightly job
does; the values' purchases, margin, invoiced, received, receivable and
overdue must add up to the documents' lines and balances. One call computes every
customer's value: facts, four scores, overall score and grade, in one SQL
statement; a second call updates the same rows in place.

The baseline is one hand-written grouped query of the window's sales per
customer, the single figure a report would compute, in the same session.

Volumes can be lowered with SFA_BENCH_CUSTOMERS (orders, invoices and
actions follow: 4, 3 and 6 per customer).
"""

# The figures of a benchmark are its output (pytest runs with -s).
# pylint: disable=print-used

import os
import time
from datetime import date

from _benchdata import bench_env, create_users, pick

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

CUSTOMERS = int(os.environ.get("SFA_BENCH_CUSTOMERS", 50_000))
ORDERS, INVOICES, ACTIONS = CUSTOMERS * 4, CUSTOMERS * 3, CUSTOMERS * 6
REPS = 500
TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install", "-standard", "sfa_bench")
class BenchCustomerValue(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = bench_env(cls.env)
        company = env.company
        reps = create_users(env, "sfa_base.group_sfa_rep", REPS, "CV rep", "cv_rep").ids
        category = env["sfa.customer.category"].create(
            {"name": "CV category", "visit_frequency_days": 30}
        )
        env.cr.execute(
            SQL(
                """
                INSERT INTO res_partner
                       (name, complete_name, is_company, active, type, user_id,
                        sfa_is_customer, customer_rank, sfa_category_id,
                        sfa_last_contact_date, autopost_bills,
                        create_date, write_date, create_uid, write_uid)
                SELECT 'CV customer ' || n, 'CV customer ' || n, true, true,
                       'contact', %(rep)s, true, 1, %(category)s,
                       %(today)s::date - (n %% 120), 'ask', now(), now(), 1, 1
                  FROM generate_series(1, %(count)s) n;
                UPDATE res_partner SET commercial_partner_id = id
                 WHERE name LIKE 'CV customer %%';
                ANALYZE res_partner;
                """,
                rep=pick(reps, SQL("n")),
                category=category.id,
                today=TODAY,
                count=CUSTOMERS,
            )
        )
        env.cr.execute("SELECT id FROM res_partner WHERE name LIKE 'CV customer %'")
        customers = [row[0] for row in env.cr.fetchall()]
        journal = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        )
        env.cr.execute(
            SQL(
                """
                INSERT INTO sale_order
                       (name, company_id, partner_id, partner_invoice_id,
                        partner_shipping_id, user_id, date_order, state,
                        currency_id, currency_rate, amount_untaxed, amount_tax,
                        amount_total, margin, create_date, write_date,
                        create_uid, write_uid)
                SELECT 'CV' || n, %(company)s, c, c, c, %(rep)s,
                       %(today)s::timestamp - (n %% 360) * interval '1 day',
                       'sale', %(currency)s, 1, (n %% 100 + 1) * 100, 0,
                       (n %% 100 + 1) * 100, (n %% 100 + 1) * 100 * (n %% 7) / 10,
                       now(), now(), 1, 1
                  FROM generate_series(1, %(count)s) n,
                       LATERAL (SELECT %(customer)s AS c) x;
                ANALYZE sale_order;
                """,
                company=company.id,
                rep=pick(reps, SQL("n")),
                today=TODAY,
                currency=company.currency_id.id,
                customer=pick(customers, SQL("n * 7")),
                count=ORDERS,
            )
        )
        env.cr.execute(
            SQL(
                """
                INSERT INTO account_move
                       (name, journal_id, company_id, currency_id, partner_id,
                        commercial_partner_id, move_type, state, auto_post,
                        date, invoice_date, invoice_date_due,
                        amount_untaxed_signed, amount_total_signed,
                        amount_residual_signed, amount_untaxed, amount_total,
                        amount_residual, create_date, write_date, create_uid,
                        write_uid)
                SELECT 'CVINV/' || n, %(journal)s, %(company)s, %(currency)s,
                       c, c, 'out_invoice', 'posted', 'no', d, d, d + 30,
                       a, a, r, a, a, r, now(), now(), 1, 1
                  FROM generate_series(1, %(count)s) n,
                       LATERAL (SELECT %(customer)s AS c,
                                       %(today)s::date - (n %% 360) AS d,
                                       (n %% 100 + 1) * 100 AS a) x,
                       LATERAL (SELECT CASE WHEN n %% 5 = 0 THEN x.a
                                            WHEN n %% 5 = 1 THEN x.a / 2
                                            ELSE 0 END AS r) y;
                ANALYZE account_move;
                """,
                journal=journal.id,
                company=company.id,
                currency=company.currency_id.id,
                customer=pick(customers, SQL("n * 11")),
                today=TODAY,
                count=INVOICES,
            )
        )
        # two lines per order and per invoice, on two products: the facts of
        # purchases, margin and invoices are read from the lines
        products = env["product.product"].create(
            [{"name": f"CV product {i}", "standard_price": 10} for i in (1, 2)]
        )
        env.flush_all()
        env.cr.execute(
            SQL(
                """
                INSERT INTO sale_order_line
                       (order_id, name, sequence, product_id, product_uom_qty,
                        price_unit, price_subtotal, price_tax, price_total,
                        purchase_price, margin, margin_percent, customer_lead,
                        company_id, currency_id, order_partner_id, salesman_id,
                        create_date, write_date, create_uid, write_uid)
                SELECT o.id, 'CV line', p.seq, p.id, 2, o.amount_untaxed / 4,
                       o.amount_untaxed / 2, 0, o.amount_untaxed / 2,
                       (o.amount_untaxed - o.margin) / 4, o.margin / 2,
                       o.margin / NULLIF(o.amount_untaxed, 0), 0, o.company_id,
                       o.currency_id, o.partner_id, o.user_id, now(), now(), 1, 1
                  FROM sale_order o,
                       unnest(%(products)s::int[], ARRAY[1, 2]) AS p(id, seq)
                 WHERE o.name LIKE 'CV%%';
                INSERT INTO account_move_line
                       (move_id, name, sequence, display_type, product_id,
                        quantity, price_unit, price_subtotal, price_total,
                        currency_id, company_currency_id, amount_currency,
                        balance, debit, credit, company_id, journal_id,
                        account_id, partner_id, date, parent_state,
                        create_date, write_date, create_uid, write_uid)
                SELECT m.id, 'CV line', p.seq, 'product', p.id, 3,
                       m.amount_untaxed / 6, m.amount_untaxed / 2,
                       m.amount_untaxed / 2, m.currency_id, m.currency_id,
                       -m.amount_untaxed / 2, -m.amount_untaxed / 2, 0,
                       m.amount_untaxed / 2, m.company_id, m.journal_id,
                       j.default_account_id, m.partner_id, m.date, 'posted',
                       now(), now(), 1, 1
                  FROM account_move m
                  JOIN account_journal j ON j.id = m.journal_id,
                       unnest(%(products)s::int[], ARRAY[1, 2]) AS p(id, seq)
                 WHERE m.name LIKE 'CVINV/%%';
                ANALYZE sale_order_line, account_move_line;
                """,
                products=products.ids,
            )
        )
        visit = env.ref("sfa_pipeline.sfa_action_type_visit")
        env.cr.execute(
            SQL(
                """
                INSERT INTO sfa_action
                       (name, action_type_id, user_id, partner_id, company_id,
                        start, stop, duration, state, date_done, is_visit, cost,
                        create_date, write_date, create_uid, write_uid)
                SELECT 'CV action ' || n, %(type)s, %(rep)s, %(customer)s,
                       %(company)s, s, s + interval '1 hour', 1, 'done', s,
                       true, n %% 50, now(), now(), 1, 1
                  FROM generate_series(1, %(count)s) n,
                       LATERAL (SELECT %(today)s::timestamp
                                       - (n %% 360) * interval '1 day' AS s) d;
                ANALYZE sfa_action;
                """,
                type=visit.id,
                rep=pick(reps, SQL("n")),
                customer=pick(customers, SQL("n * 13")),
                company=company.id,
                today=TODAY,
                count=ACTIONS,
            )
        )
        env.invalidate_all()
        # inserted in SQL: the facts are built as the nightly rebuild does
        # with the statistics autovacuum keeps on a live database: without
        # them the planner takes thousands of customers for five
        env.flush_all()
        env.cr.execute("ANALYZE res_partner, res_users, sfa_territory_history")
        start = time.perf_counter()
        env["sfa.fact"]._sfa_rebuild()
        cls.rebuild = time.perf_counter() - start
        env.cr.execute("SELECT count(*) FROM sfa_fact")
        cls.fact_count = env.cr.fetchone()[0]
        env.cr.execute(
            "SELECT metric, SUM(amount) FROM sfa_fact GROUP BY metric ORDER BY 1"
        )
        cls.fact_sums = dict(env.cr.fetchall())

    def test_customer_value(self):
        env = self.env
        Value = env["sfa.customer.value"]
        before = env.cr.sql_log_count
        start = time.perf_counter()
        Value._sfa_compute(env.company, today=TODAY)
        first = time.perf_counter() - start
        queries = env.cr.sql_log_count - before
        env.cr.execute("SELECT min(id), max(id), count(*) FROM sfa_customer_value")
        ids_before = env.cr.fetchone()
        start = time.perf_counter()
        Value._sfa_compute(env.company, today=TODAY)
        second = time.perf_counter() - start
        env.cr.execute("SELECT min(id), max(id), count(*) FROM sfa_customer_value")
        ids_after = env.cr.fetchone()

        start = time.perf_counter()
        env.cr.execute(
            SQL(
                """
                SELECT o.partner_id, SUM(o.amount_untaxed) FROM sale_order o
                 WHERE o.state = 'sale' AND o.date_order >= %s
                 GROUP BY 1
                """,
                date(2025, 6, 30),
            )
        )
        env.cr.fetchall()
        baseline = time.perf_counter() - start

        env.cr.execute(
            "SELECT grade, count(*) FROM sfa_customer_value GROUP BY 1 ORDER BY 1"
        )
        grades = dict(env.cr.fetchall())
        print(
            f"\nbench_customer_value: {ids_after[2]} customer values over "
            f"{ORDERS} orders, {INVOICES} invoices and {ACTIONS} actions; "
            f"grades {grades}"
        )
        print(f"{'what':<44}{'time':>9}{'ratio':>8}")
        for label, elapsed in (
            ("compute every customer value", first),
            ("again (rows updated in place)", second),
        ):
            print(f"{label:<44}{elapsed:>8.2f}s{elapsed / baseline:>8.1f}")
        print(
            f"{'baseline: sales per customer, one GROUP BY':<44}{baseline:>8.2f}s"
            f"{1:>8.1f}"
        )
        print(f"queries: {queries}")
        print(
            f"facts rebuilt from the documents: {self.fact_count} in "
            f"{self.rebuild:.2f} s (nightly, before the values)"
        )
        # the values add up to the documents of the window (their lines)
        env.cr.execute(
            SQL(
                """
                SELECT SUM(sales_amount), SUM(margin_amount), SUM(invoiced_amount),
                       SUM(received_amount), SUM(receivable_amount),
                       SUM(overdue_amount)
                  FROM sfa_customer_value
                """
            )
        )
        values = env.cr.fetchone()
        env.cr.execute(
            SQL(
                """
                SELECT (SELECT SUM(ol.price_subtotal) FROM sale_order_line ol
                          JOIN sale_order o ON o.id = ol.order_id
                         WHERE o.date_order >= %(start)s),
                       (SELECT SUM(ol.margin) FROM sale_order_line ol
                          JOIN sale_order o ON o.id = ol.order_id
                         WHERE o.date_order >= %(start)s),
                       (SELECT SUM(-l.amount_currency) FROM account_move_line l
                          JOIN account_move m ON m.id = l.move_id
                         WHERE m.invoice_date >= %(start)s
                           AND l.display_type = 'product'),
                       (SELECT SUM(amount_total_signed - amount_residual_signed)
                          FROM account_move WHERE invoice_date >= %(start)s),
                       (SELECT SUM(amount_residual_signed) FROM account_move),
                       (SELECT SUM(amount_residual_signed) FROM account_move
                         WHERE invoice_date_due < %(today)s
                           AND amount_residual_signed > 0)
                """,
                start=date(2025, 6, 30),
                today=TODAY,
            )
        )
        documents = env.cr.fetchone()
        print(
            "facts (sum): "
            + ", ".join(
                f"{metric} {self.fact_sums.get(metric, 0):,.0f}"
                for metric in (
                    "sales_amount",
                    "sales_margin",
                    "invoiced_amount",
                    "paid_on_invoices",
                    "open_balance",
                )
            )
        )
        labels = ("sales", "margin", "invoiced", "received", "receivable", "overdue")
        for label, value, document in zip(labels, values, documents, strict=True):
            self.assertTrue(value, f"{label}: the values carry it")
            self.assertAlmostEqual(
                float(value), float(document), delta=1, msg=f"{label}"
            )
        self.assertLess(first, 10, "target: < 10 s for 50,000 customers")
        self.assertGreaterEqual(ids_after[2], CUSTOMERS)
        self.assertEqual(ids_before, ids_after, "the second run keeps the rows")
        self.assertEqual(set(grades) - {"a", "b", "c", "d"}, set())
