import io
from datetime import date

import openpyxl
from freezegun import freeze_time

from odoo.tests import tagged

from .test_alerts import AlertCase
from .xlsx_common import exported


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

    def cards(self, user, period=None):
        Card = self.Card.with_user(user)
        if period:
            Card = Card.with_context(sfa_period=period)
        return Card.search(self.sales_force)

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
        cards = {
            card.user_id: card for card in self.cards(self.supervisor, "this_month")
        }
        card_a, card_b = cards[self.rep_a], cards[self.rep_b]
        self.assertEqual(card_a.period_label, "June 2026 (to date)")
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
        # the supervisor's card rolls up the team: their own figures (none)
        # and their two reps'
        team = cards[self.supervisor]
        self.assertEqual(
            (
                team.team_size,
                team.team_target,
                team.team_won,
                team.team_attainment,
                team.team_credit,
                team.team_pipeline_amount,
                team.team_pipeline_count,
                team.team_overdue_action_count,
                team.team_customer_due_count,
            ),
            (2, 6000, 3000, 50, 3000, 500, 1, 1, 1),
        )
        self.assertEqual(card_a.team_size, 0, "a rep has no team")
        manager = (
            self.Card.with_user(self.manager)
            .with_context(sfa_period="this_month")
            .search([("user_id", "=", self.manager.id)])
        )
        self.assertEqual(
            (manager.team_size, manager.team_target, manager.team_won), (3, 6000, 3000)
        )
        action = card_b.action_open_overdue_actions()
        self.assertEqual(
            self.env["sfa.action"].with_user(self.supervisor).search(action["domain"]),
            self.call_b,
        )
        # "won" and "deal credit" open the facts that add up to them
        Fact = self.env["sfa.fact"].with_user(self.supervisor)
        for card in (card_a, card_b):
            for method, figure in (
                ("action_open_won_facts", card.month_won),
                ("action_open_credit_facts", card.month_credit),
            ):
                action = getattr(card, method)()
                self.assertEqual(action["res_model"], "sfa.fact")
                [(total,)] = Fact._read_group(action["domain"], [], ["amount:sum"])
                self.assertAlmostEqual(total or 0.0, figure, msg=method)

    @freeze_time("2026-06-20 12:00:00")
    def test_export_xlsx(self):
        (self.june_a | self.june_b)._refresh_actuals()
        name, raw = exported(self.cards(self.supervisor, "this_month"))
        self.assertEqual(name, "Team Performance June 2026 (to date).xlsx")
        book = openpyxl.load_workbook(io.BytesIO(raw))
        sheet = book["Team"]
        self.assertEqual(sheet["A1"].value, "Team Performance")
        self.assertEqual(
            [cell.value for cell in sheet[4]][:9],
            [
                "Salesperson",
                "Manager",
                "Target",
                "Actual",
                "Attainment (%)",
                "Won",
                "Deal Credit",
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
        cached = openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
        self.assertEqual(cached["Team"]["D8"].value, 3000)

    @freeze_time("2026-07-02 12:00:00")
    def test_the_last_complete_period_by_default(self):
        """On 2 July the dashboard shows June (not two days of July); the
        last quarter adds June's month target of rep_a (their 2026 target is
        a year's, not the quarter's); the year under way takes the year's."""
        self.june_a._refresh_actuals()
        card = self.cards(self.supervisor).filtered(lambda c: c.user_id == self.rep_a)
        self.assertEqual(
            (card.period_label, card.month_target, card.month_won, card.month_credit),
            ("June 2026", 3000, 1000, 1000),
        )
        expected = {
            "quarter": ("2026 Q2", 3000, 1000),
            "year": ("2025", 0, 0),
            "this_year": ("2026 (to date)", 50000, 1000),
        }
        for period, figures in expected.items():
            card_p = card.with_context(sfa_period=period)
            self.assertEqual(
                (card_p.period_label, card_p.month_target, card_p.month_won),
                figures,
                period,
            )

    @freeze_time("2026-06-20 12:00:00")
    def test_a_split_target_counts_once_in_the_team(self):
        """The supervisor holds 6000 for June, of which rep_b's 3000 is a part:
        the team's target is 6000 + rep_a's 3000, not 12000."""
        own = self.Line.create(
            {
                "plan_id": self.plan.id,
                "owner_type": "user",
                "user_id": self.supervisor.id,
                "metric": "won_revenue",
                "date_from": date(2026, 6, 1),
                "date_to": date(2026, 6, 30),
                "target_value": 6000,
            }
        )
        self.june_b.parent_id = own
        team = self.cards(self.manager, "this_month").filtered(
            lambda c: c.user_id == self.supervisor
        )
        self.assertEqual((team.month_target, team.team_target), (6000, 9000))

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
            with self.assertQueryCount(14):
                cards.mapped("month_attainment")
