from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.sfa_base.tests.common import SfaCase

from ..models.sfa_kpi import SfaKpi


@tagged("post_install", "-at_install")
class TestKpi(SfaCase):
    """rep_a's March 2026, worked out by hand (every date in UTC).

    ====  =========  ===========  ===========  ======  =======================
    deal  customer   created      closed       amount  notes
    ====  =========  ===========  ===========  ======  =======================
    D1    P1         19 Feb       won 1 Mar      1000  10 days
    D2    P2         1 Mar        won 21 Mar     3000  20 days
    D3    P3         2 Mar        lost 15 Mar     500
    D4    P3         10 Mar       open            700  open at the end of March
    ====  =========  ===========  ===========  ======  =======================

    Orders for P1: 10 Feb, 5 Mar and 6 Mar (so P1 was a customer before
    March: new customers in March = P2 only). Actions planned in March: a
    30-minute call done on time, a 10-minute call done on time, a visit done
    two days late, a meeting not done. Ratings of rep_a in March: 5 and 3.
    rep_a's won-revenue target for March: 5000.

    won revenue 4000, 2 won, 1 lost: win rate 66.67 %, average deal size
    2000, cycle 15 days, velocity 1 x 2/3 x 2000 / 15 = 88.89 a day,
    adherence 2/4 = 50 %, calls 20 minutes, 1 visit, satisfaction 4,
    attainment 80 %, deal credit 4000 (both won without help). rep_b: none.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        (cls.rep_a | cls.rep_b).tz = False
        cls.company.partner_id.tz = False
        Partner = env["res.partner"]
        cls.p1, cls.p2, cls.p3 = Partner.create(
            [{"name": f"P{n}", "is_company": True} for n in (1, 2, 3)]
        )

        def deal(customer, amount, created):
            with freeze_time(created):
                return env["crm.lead"].create(
                    {
                        "name": f"{customer.name} {amount}",
                        "type": "opportunity",
                        "user_id": cls.rep_a.id,
                        "partner_id": customer.id,
                        "expected_revenue": amount,
                    }
                )

        d1 = deal(cls.p1, 1000, "2026-02-19 10:00:00")
        d2 = deal(cls.p2, 3000, "2026-03-01 10:00:00")
        d3 = deal(cls.p3, 500, "2026-03-02 10:00:00")
        d4 = deal(cls.p3, 700, "2026-03-10 10:00:00")
        env.flush_all()
        for lead, created in ((d1, "2026-02-19"), (d2, "2026-03-01")):
            # the database dates a record's creation itself
            env.cr.execute(
                SQL(
                    "UPDATE crm_lead SET create_date = %s WHERE id = %s",
                    f"{created} 10:00:00",
                    lead.id,
                )
            )
        env.invalidate_all()
        cls.deals = d1 | d2 | d3 | d4
        with freeze_time("2026-03-01 10:00:00"):
            d1.action_set_won()
        with freeze_time("2026-03-21 10:00:00"):
            d2.action_set_won()
        with freeze_time("2026-03-15 10:00:00"):
            d3.action_set_lost()
        env.cr.flush()

        product = env["product.product"].create(
            {"name": "Consulting", "type": "service", "taxes_id": [Command.clear()]}
        )
        for day in ("2026-02-10", "2026-03-05", "2026-03-06"):
            order = env["sale.order"].create(
                {
                    "partner_id": cls.p1.id,
                    "user_id": cls.rep_a.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "price_unit": 10})
                    ],
                }
            )
            with freeze_time(f"{day} 10:00:00"):
                order.action_confirm()

        Action = env["sfa.action"]

        def action(xmlid, start, hours, done=None):
            record = Action.create(
                {
                    "action_type_id": env.ref(f"sfa_pipeline.{xmlid}").id,
                    "user_id": cls.rep_a.id,
                    "partner_id": cls.p1.id,
                    "start": start,
                    "duration": hours,
                    "outcome": "Done.",
                }
            )
            if done:
                with freeze_time(done):
                    record.action_done()
            return record

        action(
            "sfa_action_type_call", "2026-03-02 09:00:00", 0.5, "2026-03-02 09:20:00"
        )
        action(
            "sfa_action_type_call", "2026-03-03 09:00:00", 1 / 6, "2026-03-03 09:05:00"
        )
        action("sfa_action_type_visit", "2026-03-04 09:00:00", 1, "2026-03-06 09:00:00")
        action("sfa_action_type_meeting", "2026-03-20 09:00:00", 1)

        ratings = env["rating.rating"]
        for value in (5, 3):
            ratings |= env["rating.rating"].create(
                {
                    "res_model_id": env["ir.model"]._get_id("crm.lead"),
                    "res_id": d1.id,
                    "rated_partner_id": cls.rep_a.partner_id.id,
                    "partner_id": cls.p1.id,
                    "rating": value,
                    "consumed": True,
                }
            )
        env.flush_all()
        # given on 25 March (Odoo dates the rating itself); a later change
        # of the record does not move it
        env.cr.execute(
            SQL(
                "UPDATE rating_rating SET rated_on = '2026-03-25 10:00:00',"
                " write_date = '2026-04-02 10:00:00' WHERE id IN %s",
                tuple(ratings.ids),
            )
        )

        plan = env["sfa.target.plan"].create(
            {
                "name": "2026",
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 12, 31),
            }
        )
        line = env["sfa.target.line"].create(
            {
                "plan_id": plan.id,
                "owner_type": "user",
                "user_id": cls.rep_a.id,
                "metric": "won_revenue",
                "date_from": date(2026, 3, 1),
                "date_to": date(2026, 3, 31),
                "target_value": 5000,
            }
        )
        plan.action_confirm()
        line._refresh_actuals()
        cls.Kpi = env["sfa.kpi"]

    def values(self, users=None):
        kpis = self.Kpi.search([])
        values = kpis._sfa_values(
            users or (self.rep_a | self.rep_b),
            self.company,
            date(2026, 3, 1),
            date(2026, 3, 31),
        )
        return {
            kpi.code: tuple(
                None if value is None else round(value, 2)
                for value in (
                    values[kpi.id].get(self.rep_a.id, 0.0),
                    values[kpi.id].get(self.rep_b.id, 0.0),
                )
            )
            for kpi in kpis
        }

    def test_every_kpi_of_the_month(self):
        self.assertEqual(
            self.values(),
            {
                "target_attainment": (80.0, None),
                "won_revenue": (4000.0, 0.0),
                "new_customers": (1.0, 0.0),
                "orders": (2.0, 0.0),
                "win_rate": (66.67, None),
                "avg_deal_size": (2000.0, None),
                "cycle_days": (15.0, None),
                "pipeline_velocity": (88.89, None),
                "action_adherence": (50.0, None),
                "visits": (1.0, 0.0),
                "call_minutes": (20.0, None),
                "satisfaction": (4.0, None),
                "deal_credit": (4000.0, 0.0),
            },
        )

    def test_queries_do_not_grow_with_the_salespeople(self):
        kpis = self.Kpi.search([])
        kpis._sfa_values(self.rep_a, self.company, date(2026, 3, 1), date(2026, 3, 31))
        counts = []
        for users in (self.rep_a, self.rep_a | self.rep_b | self.rep_c):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            kpis._sfa_values(users, self.company, date(2026, 3, 1), date(2026, 3, 31))
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1], "the same queries for 1 or 3 reps")

    def test_a_kpi_without_a_source_is_refused(self):
        def sources(kpi_model):
            return [("ghost", "Ghost"), *original(kpi_model)]

        original = SfaKpi._selection_source
        # assertRaises rolls back to a savepoint, as a failed request does
        with (
            patch.object(SfaKpi, "_selection_source", sources),
            self.assertRaises(ValidationError) as refused,
        ):
            self.Kpi.create({"code": "ghost", "name": "Ghost", "source": "ghost"})
        self.assertIn(
            "Nothing computes the source of KPI Ghost", str(refused.exception)
        )
        self.assertFalse(self.Kpi.search([("code", "=", "ghost")]))

    def test_an_administrator_adds_a_kpi_as_a_formula(self):
        """Revenue per visit: a record, no code."""
        per_visit = self.Kpi.create(
            {
                "code": "revenue_per_visit",
                "name": "Revenue per Visit",
                "unit": "amount",
                "formula": "won_revenue / done_visits",
            }
        )
        margin = self.Kpi.create(
            {
                "code": "sales_per_order",
                "name": "Sales per Order",
                "unit": "amount",
                "formula": "(sales_amount) / orders - -0",
            }
        )
        values = (per_visit | margin)._sfa_values(
            self.rep_a | self.rep_b, self.company, date(2026, 3, 1), date(2026, 3, 31)
        )
        self.assertEqual(
            values[per_visit.id], {self.rep_a.id: 4000.0, self.rep_b.id: None}
        )
        self.assertEqual(values[margin.id], {self.rep_a.id: 10.0, self.rep_b.id: None})
        # the administrator edits it: the next values follow
        per_visit.formula = "2 * won_revenue / (done_visits + 1)"
        values = per_visit._sfa_values(
            self.rep_a, self.company, date(2026, 3, 1), date(2026, 3, 31)
        )
        self.assertEqual(values[per_visit.id], {self.rep_a.id: 4000.0})

    def test_a_formula_is_checked_when_written(self):
        for formula, message in (
            ("won_revenue / nothing", "which no installed module measures"),
            ("__import__('os').system('true')", "must combine metrics"),
            ("won_revenue ** 2", "must combine metrics"),
            ("won_revenue.real", "must combine metrics"),
            ("12", "must combine metrics"),
            ("'won_revenue'", "must combine metrics"),
            ("won_revenue /", "must combine metrics"),
            (False, "must combine metrics"),
        ):
            with (
                self.subTest(formula=formula),
                self.assertRaises(ValidationError) as refused,
            ):
                self.Kpi.create({"code": "bad", "name": "Bad", "formula": formula})
            self.assertIn(message, str(refused.exception))
        self.assertFalse(self.Kpi.search([("code", "=", "bad")]))
        # a manager (not an administrator) does not edit KPIs
        kpi = self.env.ref("sfa_performance.kpi_win_rate")
        with self.assertRaises(AccessError):
            kpi.with_user(self.manager).formula = "won_deals"

    def test_the_period_is_the_days_of_the_salesperson(self):
        """A deal won on 31 March at 20:00 UTC is April's in Shanghai."""
        self.rep_a.tz = "Asia/Shanghai"
        late = self.env["crm.lead"].create(
            {
                "name": "Late",
                "type": "opportunity",
                "user_id": self.rep_a.id,
                "partner_id": self.p2.id,
                "expected_revenue": 500,
            }
        )
        with freeze_time("2026-03-31 20:00:00"):
            late.action_set_won()
        won_revenue = self.env.ref("sfa_performance.kpi_won_revenue")

        def month(start, end):
            return won_revenue._sfa_values(self.rep_a, self.company, start, end)[
                won_revenue.id
            ][self.rep_a.id]

        self.assertEqual(month(date(2026, 3, 1), date(2026, 3, 31)), 4000)
        self.assertEqual(month(date(2026, 4, 1), date(2026, 4, 30)), 500)
