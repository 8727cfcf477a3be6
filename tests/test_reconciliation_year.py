"""A year of one company, every screen on the same facts.

Year SARL, in euros, sells in dollars too. Two reps: Mei in Shanghai
(UTC+8) and Nora in New York (UTC-5 in winter, UTC-4 in summer). The dollar
is 1.10 to the euro until 30 June and 1.25 from 1 July. On 1 July Alpha,
Mei's customer, moves from North to South and from the Monthly category to
the Quarterly one.

Each month ``m`` of 2025:

====================================  ====================================
what                                  counts
====================================  ====================================
Mei wins a deal of Alpha, 1,000 x m,  on 1 of the next month in Shanghai:
its product lines worth the same,     December's deal is January 2026's,
on the last day at 23:00 UTC          June's is July's (and South's)
Nora wins a deal of Bravo, 100 x m,   on the last day of the previous
on the 1st at 03:00 UTC               month in New York: January's is
                                      December 2024's
Mei confirms an order of Alpha,       1,000 EUR until June, 880 EUR from
1,100 USD, on the 15th                July (the rate of its day)
it is invoiced on the 20th, due the   the invoices of January to September
same day                              are paid on their day; October's,
                                      November's and December's are open
Mei visits Alpha on the 10th, cost    a contact, and an action cost
25 EUR
====================================  ====================================

Seen on 31 December 2025 (the customer value's window: the last 12
months), the won revenue of each rep and month, and of each territory and
month, is the same on the facts, the targets, the KPIs, the forecast, the
forecast by territory and the product analysis; the customer value adds up
to the same facts and to the figures worked out by hand.
"""

import calendar
from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import TransactionCase, tagged

from odoo.addons.sfa_base.tests.common import company_in_euros, sales_user

# a year wholly past: no contact of it is in the future
YEAR = 2025
MONTHS = range(1, 13)


def month(m):
    """(first day, last day) of month ``m`` of the year."""
    return date(YEAR, m, 1), date(YEAR, m, calendar.monthrange(YEAR, m)[1])


def mei_won(k):
    """Mei's won revenue of month ``k``: the deal of the month before."""
    return 1000 * (k - 1)


def nora_won(k):
    """Nora's won revenue of month ``k``: the deal of the month after."""
    return 100 * (k + 1) if k < 12 else 0


def order_eur(m):
    """Alpha's order of month ``m`` in euros: 1,100 USD at that day's rate."""
    return 1000 if m <= 6 else 880


@tagged("post_install", "-at_install")
class TestReconciliationOverAYear(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        eur, usd = env.ref("base.EUR"), env.ref("base.USD")
        (eur | usd).active = True
        cls.company, cls.env = company, env = company_in_euros(
            env,
            "Year SARL",
            [
                (f"{YEAR - 1}-01-01", 1.0, eur),
                (f"{YEAR - 1}-12-01", 1.10, usd),
                (f"{YEAR}-07-01", 1.25, usd),
            ],
        )

        def user(login, role, tz, manager=None):
            return sales_user(env, company, login, role, tz, manager)

        cls.director = user("year_director", "director", "Europe/Paris")
        cls.mei = user("year_mei", "rep", "Asia/Shanghai", cls.director)
        cls.nora = user("year_nora", "rep", "America/New_York", cls.director)
        cls.north, cls.south = env["sfa.territory"].create(
            [
                {"name": "Year North", "code": "Y-N", "company_id": company.id},
                {"name": "Year South", "code": "Y-S", "company_id": company.id},
            ]
        )
        cls.monthly, cls.quarterly = env["sfa.customer.category"].create(
            [
                {"name": "Year Monthly", "visit_frequency_days": 30},
                {"name": "Year Quarterly", "visit_frequency_days": 90},
            ]
        )
        Partner = env["res.partner"]
        with freeze_time(f"{YEAR}-01-01 00:00:00"):
            cls.alpha, cls.bravo = Partner.create(
                [
                    {
                        "name": name,
                        "is_company": True,
                        "user_id": rep.id,
                        "company_id": company.id,
                        "sfa_territory_id": territory.id,
                        "sfa_category_id": cls.monthly.id,
                    }
                    for name, rep, territory in (
                        ("Year Alpha", cls.mei, cls.north),
                        ("Year Bravo", cls.nora, cls.south),
                    )
                ]
            )
            env.flush_all()
        with freeze_time(f"{YEAR}-07-01 08:00:00"):
            cls.alpha.write(
                {
                    "sfa_territory_id": cls.south.id,
                    "sfa_category_id": cls.quarterly.id,
                }
            )
            env.flush_all()
        cls.product = product = env["product.product"].create(
            {
                "name": "Year Service",
                "type": "service",
                "standard_price": 500,
                "taxes_id": [Command.clear()],
            }
        )
        usd_list = env["product.pricelist"].create(
            {"name": "Year USD", "currency_id": usd.id, "company_id": company.id}
        )
        visit = env.ref("sfa_pipeline.sfa_action_type_visit")

        def win(rep, partner, amount, moment):
            with freeze_time(moment):
                lead = env["crm.lead"].create(
                    {
                        "name": f"{partner.name} {amount}",
                        "type": "opportunity",
                        "user_id": rep.id,
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "expected_revenue": amount,
                    }
                )
                # two product lines worth the deal
                env["sfa.lead.line"].create(
                    [
                        {
                            "lead_id": lead.id,
                            "product_id": product.id,
                            "quantity": 1,
                            "price_unit": share,
                        }
                        for share in (amount * 0.6, amount * 0.4)
                    ]
                )
                lead.action_set_won()

        for m in MONTHS:
            last = month(m)[1]
            win(cls.mei, cls.alpha, 1000 * m, f"{last} 23:00:00")
            win(cls.nora, cls.bravo, 100 * m, f"{YEAR}-{m:02d}-01 03:00:00")
            with freeze_time(f"{YEAR}-{m:02d}-15 10:00:00"):
                sale = env["sale.order"].create(
                    {
                        "partner_id": cls.alpha.id,
                        "user_id": cls.mei.id,
                        "company_id": company.id,
                        "pricelist_id": usd_list.id,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "price_unit": 1100,
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                    }
                )
                sale.action_confirm()
            with freeze_time(f"{YEAR}-{m:02d}-20 10:00:00"):
                invoice = sale._create_invoices()
                invoice.invoice_date = f"{YEAR}-{m:02d}-20"
                invoice.action_post()
                if m <= 9:
                    env["account.payment.register"].with_context(
                        active_model="account.move", active_ids=invoice.ids
                    ).create(
                        {"amount": 1100, "payment_date": f"{YEAR}-{m:02d}-20"}
                    )._create_payments()
            with freeze_time(f"{YEAR}-{m:02d}-10 11:00:00"):
                action = env["sfa.action"].create(
                    {
                        "action_type_id": visit.id,
                        "user_id": cls.mei.id,
                        "partner_id": cls.alpha.id,
                        "start": datetime(YEAR, m, 10, 9, 0),
                        "duration": 1,
                        "cost": 25,
                        "outcome": "Visited.",
                    }
                )
                action.action_done()
        plan = env["sfa.target.plan"].create(
            {
                "name": f"Year {YEAR}",
                "company_id": company.id,
                "date_from": date(YEAR, 1, 1),
                "date_to": date(YEAR, 12, 31),
            }
        )
        Line = env["sfa.target.line"]
        cls.targets = {}
        for m in MONTHS:
            start, end = month(m)
            for owner, values in (
                (cls.mei, {"owner_type": "user", "user_id": cls.mei.id}),
                (cls.nora, {"owner_type": "user", "user_id": cls.nora.id}),
                (cls.north, {"owner_type": "territory", "territory_id": cls.north.id}),
                (cls.south, {"owner_type": "territory", "territory_id": cls.south.id}),
            ):
                for metric in ("won_revenue", "sales_amount"):
                    cls.targets[owner, metric, m] = Line.create(
                        {
                            "plan_id": plan.id,
                            "metric": metric,
                            "date_from": start,
                            "date_to": end,
                            "target_value": 10000,
                            **values,
                        }
                    )
        plan.action_confirm()
        env.flush_all()
        lines = Line.browse([line.id for line in cls.targets.values()])
        lines._refresh_actuals()

    # ------------------------------------------------------------------

    def fact_sum(self, metric, period, **where):
        Fact = self.env["sfa.fact"]
        domain = [
            ("metric", "=", metric),
            ("company_id", "=", self.company.id),
            ("date", ">=", period[0]),
            ("date", "<=", period[1]),
        ]
        domain += [(name, "=", value) for name, value in where.items()]
        measure = "amount" if Fact._sfa_unit(metric) == "amount" else "quantity"
        [(total,)] = Fact._read_group(domain, [], [f"{measure}:sum"])
        return round(total or 0.0, 2)

    def forecast_actuals(self, m):
        with freeze_time(f"{YEAR + 1}-01-05 12:00:00"):
            rows = self.env["sfa.forecast"]._refresh_period(month(m)[0])
        totals = {}
        for row in rows:
            totals[row.user_id] = totals.get(row.user_id, 0.0) + row.actual
        return {rep: round(totals.get(rep, 0.0), 2) for rep in (self.mei, self.nora)}

    def by_territory(self, m):
        """Won on Forecast by Territory per territory (the deals' own rows),
        as the director reads it."""
        rows = (
            self.env["sfa.forecast.territory"]
            .with_user(self.director)
            .with_company(self.company)
            ._read_group(
                [("depth", "=", 0), ("period_start", "=", month(m)[0])],
                ["territory_id"],
                ["actual:sum"],
            )
        )
        return {territory: round(actual, 2) for territory, actual in rows}

    def product_analysis(self, m, groupby):
        rows = (
            self.env["sfa.pipeline.product.analysis"]
            .with_user(self.director)
            .with_company(self.company)
            ._read_group(
                [
                    ("won_status", "=", "won"),
                    ("date_won", ">=", month(m)[0]),
                    ("date_won", "<=", month(m)[1]),
                ],
                [groupby],
                ["won_amount:sum"],
            )
        )
        return {key: round(total, 2) for key, total in rows}

    # ------------------------------------------------------------------

    def test_won_revenue_of_each_rep_and_month(self):
        kpi = self.env.ref("sfa_performance.kpi_won_revenue")
        for m in MONTHS:
            forecast = self.forecast_actuals(m)
            products = self.product_analysis(m, "user_id")
            for rep, won in ((self.mei, mei_won(m)), (self.nora, nora_won(m))):
                with self.subTest(rep=rep.login, month=m):
                    period = month(m)
                    self.assertEqual(
                        self.fact_sum("won_revenue", period, user_id=rep.id), won
                    )
                    self.assertEqual(
                        self.targets[rep, "won_revenue", m].actual_value, won
                    )
                    value = kpi._sfa_values(rep, self.company, *period)[kpi.id][rep.id]
                    self.assertEqual(round(value or 0.0, 2), won)
                    self.assertEqual(forecast[rep], won)
                    self.assertEqual(products.get(rep, 0.0), won)

    def test_won_revenue_of_each_territory_and_month(self):
        """Alpha's deals count in North until June (on the rep's day), in
        South from July: Mei's June deal, won on 1 July in Shanghai, is
        South's."""
        for m in MONTHS:
            alpha = mei_won(m)
            expected = {
                self.north: alpha if m <= 6 else 0,
                self.south: nora_won(m) + (alpha if m >= 7 else 0),
            }
            territories = self.by_territory(m)
            products = self.product_analysis(m, "sfa_territory_id")
            for territory, won in expected.items():
                with self.subTest(territory=territory.name, month=m):
                    self.assertEqual(
                        self.fact_sum(
                            "won_revenue", month(m), territory_id=territory.id
                        ),
                        won,
                    )
                    self.assertEqual(
                        self.targets[territory, "won_revenue", m].actual_value, won
                    )
                    self.assertEqual(territories.get(territory, 0.0), won)
                    self.assertEqual(products.get(territory, 0.0), won)

    def test_categories_on_the_day(self):
        """Alpha's won products are Monthly's until June and Quarterly's from
        July, on the product analysis and on the facts."""
        for m in (6, 7):
            category = self.monthly if m <= 6 else self.quarterly
            products = self.product_analysis(m, "sfa_category_id")
            # Bravo (Nora's) stays Monthly
            self.assertEqual(
                products.get(self.monthly, 0.0),
                nora_won(m) + (mei_won(m) if m <= 6 else 0),
                f"month {m}",
            )
            self.assertEqual(
                products.get(self.quarterly, 0.0),
                mei_won(m) if m >= 7 else 0,
                f"month {m}",
            )
            self.assertEqual(
                self.fact_sum(
                    "won_revenue",
                    month(m),
                    user_id=self.mei.id,
                    category_id=category.id,
                ),
                mei_won(m),
            )

    def test_sales_across_the_rate_change(self):
        for m in MONTHS:
            with self.subTest(month=m):
                self.assertEqual(
                    self.fact_sum("sales_amount", month(m), user_id=self.mei.id),
                    order_eur(m),
                )
                self.assertEqual(
                    self.targets[self.mei, "sales_amount", m].actual_value,
                    order_eur(m),
                )
                territory = self.north if m <= 6 else self.south
                self.assertEqual(
                    self.targets[territory, "sales_amount", m].actual_value,
                    order_eur(m),
                )

    def test_customer_value_of_the_year(self):
        """Alpha's value on 31 December, worked out by hand, equals the
        facts of its window."""
        self.maxDiff = None
        Value = self.env["sfa.customer.value"]
        Value._sfa_compute(self.company, today=date(YEAR, 12, 31))
        alpha = Value.search(
            [("partner_id", "=", self.alpha.id), ("company_id", "=", self.company.id)]
        )
        sales = sum(order_eur(m) for m in MONTHS)  # 6 x 1,000 + 6 x 880
        # a margin of 1,100 USD less the cost of 500 EUR in dollars on the
        # order's day: 550 USD (500 EUR) until June, 475 USD (380 EUR) after
        margin = 6 * 500 + 6 * 380
        expected = {
            "order_count": 12,
            "sales_amount": sales,
            "invoiced_amount": sales,
            "received_amount": 6 * 1000 + 3 * 880,
            "receivable_amount": 3 * 880,
            "overdue_amount": 3 * 880,
            "margin_amount": margin,
            "action_cost": 12 * 25,
            "profit_amount": margin - 12 * 25,
            # the visits and the confirmed orders
            "contact_count": 24,
            "last_contact_date": date(YEAR, 12, 15),
            "sfa_territory_id": self.south,
            "sfa_category_id": self.quarterly,
        }
        self.assertEqual({name: alpha[name] for name in expected}, expected)
        window = (date(YEAR - 1, 12, 31), date(YEAR, 12, 31))
        for name, metric in (
            ("sales_amount", "sales_amount"),
            ("invoiced_amount", "invoiced_amount"),
            ("received_amount", "paid_on_invoices"),
            ("margin_amount", "sales_margin"),
            ("action_cost", "action_cost"),
        ):
            with self.subTest(figure=name):
                self.assertEqual(
                    alpha[name],
                    self.fact_sum(metric, window, partner_id=self.alpha.id),
                )
        self.assertEqual(
            alpha.receivable_amount,
            self.fact_sum(
                "open_balance",
                (date(2000, 1, 1), date(2100, 1, 1)),
                partner_id=self.alpha.id,
            ),
        )
