from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.sfa_base.tests.common import SfaCase


@tagged("post_install", "-at_install")
class TestLeadLine(SfaCase):
    """Products on opportunities: amounts, revenue following the lines,
    input checks and who may see and edit the lines."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.router = Product.create({"name": "Router", "list_price": 100.0})
        cls.switch = Product.create({"name": "Switch", "list_price": 50.0})
        cls.Line = cls.env["sfa.lead.line"]

    def add_line(self, lead, product, **vals):
        return self.Line.create({"lead_id": lead.id, "product_id": product.id, **vals})

    # ------------------------------------------------------------------
    # Amounts and defaults
    # ------------------------------------------------------------------

    def test_defaults_come_from_the_product(self):
        line = self.add_line(self.lead_a, self.router)
        self.assertEqual(line.name, "Router")
        self.assertEqual(line.quantity, 1.0)
        self.assertEqual(line.price_unit, 100.0)
        self.assertEqual(line.amount, 100.0)
        self.assertEqual(line.currency_id, self.company.currency_id)
        self.assertEqual(line.company_id, self.company)
        self.assertEqual(line.product_uom_id, self.router.uom_id)

    def test_unit_speaks_of_the_line(self):
        """The unit is the product's, its help is the line's own: nothing
        about stock operations on an opportunity."""
        stock_help = self.env["product.product"]._fields["uom_id"].help
        field = self.env["ir.model.fields"]._get("sfa.lead.line", "product_uom_id")
        self.assertEqual(field.field_description, "Unit")
        self.assertTrue(field.help)
        self.assertNotEqual(field.help, stock_help)
        self.assertNotIn("stock", field.help.lower())
        shown = self.Line.fields_get(["product_uom_id"], ["string", "help"])
        self.assertEqual(shown["product_uom_id"]["help"], field.help)

    def test_amount_is_quantity_price_and_discount(self):
        line = self.add_line(
            self.lead_a, self.router, quantity=3, price_unit=200, discount=10
        )
        self.assertEqual(line.amount, 540.0)
        line.discount = 0
        self.assertEqual(line.amount, 600.0)

    def test_form_fills_the_list_price(self):
        with Form(self.lead_a) as lead_form:
            with lead_form.sfa_line_ids.new() as line:
                line.product_id = self.switch
                self.assertEqual(line.price_unit, 50.0)
                line.quantity = 4
        self.assertEqual(self.lead_a.sfa_line_ids.amount, 200.0)

    # ------------------------------------------------------------------
    # Expected revenue following the lines
    # ------------------------------------------------------------------

    def test_revenue_does_not_follow_lines_by_default(self):
        self.add_line(self.lead_a, self.router, quantity=5)
        self.assertFalse(self.lead_a.sfa_revenue_from_lines)
        self.assertEqual(self.lead_a.expected_revenue, 1000.0)

    def test_revenue_follows_lines_once_switched_on(self):
        router = self.add_line(self.lead_a, self.router, quantity=2)  # 200
        self.add_line(self.lead_a, self.switch, quantity=3, discount=20)  # 120
        self.assertEqual(self.lead_a.expected_revenue, 1000.0, "flag still off")

        self.lead_a.sfa_revenue_from_lines = True
        self.assertEqual(self.lead_a.expected_revenue, 320.0)

        router.quantity = 4  # 400
        self.assertEqual(self.lead_a.expected_revenue, 520.0)
        router.unlink()
        self.assertEqual(self.lead_a.expected_revenue, 120.0)
        self.lead_a.sfa_line_ids.unlink()
        self.assertEqual(self.lead_a.expected_revenue, 0.0)

        self.lead_a.sfa_revenue_from_lines = False
        self.add_line(self.lead_a, self.router)
        self.assertEqual(self.lead_a.expected_revenue, 0.0, "flag off: left alone")

    def test_moving_a_line_updates_both_deals(self):
        (self.lead_a | self.lead_b).sfa_revenue_from_lines = True
        line = self.add_line(self.lead_a, self.router, quantity=2)
        self.add_line(self.lead_b, self.switch)
        self.assertEqual(self.lead_a.expected_revenue, 200.0)
        self.assertEqual(self.lead_b.expected_revenue, 50.0)
        line.lead_id = self.lead_b
        self.assertEqual(self.lead_a.expected_revenue, 0.0)
        self.assertEqual(self.lead_b.expected_revenue, 250.0)

    def test_batch_of_lines_costs_the_same_whatever_the_number_of_deals(self):
        deals = self.lead_a | self.lead_b | self.lead_c
        (deals | self.lead_free).sfa_revenue_from_lines = True
        self.env.flush_all()

        def batch(deals):
            self.Line.create(
                [
                    {"lead_id": d.id, "product_id": p.id, "price_unit": 10.0}
                    for d in deals
                    for p in (self.router, self.switch)
                ]
            )
            self.env.flush_all()

        def count_queries(deals):
            before = self.env.cr.sql_log_count
            batch(deals)
            return self.env.cr.sql_log_count - before

        batch(self.lead_free)  # warm up the caches of products, users and rules
        one = count_queries(self.lead_a)
        self.assertEqual(count_queries(self.lead_b | self.lead_c), one)
        self.assertEqual(deals.mapped("expected_revenue"), [20.0, 20.0, 20.0])

    def test_revenue_set_at_creation_with_lines(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "Deal with products",
                "type": "opportunity",
                "sfa_revenue_from_lines": True,
                "expected_revenue": 999.0,
                "sfa_line_ids": [
                    (0, 0, {"product_id": self.router.id, "quantity": 3}),
                    (0, 0, {"product_id": self.switch.id}),
                ],
            }
        )
        self.assertEqual(lead.expected_revenue, 350.0)
        copy = lead.copy()
        self.assertEqual(len(copy.sfa_line_ids), 2, "lines are duplicated too")
        self.assertEqual(copy.expected_revenue, 350.0)

    def test_merging_keeps_the_products(self):
        other = self.env["crm.lead"].create(
            {
                "name": "Deal A bis",
                "type": "opportunity",
                "user_id": self.rep_a.id,
                "partner_id": self.cust_a.id,
            }
        )
        (self.lead_a | other).sfa_revenue_from_lines = True
        self.add_line(self.lead_a, self.router)
        self.add_line(other, self.switch, quantity=2)
        merged = (self.lead_a | other)._merge_opportunity()
        self.assertEqual(len(merged.exists() | other.exists()), 1)
        self.assertEqual(merged.sfa_line_ids.product_id, self.router | self.switch)
        self.assertEqual(merged.expected_revenue, 200.0)

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------

    def test_bad_figures_are_rejected_and_nothing_is_written(self):
        bad_values = [
            ({"quantity": 0}, "quantity"),
            ({"quantity": -2}, "quantity"),
            ({"discount": 101}, "discount"),
            ({"discount": -5}, "discount"),
            ({"price_unit": -1}, "unit price"),
        ]
        line = self.add_line(self.lead_a, self.router, quantity=2)
        for vals, word in bad_values:
            with self.subTest(vals=vals):
                # assertRaises (not assertRaisesRegex) rolls back to a savepoint,
                # as the RPC layer does with the whole transaction
                with self.assertRaises(ValidationError) as created:
                    self.add_line(self.lead_a, self.switch, **vals)
                self.assertIn(word, str(created.exception))
                with self.assertRaises(ValidationError) as written:
                    line.write(vals)
                self.assertIn(word, str(written.exception))
                self.assertEqual(self.lead_a.sfa_line_ids, line)
                self.assertEqual((line.quantity, line.price_unit), (2.0, 100.0))
                self.assertEqual(line.discount, 0.0)

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def test_rep_edits_lines_of_own_deals_only(self):
        own = self.add_line(self.lead_a, self.router)
        hidden = self.add_line(self.lead_c, self.router)
        Line = self.Line.with_user(self.rep_a)
        self.assertEqual(
            Line.search([("id", "in", (own | hidden).ids)]), own.with_user(self.rep_a)
        )
        Line.browse(own.id).quantity = 3
        Line.create({"lead_id": self.lead_a.id, "product_id": self.switch.id})
        with self.assertRaises(AccessError):
            Line.browse(hidden.id).read(["amount"])
        with self.assertRaises(AccessError):
            Line.browse(hidden.id).write({"quantity": 5})
        with self.assertRaises(AccessError):
            Line.create({"lead_id": self.lead_c.id, "product_id": self.switch.id})
        with self.assertRaises(AccessError):
            Line.browse(hidden.id).unlink()
        self.assertEqual(hidden.quantity, 1.0)

    def test_managers_edit_lines_of_their_line(self):
        line_a = self.add_line(self.lead_a, self.router)
        line_c = self.add_line(self.lead_c, self.router)
        supervisor = self.Line.with_user(self.supervisor)
        self.assertEqual(
            set(supervisor.search([("id", "in", (line_a | line_c).ids)]).ids),
            set(line_a.ids),
        )
        supervisor.browse(line_a.id).quantity = 7
        self.assertEqual(line_a.quantity, 7.0)
        director = self.Line.with_user(self.director)
        self.assertEqual(
            set(director.search([("id", "in", (line_a | line_c).ids)]).ids),
            set((line_a | line_c).ids),
        )
        director.browse(line_c.id).unlink()

    def test_shared_deal_lines_are_read_only_for_a_read_share(self):
        line_c = self.add_line(self.lead_c, self.router)
        self.env["sfa.share"].create(
            {
                "res_model": "crm.lead",
                "res_id": self.lead_c.id,
                "user_id": self.rep_a.id,
                "granted_by_id": self.rep_c.id,
            }
        )
        line = self.Line.with_user(self.rep_a).browse(line_c.id)
        self.assertEqual(line.amount, 100.0)
        with self.assertRaises(AccessError):
            line.quantity = 2

    def test_other_company_lines_stay_hidden(self):
        line_other = self.add_line(self.lead_other, self.router)
        self.assertFalse(
            self.Line.with_user(self.rep_a).search([("id", "=", line_other.id)])
        )
        self.assertFalse(
            self.Line.with_user(self.director).search([("id", "=", line_other.id)])
        )
        self.assertTrue(
            self.Line.with_user(self.other_rep).search([("id", "=", line_other.id)])
        )

    def test_rep_changing_lines_moves_the_revenue(self):
        self.lead_a.sfa_revenue_from_lines = True
        Line = self.Line.with_user(self.rep_a)
        Line.create(
            {"lead_id": self.lead_a.id, "product_id": self.router.id, "quantity": 2}
        )
        self.assertEqual(self.lead_a.expected_revenue, 200.0)
