import io

import openpyxl
from freezegun import freeze_time

from odoo.tests import tagged

from .test_alerts import AlertCase


@tagged("post_install", "-at_install")
class TestDashboard(AlertCase):
    """The team dashboard on 20 June 2026, on the alerts' fixture: rep_a has a
    June target of 3000 and won 1000 (Deal A, alone, so all its credit is
    theirs), owns Alpha (due for a visit) and an open deal of 500; rep_b won
    2000 and has the overdue call."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["crm.lead"].create(
            {
                "name": "Open deal",
                "type": "opportunity",
                "user_id": cls.rep_a.id,
                "partner_id": cls.cust_a.id,
                "expected_revenue": 500,
            }
        )
        cls.Card = cls.env["sfa.performance.dashboard"]
        cls.sales_force = [("in_sales_force", "=", True)]

    def cards(self, user):
        return self.Card.with_user(user).search(self.sales_force)

    def test_cards_per_role(self):
        cases = {
            self.rep_a: self.rep_a,
            self.supervisor: self.supervisor | self.rep_a | self.rep_b,
            self.manager_2: self.manager_2 | self.rep_c,
            self.manager: self.manager | self.supervisor | self.rep_a | self.rep_b,
            self.director: self.director
            | self.manager
            | self.manager_2
            | self.supervisor
            | self.rep_a
            | self.rep_b
            | self.rep_c
            | self.territory_manager,
        }
        for user, seen in cases.items():
            self.assertEqual(self.cards(user).user_id, seen, user.login)
        self.assertNotIn(
            self.env.ref("base.user_admin"),
            self.Card.search(self.sales_force).user_id,
            "only the sales force has cards",
        )

    @freeze_time("2026-06-20 12:00:00")
    def test_figures(self):
        (self.june_a | self.june_b)._refresh_actuals()
        cards = {card.user_id: card for card in self.cards(self.supervisor)}
        card_a, card_b = cards[self.rep_a], cards[self.rep_b]
        self.assertEqual(
            (
                card_a.month_target,
                card_a.month_actual,
                round(card_a.month_attainment, 2),
                card_a.month_won,
                card_a.month_credit,
                card_a.pipeline_amount,
                card_a.pipeline_count,
                card_a.overdue_action_count,
                card_a.customer_due_count,
            ),
            (3000, 1000, 33.33, 1000, 1000, 500, 1, 0, 1),
        )
        self.assertEqual(
            (
                card_b.month_actual,
                card_b.month_won,
                card_b.pipeline_count,
                card_b.overdue_action_count,
                card_b.customer_due_count,
            ),
            (2000, 2000, 0, 1, 0),
        )
        self.assertFalse(cards[self.supervisor].month_target)
        action = card_b.action_open_overdue_actions()
        self.assertEqual(
            self.env["sfa.action"].with_user(self.supervisor).search(action["domain"]),
            self.call_b,
        )

    @freeze_time("2026-06-20 12:00:00")
    def test_export_xlsx(self):
        (self.june_a | self.june_b)._refresh_actuals()
        action = self.cards(self.supervisor).action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        self.assertEqual(attachment.name, "Team Performance 2026-06.xlsx")
        book = openpyxl.load_workbook(io.BytesIO(attachment.raw))
        sheet = book["Team"]
        self.assertEqual(sheet["A1"].value, "Team Performance")
        self.assertEqual(
            [cell.value for cell in sheet[4]][:9],
            [
                "Salesperson",
                "Manager",
                "Month Target",
                "Month Actual",
                "Attainment (%)",
                "Won This Month",
                "Deal Credit This Month",
                "Open Pipeline",
                "Open Deals",
            ],
        )
        rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5)]
        # by manager's name: the supervisor (under "Manager"), then the reps
        self.assertEqual(
            [r[0] for r in rows], ["Supervisor", "Rep A", "Rep B", "Total"]
        )
        rep_a = rows[1]
        rep_a[4] = round(rep_a[4], 2)
        self.assertEqual(
            rep_a[1:9], ["Supervisor", 3000, 1000, 33.33, 1000, 1000, 500, 1]
        )
        self.assertEqual(rows[2][11], 1, "rep_b's overdue call")
        self.assertEqual(rows[3][3], "=SUM(D5:D7)")
        self.assertEqual(sheet.page_setup.orientation, "landscape")
        cached = openpyxl.load_workbook(io.BytesIO(attachment.raw), data_only=True)
        self.assertEqual(cached["Team"]["D8"].value, 3000)

    def test_queries_do_not_grow_with_the_team(self):
        """A fixed number of queries per company, whatever the number of cards."""
        small = self.Card.search([("user_id", "in", (self.rep_a | self.rep_b).ids)])
        large = self.Card.search(
            [*self.sales_force, ("company_id", "=", self.company.id)]
        )
        self.assertGreater(len(large), 2 * len(small))
        large.mapped("month_attainment")  # warm the caches of rules and groups
        for cards in (small, large):
            cards.invalidate_recordset()
            with self.assertQueryCount(12):
                cards.mapped("month_attainment")
