"""Every screen that shows a figure tells the same story.

A small company worked out by hand: Reco SAS, in euros, in Paris. Two reps:
Mei in Shanghai (UTC+8) and Nora in New York (UTC-5 in winter).

====================  ==========================  ========================
what                  when (UTC)                  counts for
====================  ==========================  ========================
deal D1, 1,000 EUR    won 31 Jan 23:00            Mei, 1 February (07:00)
deal D2, 2,000 EUR    won 1 Feb 03:00             Nora, 31 January (22:00)
order O1, 1,100 USD   confirmed 20 Feb 10:00      Mei: 880 EUR (1.25 USD/EUR
                                                  from 15 Feb; 1.10 before)
order O2, 500 EUR     confirmed 10 Feb 10:00      Nora
order O3, 300 EUR     confirmed 5 Jan 10:00       Nora, Gamma's only exchange
invoice of O2         dated 12 Feb                Nora, 500 EUR
e-mail from Alpha     22 Feb 08:00                a contact with Alpha
meeting with Bravo    23 Feb 09:00 to 10:00       a contact with Bravo
====================  ==========================  ========================

Alpha is D1's and O1's customer, Bravo D2's and O2's, Gamma O3's (a
customer with an order and no deal). Figures of February, seen on 25
February 2026.
"""

from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import TransactionCase, tagged

from odoo.addons.sfa_base.tests.common import company_in_euros, sales_user

FEBRUARY = (date(2026, 2, 1), date(2026, 2, 28))
JANUARY = (date(2026, 1, 1), date(2026, 1, 31))


@tagged("post_install", "-at_install")
class TestReconciliation(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        eur, usd = env.ref("base.EUR"), env.ref("base.USD")
        (eur | usd).active = True
        cls.company, cls.env = company, env = company_in_euros(
            env,
            "Reco SAS",
            [
                ("2025-01-01", 1.0, eur),
                ("2026-02-01", 1.10, usd),
                ("2026-02-15", 1.25, usd),
            ],
        )

        def user(login, role, tz, manager=None):
            return sales_user(env, company, login, role, tz, manager)

        cls.director = user("reco_director", "director", "Europe/Paris")
        cls.mei = user("reco_mei", "rep", "Asia/Shanghai", cls.director)
        cls.nora = user("reco_nora", "rep", "America/New_York", cls.director)
        category = env["sfa.customer.category"].create(
            {"name": "Monthly", "visit_frequency_days": 30}
        )
        Partner = env["res.partner"]

        def customer(name, rep):
            return Partner.create(
                {
                    "name": name,
                    "is_company": True,
                    "user_id": rep.id,
                    "company_id": company.id,
                    "sfa_category_id": category.id,
                }
            )

        cls.alpha = customer("Alpha", cls.mei)
        cls.bravo = customer("Bravo", cls.nora)
        cls.gamma = customer("Gamma", cls.nora)
        cls.bravo_buyer = Partner.create(
            {"name": "Bruno", "parent_id": cls.bravo.id, "email": "bruno@bravo.example"}
        )

        def win(rep, partner, amount, moment):
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
            with freeze_time(moment):
                lead.action_set_won()
            return lead

        win(cls.mei, cls.alpha, 1000, "2026-01-31 23:00:00")
        win(cls.nora, cls.bravo, 2000, "2026-02-01 03:00:00")
        product = env["product.product"].create(
            {"name": "Service", "type": "service", "taxes_id": [Command.clear()]}
        )
        usd_list = env["product.pricelist"].create(
            {"name": "USD", "currency_id": usd.id, "company_id": company.id}
        )

        def order(rep, partner, price, moment, pricelist=None):
            sale = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "user_id": rep.id,
                    "company_id": company.id,
                    "pricelist_id": pricelist.id if pricelist else False,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "price_unit": price,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            with freeze_time(moment):
                sale.action_confirm()
            return sale

        cls.o1 = order(cls.mei, cls.alpha, 1100, "2026-02-20 10:00:00", usd_list)
        cls.o2 = order(cls.nora, cls.bravo, 500, "2026-02-10 10:00:00")
        order(cls.nora, cls.gamma, 300, "2026-01-05 10:00:00")
        invoice = cls.o2._create_invoices()
        invoice.invoice_date = "2026-02-12"
        invoice.action_post()
        with freeze_time("2026-02-22 08:00:00"):
            cls.alpha.message_post(
                body="Please send the spring catalogue.",
                message_type="email",
                author_id=cls.alpha.id,
            )
        env["calendar.event"].with_context(no_mail_to_attendees=True).create(
            {
                "name": "Bravo review",
                "start": datetime(2026, 2, 23, 9, 0),
                "stop": datetime(2026, 2, 23, 10, 0),
                "user_id": cls.nora.id,
                "partner_ids": [
                    Command.set([cls.nora.partner_id.id, cls.bravo_buyer.id])
                ],
            }
        )
        plan = env["sfa.target.plan"].create(
            {
                "name": "Reco 2026",
                "company_id": company.id,
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 12, 31),
            }
        )
        Line = env["sfa.target.line"]

        def target(rep, metric, period, value):
            return Line.create(
                {
                    "plan_id": plan.id,
                    "owner_type": "user",
                    "user_id": rep.id,
                    "metric": metric,
                    "date_from": period[0],
                    "date_to": period[1],
                    "target_value": value,
                }
            )

        cls.targets = {
            (rep.login, metric, period): target(rep, metric, period, 5000)
            for rep in (cls.mei, cls.nora)
            for metric in ("won_revenue", "sales_amount")
            for period in (JANUARY, FEBRUARY)
        }
        plan.action_confirm()
        # what a commit runs: the facts of the documents, last contacts
        env.cr.flush()
        cls.targets_lines = Line.browse([line.id for line in cls.targets.values()])
        cls.targets_lines._refresh_actuals()

    # ------------------------------------------------------------------

    def fact_sum(self, metric, rep, period, **where):
        Fact = self.env["sfa.fact"]
        domain = [
            ("metric", "=", metric),
            ("company_id", "=", self.company.id),
            ("date", ">=", period[0]),
            ("date", "<=", period[1]),
        ]
        if rep:
            domain.append(("user_id", "=", rep.id))
        domain += [(name, "=", value) for name, value in where.items()]
        measure = "amount" if Fact._sfa_unit(metric) == "amount" else "quantity"
        [(total,)] = Fact._read_group(domain, [], [f"{measure}:sum"])
        return round(total or 0.0, 2)

    def target_actual(self, rep, metric, period):
        return self.targets[rep.login, metric, period].actual_value

    def kpi(self, xmlid, rep, period):
        kpi = self.env.ref(xmlid)
        value = kpi._sfa_values(rep, self.company, *period)[kpi.id][rep.id]
        return round(value, 2) if value is not None else None

    def card(self, rep):
        with freeze_time("2026-02-25 12:00:00"):
            card = (
                self.env["sfa.performance.dashboard"]
                .with_user(self.director)
                .with_company(self.company)
                .with_context(sfa_period="this_month")
                .browse(rep.id)
            )
            return card.month_won, card.month_actual, card.month_credit

    def forecast_actual(self, rep, period):
        with freeze_time("2026-03-05 12:00:00"):
            rows = self.env["sfa.forecast"]._refresh_period(period[0])
        return sum(rows.filtered(lambda row: row.user_id == rep).mapped("actual"))

    def territory_actual(self, rep, period):
        """Won on Forecast by Territory, the deals' own rows (depth 0), as the
        director reads it."""
        rows = (
            self.env["sfa.forecast.territory"]
            .with_user(self.director)
            .with_company(self.company)
            ._read_group(
                [
                    ("user_id", "=", rep.id),
                    ("depth", "=", 0),
                    ("period_start", "=", period[0]),
                ],
                [],
                ["actual:sum"],
            )
        )
        return round(rows[0][0] or 0.0, 2)

    # ------------------------------------------------------------------

    def test_won_revenue_tells_one_story(self):
        """A deal won at 07:00 in Shanghai on 1 February is February's
        everywhere; one won at 22:00 in New York on 31 January, January's."""
        for rep, period, won in (
            (self.mei, FEBRUARY, 1000),
            (self.mei, JANUARY, 0),
            (self.nora, JANUARY, 2000),
            (self.nora, FEBRUARY, 0),
        ):
            with self.subTest(rep=rep.login, month=period[0].month):
                self.assertEqual(self.fact_sum("won_revenue", rep, period), won)
                self.assertEqual(self.target_actual(rep, "won_revenue", period), won)
                self.assertEqual(
                    self.kpi("sfa_performance.kpi_won_revenue", rep, period), won
                )
                self.assertEqual(
                    self.kpi("sfa_performance.kpi_deal_credit", rep, period), won
                )
                self.assertEqual(self.forecast_actual(rep, period), won)
                self.assertEqual(self.territory_actual(rep, period), won)
        self.assertEqual(self.card(self.mei), (1000, 1000, 1000))
        self.assertEqual(self.card(self.nora), (0, 0, 0))

    def test_a_usd_order_is_converted_at_the_rate_of_its_day(self):
        fact = self.env["sfa.fact"].search(
            [("metric", "=", "sales_amount"), ("partner_id", "=", self.alpha.id)]
        )
        self.assertEqual(fact.currency_id, self.env.ref("base.USD"))
        self.assertEqual(fact.amount_currency, 1100)
        self.assertEqual(fact.amount, 880, "1,100 USD at 1.25 on 20 February")
        self.assertEqual(fact.date, date(2026, 2, 20))
        self.assertEqual(self.fact_sum("sales_amount", self.mei, FEBRUARY), 880)
        self.assertEqual(self.target_actual(self.mei, "sales_amount", FEBRUARY), 880)
        self.assertEqual(self.fact_sum("sales_amount", self.nora, FEBRUARY), 500)
        self.assertEqual(self.target_actual(self.nora, "sales_amount", FEBRUARY), 500)
        self.assertEqual(self.fact_sum("invoiced_amount", self.nora, FEBRUARY), 500)
        values = self.env["sfa.customer.value"]
        values._sfa_compute(self.company, today=date(2026, 2, 28))
        by_customer = {
            value.partner_id: value
            for value in values.search([("company_id", "=", self.company.id)])
        }
        self.assertEqual(by_customer[self.alpha].sales_amount, 880)
        self.assertEqual(by_customer[self.bravo].sales_amount, 500)
        self.assertEqual(by_customer[self.bravo].invoiced_amount, 500)
        self.assertEqual(
            by_customer[self.alpha].sales_amount,
            self.fact_sum(
                "sales_amount",
                None,
                (date(2025, 2, 28), date(2026, 2, 28)),
                partner_id=self.alpha.id,
            ),
        )
        orders = self.kpi("sfa_performance.kpi_orders", self.mei, FEBRUARY)
        self.assertEqual(orders, 1)

    def test_every_contact_counts(self):
        self.assertEqual(self.alpha.sfa_last_contact_date, date(2026, 2, 22), "e-mail")
        self.assertEqual(self.bravo.sfa_last_contact_date, date(2026, 2, 23), "meeting")
        self.assertEqual(self.gamma.sfa_last_contact_date, date(2026, 1, 5), "order")
        # a confirmed order makes a customer, without any deal
        self.assertEqual(self.gamma.sfa_lifecycle_stage, "customer")
        with freeze_time("2026-02-25 12:00:00"):
            alerts = self.env["sfa.performance.alert"]._sfa_create_alerts()
        not_contacted = alerts.filtered(lambda a: a.user_id == self.nora).partner_ids
        self.assertEqual(not_contacted, self.gamma, "due since 4 February")
        values = self.env["sfa.customer.value"]
        values._sfa_compute(self.company, today=date(2026, 2, 28))
        alpha = values.search([("partner_id", "=", self.alpha.id)])
        self.assertEqual(alpha.last_contact_date, date(2026, 2, 22))
        # e-mail, and the confirmed order: orders count as contacts by default
        self.assertEqual(alpha.contact_count, 2)
