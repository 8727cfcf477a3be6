import calendar
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from .common import TargetCase


@tagged("post_install", "-at_install")
class TestFacts(TargetCase):
    """Which company and which day a fact belongs to, worked out by hand.

    rep_a works in Shanghai (UTC+8), rep_b's time zone is one PostgreSQL does
    not know, rep_c has none; the company is in Ho Chi Minh City (UTC+7).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rep_a.tz = "Asia/Shanghai"
        cls.rep_c.tz = False
        cls.company.partner_id.tz = "Asia/Ho_Chi_Minh"
        cls.cr.execute(
            SQL(
                "UPDATE res_partner SET tz = 'Mars/Olympus' WHERE id = %s",
                cls.rep_b.partner_id.id,
            )
        )
        cls.env.invalidate_all()
        cls.product = cls.env["product.product"].create(
            {"name": "Consulting", "type": "service", "taxes_id": [Command.clear()]}
        )

    def win(self, user, amount, moment, customer=None):
        lead = self.env["crm.lead"].create(
            {
                "name": f"Deal {amount}",
                "type": "opportunity",
                "user_id": user.id,
                "partner_id": (customer or self.cust_b).id,
                "expected_revenue": amount,
            }
        )
        with freeze_time(moment):
            lead.action_set_won()
        return lead

    def order(self, user, customer, moment, company=None):
        so = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": user.id,
                "company_id": (company or self.company).id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "price_unit": 100,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        with freeze_time(moment):
            so.action_confirm()
        return so

    def actuals(self, metric, *rows):
        """{key: actual} for (key, owner type, owner, company, from, to)."""
        self.env.flush_all()
        return self.Line._sfa_metric_actuals(metric, list(rows))

    def months(self, metric, owner_type, owner_id, company, *months):
        """Actuals of the 2026 months given, for one owner."""
        result = self.actuals(
            metric,
            *[
                (
                    month,
                    owner_type,
                    owner_id,
                    company.id,
                    date(2026, month, 1),
                    date(2026, month, calendar.monthrange(2026, month)[1]),
                )
                for month in months
            ],
        )
        return [result.get(month, 0.0) for month in months]

    def test_a_first_order_notes_the_lifecycle_change_once(self):
        """The order's facts make the buyer a customer when the transaction
        commits: its chatter says so once (Odoo's tracking runs after the
        refresh has settled, not on the way)."""
        self.run_commit_hooks()
        env = self.tracked_env()
        buyer = env["res.partner"].create({"name": "Fresh Buyer"})
        self.run_commit_hooks()
        self.assertNotEqual(buyer.sfa_lifecycle_stage, "customer")
        order = env["sale.order"].create(
            {
                "partner_id": buyer.id,
                "user_id": self.rep_a.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "price_unit": 100,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        self.run_commit_hooks()
        self.assertEqual(buyer.sfa_lifecycle_stage, "customer")
        changes = env["mail.tracking.value"].search(
            [
                ("field_id.name", "=", "sfa_lifecycle_stage"),
                ("mail_message_id.model", "=", "res.partner"),
                ("mail_message_id.res_id", "=", buyer.id),
            ]
        )
        self.assertEqual(len(changes), 1, changes.mapped("new_value_char"))
        self.assertEqual(changes.new_value_char, "Customer")

    def test_facts_are_dated_on_the_salespersons_calendar(self):
        # 23:00 UTC on 31 Jan is 07:00 on 1 Feb in Shanghai
        self.win(self.rep_a, 10, "2026-01-31 23:00:00")
        # 15:30 UTC on 28 Feb is 23:30 that day in Shanghai
        self.win(self.rep_a, 20, "2026-02-28 15:30:00")
        # rep_c has no time zone: the company's; 18:00 UTC is 01:00 on 1 April
        self.win(self.rep_c, 40, "2026-03-31 18:00:00")
        # rep_b's time zone is unknown to PostgreSQL: the company's, not a crash
        self.win(self.rep_b, 80, "2026-04-30 17:30:00")
        company = self.company
        self.assertEqual(
            self.months("won_revenue", "user", self.rep_a.id, company, 1, 2),
            [0.0, 30.0],
        )
        self.assertEqual(
            self.months("won_revenue", "company", company.id, company, 1, 2, 3, 4, 5),
            [0.0, 30.0, 0.0, 40.0, 80.0],
        )
        self.assertEqual(
            self.months("won_deals", "company", company.id, company, 2, 4, 5),
            [2.0, 1.0, 1.0],
        )

    def test_orders_and_done_days_follow_the_same_calendar(self):
        newcomer = self.env["res.partner"].create(
            {"name": "Newcomer", "is_company": True}
        )
        self.order(self.rep_a, newcomer, "2026-05-31 20:00:00")  # 1 June in Shanghai
        company = self.company
        self.assertEqual(
            self.months("sales_amount", "user", self.rep_a.id, company, 5, 6),
            [0.0, 100.0],
        )
        self.assertEqual(
            self.months("new_customers", "user", self.rep_a.id, company, 5, 6),
            [0.0, 1.0],
        )

    def test_a_deal_without_a_company_counts_for_its_team_or_rep(self):
        team_2 = self.env["crm.team"].create(
            {"name": "Team Abroad", "company_id": self.company_2.id}
        )
        abroad = self.win(self.rep_c, 300, "2026-06-10 04:00:00")
        home = self.win(self.rep_c, 50, "2026-06-11 04:00:00")
        self.env.flush_all()
        # Odoo allows deals of no company
        self.env.cr.execute(
            SQL(
                "UPDATE crm_lead SET company_id = NULL,"
                " team_id = CASE WHEN id = %s THEN %s END WHERE id IN %s",
                abroad.id,
                team_2.id,
                (abroad.id, home.id),
            )
        )
        # changed behind the ORM's back: the nightly rebuild catches it
        self.env["sfa.fact"]._sfa_rebuild(["won_revenue"])
        june = (date(2026, 6, 1), date(2026, 6, 30))
        result = self.actuals(
            "won_revenue",
            (1, "company", self.company.id, self.company.id, *june),
            (2, "company", self.company_2.id, self.company_2.id, *june),
        )
        self.assertEqual(result, {1: 50.0, 2: 300.0}, "the rep's company, the team's")

    def test_a_customer_is_new_once_per_company(self):
        newcomer = self.env["res.partner"].create(
            {"name": "Newcomer", "is_company": True}
        )
        self.win(self.rep_c, 10, "2026-02-10 04:00:00", customer=newcomer)
        self.win(self.rep_c, 10, "2026-03-10 04:00:00", customer=newcomer)
        self.order(self.env.user, newcomer, "2026-05-05 04:00:00", self.company_2)
        year = (date(2026, 1, 1), date(2026, 12, 31))
        result = self.actuals(
            "new_customers",
            (1, "company", self.company.id, self.company.id, *year),
            (2, "company", self.company_2.id, self.company_2.id, *year),
            (
                3,
                "user",
                self.rep_c.id,
                self.company.id,
                date(2026, 2, 1),
                date(2026, 2, 28),
            ),
        )
        self.assertEqual(result, {1: 1.0, 2: 1.0, 3: 1.0})

    def test_firsts_are_credited_deterministically(self):
        newcomer = self.env["res.partner"].create(
            {"name": "Newcomer", "is_company": True}
        )
        # the order is confirmed first, an hour before the first deal wins
        self.order(self.rep_b, newcomer, "2026-07-07 02:00:00")
        self.win(self.rep_c, 10, "2026-07-07 03:00:00", customer=newcomer)
        self.win(self.rep_a, 10, "2026-07-07 03:30:00", customer=newcomer)
        july = (date(2026, 7, 1), date(2026, 7, 31))
        users = (self.rep_a, self.rep_b, self.rep_c)

        def credited():
            return self.actuals(
                "new_customers",
                *[(user.id, "user", user.id, self.company.id, *july) for user in users],
            )

        self.assertEqual(credited(), {self.rep_b.id: 1.0}, "the first sale")
        # a deal won at the same moment as the order comes first, then the
        # older record
        other = self.env["res.partner"].create({"name": "Other", "is_company": True})
        self.order(self.rep_b, other, "2026-07-08 02:00:00")
        self.win(self.rep_c, 10, "2026-07-08 02:00:00", customer=other)
        self.win(self.rep_a, 10, "2026-07-08 02:00:00", customer=other)
        self.assertEqual(credited(), {self.rep_b.id: 1.0, self.rep_c.id: 1.0})
