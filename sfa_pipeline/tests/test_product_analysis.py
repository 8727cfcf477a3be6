from odoo.tests import tagged

from odoo.addons.sfa_base.tests.common import SfaCase


@tagged("post_install", "-at_install")
class TestProductAnalysis(SfaCase):
    """Four deals with products, figures worked out by hand.

    Router (network) lists at 100, Switch (network) at 50, Licence
    (software) at 30.

    D1 rep_a  won   Router 2 x 100 = 200, Router 1 x 100 -50% = 50,
                    Switch 1 x 50 = 50          S1 -> S2 -> won
    D2 rep_a  lost  Router 1 x 100 -10% = 90    lost in S1
    D3 rep_c  open  Router 5 x 100 = 500, 40%   S1
    D4 rep_b  open  Switch 4 x 50 = 200, 25%; Licence 1 x 30 = 30   S1 -> S2
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Category = cls.env["product.category"]
        cls.network = Category.create({"name": "Network"})
        cls.software = Category.create({"name": "Software"})
        Product = cls.env["product.product"]
        cls.router = Product.create(
            {"name": "Router", "list_price": 100, "categ_id": cls.network.id}
        )
        cls.switch = Product.create(
            {"name": "Switch", "list_price": 50, "categ_id": cls.network.id}
        )
        cls.licence = Product.create(
            {"name": "Licence", "list_price": 30, "categ_id": cls.software.id}
        )
        Stage = cls.env["crm.stage"]
        cls.s1 = Stage.create({"name": "P1", "sequence": 3001})
        cls.s2 = Stage.create({"name": "P2", "sequence": 3002})

        def deal(name, rep, customer, lines, probability=None):
            vals = {
                "name": name,
                "type": "opportunity",
                "user_id": rep.id,
                "partner_id": customer.id,
                "stage_id": cls.s1.id,
                "sfa_line_ids": [(0, 0, line) for line in lines],
            }
            if probability is not None:
                vals["probability"] = probability
            return cls.env["crm.lead"].create(vals)

        cls.d1 = deal(
            "D1",
            cls.rep_a,
            cls.cust_a,
            [
                {"product_id": cls.router.id, "quantity": 2},
                {"product_id": cls.router.id, "discount": 50},
                {"product_id": cls.switch.id},
            ],
        )
        cls.d2 = deal(
            "D2", cls.rep_a, cls.cust_a, [{"product_id": cls.router.id, "discount": 10}]
        )
        cls.d3 = deal(
            "D3",
            cls.rep_c,
            cls.cust_c,
            [{"product_id": cls.router.id, "quantity": 5}],
            probability=40,
        )
        cls.d4 = deal(
            "D4",
            cls.rep_b,
            cls.cust_b,
            [
                {"product_id": cls.switch.id, "quantity": 4},
                {"product_id": cls.licence.id},
            ],
            probability=25,
        )
        (cls.d1 | cls.d4).stage_id = cls.s2
        cls.d1.action_set_won()
        cls.d2.action_set_lost()
        cls.deals = cls.d1 | cls.d2 | cls.d3 | cls.d4
        cls.env.flush_all()

    def product_figures(self, user=None, groupby=("product_id",), measures=None):
        Analysis = self.env["sfa.pipeline.product.analysis"]
        if user:
            Analysis = Analysis.with_user(user)
        rows = Analysis._read_group(
            [("lead_id", "in", self.deals.ids)],
            list(groupby),
            measures
            or [
                "quantity:sum",
                "amount:sum",
                "won_amount:sum",
                "prorated_amount:sum",
                "lead_count:count_distinct",
            ],
        )
        n = len(groupby)
        return {row[0] if n == 1 else row[:n]: list(row[n:]) for row in rows}

    def test_one_row_per_line_of_open_won_and_lost_deals(self):
        rows = self.env["sfa.pipeline.product.analysis"].search(
            [("lead_id", "in", self.deals.ids)]
        )
        self.assertEqual(len(rows), 7)
        self.assertEqual(set(rows.mapped("won_status")), {"won", "lost", "pending"})
        row = rows.filtered(lambda r: r.lead_id == self.d3)
        self.assertEqual(
            (row.stage_id, row.user_id, row.sfa_territory_id, row.categ_id),
            (self.s1, self.rep_c, self.t_marseille, self.network),
        )
        won = rows.filtered(lambda r: r.lead_id == self.d1)
        self.assertTrue(all(won.mapped("date_closed")))

    def test_won_products_are_the_facts_of_their_day(self):
        """A won line is read from the won products facts: dated on the
        salesperson's day, in the territory its customer had that day, and
        what the Sales Facts screen sums for the product."""
        from freezegun import freeze_time

        self.rep_a.tz = "Asia/Shanghai"
        deal = self.env["crm.lead"].create(
            {
                "name": "D5",
                "type": "opportunity",
                "user_id": self.rep_a.id,
                "partner_id": self.cust_a.id,
                "sfa_line_ids": [
                    (0, 0, {"product_id": self.licence.id, "quantity": 3})
                ],
            }
        )
        with freeze_time("2026-01-31 23:30:00"):  # 1 February in Shanghai
            deal.action_set_won()
        row = self.env["sfa.pipeline.product.analysis"].search(
            [("lead_id", "=", deal.id)]
        )
        self.assertEqual(
            (row.won_status, row.won_amount, row.quantity),
            ("won", 90.0, 3.0),
        )
        self.assertEqual(str(row.date_won), "2026-02-01")
        fact = self.env["sfa.fact"].search(
            [("metric", "=", "won_lines"), ("lead_id", "=", deal.id)]
        )
        self.assertEqual(
            (fact.amount, fact.date, fact.territory_id, fact.category_id),
            (row.won_amount, row.date_won, row.sfa_territory_id, row.sfa_category_id),
        )

    def test_figures_per_product(self):
        figures = self.product_figures()
        # quantity, amount, won amount, prorated (won 100%, lost 0%), deals
        self.assertEqual(figures[self.router], [9.0, 840.0, 250.0, 450.0, 3])
        self.assertEqual(figures[self.switch], [5.0, 250.0, 50.0, 100.0, 2])
        self.assertEqual(figures[self.licence], [1.0, 30.0, 0.0, 7.5, 1])

    def test_figures_per_product_and_outcome(self):
        figures = self.product_figures(
            groupby=("product_id", "won_status"), measures=["amount:sum"]
        )
        self.assertEqual(
            figures,
            {
                (self.router, "won"): [250.0],
                (self.router, "lost"): [90.0],
                (self.router, "pending"): [500.0],
                (self.switch, "won"): [50.0],
                (self.switch, "pending"): [200.0],
                (self.licence, "pending"): [30.0],
            },
        )

    def test_cut_by_category_and_salesperson(self):
        figures = self.product_figures(
            groupby=("categ_id", "user_id"), measures=["amount:sum"]
        )
        self.assertEqual(
            figures,
            {
                (self.network, self.rep_a): [390.0],
                (self.network, self.rep_b): [200.0],
                (self.network, self.rep_c): [500.0],
                (self.software, self.rep_b): [30.0],
            },
        )

    def test_each_role_sees_its_own_products_rows(self):
        def amounts(user):
            return {
                product: values[1]
                for product, values in self.product_figures(user=user).items()
            }

        # rep_a: D1 and D2 only
        self.assertEqual(amounts(self.rep_a), {self.router: 340.0, self.switch: 50.0})
        # rep_c: D3 only
        self.assertEqual(amounts(self.rep_c), {self.router: 500.0})
        # supervisor: D1, D2 (rep_a) and D4 (rep_b)
        self.assertEqual(
            amounts(self.supervisor),
            {self.router: 340.0, self.switch: 250.0, self.licence: 30.0},
        )
        # territory manager of the South: D3 through its territory
        self.assertEqual(amounts(self.territory_manager), {self.router: 500.0})
        self.assertEqual(amounts(self.director)[self.router], 840.0)
        self.assertEqual(amounts(self.other_rep), {})

    # ------------------------------------------------------------------
    # Stage analysis by product
    # ------------------------------------------------------------------

    def stage_figures(self, model, user=None):
        Analysis = self.env[model]
        if user:
            Analysis = Analysis.with_user(user)
        groupby = ["product_id", "stage_id"] if "product" in model else ["stage_id"]
        rows = Analysis._read_group(
            [
                ("lead_id", "in", self.deals.ids),
                ("stage_id", "in", (self.s1 | self.s2).ids),
            ],
            groupby,
            [
                "entered_count:sum",
                "advanced_count:sum",
                "won_count:sum",
                "lost_count:sum",
                "advance_rate:avg",
                "won_rate:avg",
            ],
        )
        n = len(groupby)
        return {
            row[0] if n == 1 else row[:n]: [
                round(v, 2) if isinstance(v, float) else v for v in row[n:]
            ]
            for row in rows
        }

    def test_stage_figures_per_product(self):
        figures = self.stage_figures("sfa.stage.product.analysis")
        # entered, advanced, won, lost, advance %, won %
        # D1 carries two Router lines: its stays count once for Router
        self.assertEqual(figures[self.router, self.s1], [3, 1, 1, 1, 33.33, 33.33])
        self.assertEqual(figures[self.router, self.s2], [1, 1, 1, 0, 100.0, 100.0])
        self.assertEqual(figures[self.switch, self.s1], [2, 2, 1, 0, 100.0, 50.0])
        self.assertEqual(figures[self.switch, self.s2], [2, 1, 1, 0, 50.0, 50.0])
        self.assertEqual(figures[self.licence, self.s1], [1, 1, 0, 0, 100.0, 0.0])
        self.assertEqual(figures[self.licence, self.s2], [1, 0, 0, 0, 0.0, 0.0])

    def test_stage_analysis_still_counts_each_stay_once(self):
        figures = self.stage_figures("sfa.stage.analysis")
        self.assertEqual(figures[self.s1][:4], [4, 2, 1, 1])
        self.assertEqual(figures[self.s2][:4], [2, 1, 1, 0])

    def test_stage_figures_per_product_follow_visibility(self):
        figures = self.stage_figures("sfa.stage.product.analysis", user=self.rep_a)
        self.assertEqual(
            set(figures),
            {
                (self.router, self.s1),
                (self.router, self.s2),
                (self.switch, self.s1),
                (self.switch, self.s2),
            },
        )
        self.assertEqual(figures[self.router, self.s1][:4], [2, 1, 1, 1])
        self.assertEqual(figures[self.switch, self.s2][:4], [1, 1, 1, 0])

    def test_stage_product_rows_have_stable_unique_ids(self):
        rows = self.env["sfa.stage.product.analysis"].search(
            [("lead_id", "in", self.deals.ids)]
        )
        self.assertEqual(len(rows), len(set(rows.ids)))
        again = self.env["sfa.stage.product.analysis"].search(
            [("lead_id", "in", self.deals.ids)]
        )
        self.assertEqual(rows.ids, again.ids)
        d1_router = rows.filtered(
            lambda r: r.lead_id == self.d1 and r.product_id == self.router
        )
        self.assertEqual(set(d1_router.mapped("product_amount")), {250.0})
