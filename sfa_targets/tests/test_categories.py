from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TargetCase


@tagged("post_install", "-at_install")
class TestCategoryTargets(TargetCase):
    """Targets by product category and by customer category (control by
    product and by market), worked out by hand.

    Goods holds Printers, and Supplies with Paper under it; a pen is sold in
    Goods itself. Alpha is a key account, Bravo a standard customer.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Category = cls.env["product.category"]
        cls.goods = Category.create({"name": "Goods"})
        cls.printers = Category.create({"name": "Printers", "parent_id": cls.goods.id})
        cls.supplies = Category.create({"name": "Supplies", "parent_id": cls.goods.id})
        cls.paper = Category.create({"name": "Paper", "parent_id": cls.supplies.id})
        cls.other = Category.create({"name": "Services"})

        def product(name, category):
            return cls.env["product.product"].create(
                {
                    "name": name,
                    "type": "consu",
                    "categ_id": category.id,
                    "taxes_id": [Command.clear()],
                }
            )

        cls.printer = product("Printer", cls.printers)
        cls.toner = product("Toner", cls.supplies)
        cls.ream = product("Ream", cls.paper)
        cls.pen = product("Pen", cls.goods)
        cls.audit = product("Audit", cls.other)
        Customer = cls.env["sfa.customer.category"]
        cls.key = Customer.create({"name": "Key Accounts"})
        cls.standard = Customer.create({"name": "Standard"})
        with freeze_time("2026-01-01"):
            cls.cust_a.sfa_category_id = cls.key
            cls.cust_b.sfa_category_id = cls.standard

    def order(self, user, customer, moment, lines):
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": user.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "price_unit": price,
                            "tax_ids": [Command.clear()],
                        }
                    )
                    for product, price in lines
                ],
            }
        )
        with freeze_time(moment):
            order.action_confirm()
        return order

    def win(self, customer, amount, moment):
        lead = self.env["crm.lead"].create(
            {
                "name": f"Deal {amount}",
                "type": "opportunity",
                "user_id": self.rep_a.id,
                "partner_id": customer.id,
                "expected_revenue": amount,
            }
        )
        with freeze_time(moment):
            lead.action_set_won()
        return lead

    def refresh(self, lines):
        self.env.flush_all()
        lines._refresh_actuals()
        return {line.name: line.actual_value for line in lines}

    def test_a_target_by_product_category_counts_its_products(self):
        self.order(
            self.rep_a,
            self.cust_a,
            "2026-03-10 09:00:00",
            [(self.printer, 1000), (self.toner, 200), (self.ream, 50), (self.pen, 5)],
        )
        self.order(self.rep_b, self.cust_b, "2026-04-10 09:00:00", [(self.audit, 700)])
        goods = self.year_line(0, metric="sales_amount")
        goods.write({"product_categ_id": self.goods.id, "target_value": 2000})
        self.assertIn("Goods", goods.name)
        wizard = self.wizard(goods, split_by="product", org_method="weights")
        self.assertEqual(
            wizard.child_ids.mapped("name"),
            ["Goods / Printers", "Goods / Supplies"],
            "the sub-categories of the target's",
        )
        for child, weight in zip(wizard.child_ids, (60, 40), strict=True):
            child.weight = weight
        wizard.action_apply()
        printers, supplies = goods.child_ids.sorted("target_value").sorted(
            lambda line: line.product_categ_id.name
        )
        self.assertEqual(
            [(line.product_categ_id, line.target_value) for line in goods.child_ids],
            [(self.printers, 1200.0), (self.supplies, 800.0)],
        )
        self.assertEqual(printers.owner_type, "company")
        self.refresh(goods | goods.child_ids)
        # sub-categories count: Paper is in Supplies; the audit is no good
        self.assertEqual(goods.actual_value, 1255.0)
        self.assertEqual(printers.actual_value, 1000.0)
        self.assertEqual(supplies.actual_value, 250.0)
        self.assertEqual(goods.outside_split, 5.0, "the pen, in Goods itself")
        # split on over the salespeople: they keep the category
        self.split(supplies, owner_type="user", org_method="equal")
        reps = supplies.child_ids
        self.assertEqual(set(reps.mapped("product_categ_id")), {self.supplies})
        actuals = self.refresh(reps)
        self.assertEqual(
            reps.filtered(lambda line: line.user_id == self.rep_a).actual_value, 250.0
        )
        self.assertEqual(sum(actuals.values()), 250.0)
        # a report adds no targets of other categories together
        rows = self.Line._read_group(
            [("id", "in", (goods | goods.child_ids).ids)], [], ["target_value:sum"]
        )
        self.assertFalse(rows[0][0], "Goods and its categories are the same money")
        rows = self.Line._read_group(
            [("id", "in", goods.child_ids.ids)],
            ["product_categ_id"],
            ["target_value:sum"],
        )
        self.assertEqual(sorted(value for _categ, value in rows), [800.0, 1200.0])

    def test_a_target_by_customer_category_counts_its_day(self):
        self.win(self.cust_a, 100, "2026-02-10 09:00:00")
        self.win(self.cust_b, 30, "2026-03-10 09:00:00")
        # Bravo becomes a key account in May: its March deal stays standard
        with freeze_time("2026-05-01"):
            self.cust_b.sfa_category_id = self.key
        self.win(self.cust_b, 7, "2026-06-10 09:00:00")
        year = self.year_line(1000)
        wizard = self.wizard(year, split_by="customer", org_method="equal")
        categories = self.env["sfa.customer.category"].search(
            [("company_id", "in", [self.company.id, False])]
        )
        self.assertLessEqual(self.key | self.standard, categories)
        self.assertEqual(wizard.child_ids.mapped("owner_id"), categories.ids)
        wizard.action_apply()
        by_category = {line.customer_category_id: line for line in year.child_ids}
        self.refresh(year | year.child_ids)
        self.assertEqual(by_category[self.key].actual_value, 107.0)
        self.assertEqual(by_category[self.standard].actual_value, 30.0)
        self.assertEqual(year.actual_value, 137.0)
        self.assertEqual(year.outside_split, 0.0, "every customer has a category")

    def test_categories_are_checked(self):
        deals = self.year_line(100)
        with self.assertRaises(ValidationError):
            deals.product_categ_id = self.printers  # won deals have no products
        goods = self.year_line(500, metric="sales_amount")
        goods.product_categ_id = self.supplies
        paper = self.year_line(100, "sales_amount", parent=goods, user=self.rep_a)
        self.assertEqual(paper.product_categ_id, self.supplies, "its parent's")
        with self.assertRaises(ValidationError):
            paper.product_categ_id = self.printers  # outside Supplies
        with self.assertRaises(ValidationError):
            paper.product_categ_id = False
        paper.product_categ_id = self.paper  # within Supplies
        key = self.year_line(100, metric="sales_amount")
        key.customer_category_id = self.key
        with self.assertRaises(ValidationError):
            self.year_line(
                50, "sales_amount", parent=key, user=self.rep_b
            ).customer_category_id = self.standard
        with self.assertRaises(ValidationError):
            self.Line.create(
                {
                    "plan_id": self.plan.id,
                    "parent_id": key.id,
                    "owner_type": "user",
                    "user_id": self.rep_b.id,
                    "metric": "sales_amount",
                    "date_from": date(2026, 1, 1),
                    "date_to": date(2026, 12, 31),
                    "customer_category_id": False,
                }
            )
        # in a confirmed plan, one target per owner, metric, categories, days
        self.plan.action_confirm()
        with self.assertRaises(ValidationError):
            self.year_line(300, metric="sales_amount").product_categ_id = self.supplies
        other = self.year_line(300, metric="sales_amount")
        other.product_categ_id = self.printers
        self.assertEqual(other.product_categ_id, self.printers)
