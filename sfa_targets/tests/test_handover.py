from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import TargetCase


@tagged("post_install", "-at_install")
class TestTargetHandover(TargetCase):
    """rep_a leaves in mid-June 2026: their running targets go to the
    successor, with the targets they are split into; finished ones stay."""

    def rep_line(self, value, start, end, plan=None):
        return self.Line.create(
            {
                "plan_id": (plan or self.plan).id,
                "owner_type": "user",
                "user_id": self.rep_a.id,
                "metric": "won_revenue",
                "date_from": start,
                "date_to": end,
                "target_value": value,
            }
        )

    def hand_over(self, user=None, **values):
        wizard = (
            self.env["sfa.handover.wizard"]
            .with_user(user or self.manager)
            .create({"from_user_id": self.rep_a.id, **values})
        )
        with freeze_time("2026-06-15"):
            wizard.action_preview()
            wizard.action_apply()
        return wizard

    def won(self, user, amount, day):
        lead = self.env["crm.lead"].create(
            {
                "name": f"Deal {amount}",
                "type": "opportunity",
                "user_id": user.id,
                "partner_id": self.cust_b.id,
                "expected_revenue": amount,
            }
        )
        with freeze_time(day):
            lead.action_set_won()

    def test_running_targets_move_finished_ones_stay(self):
        year = self.rep_line(1200, date(2026, 1, 1), date(2026, 12, 31))
        self.split(year, split_by="time", period="quarter", user=self.supervisor)
        q1, q2, q3, q4 = year.child_ids
        self.won(self.rep_a, 100, "2026-03-10 10:00:00")  # Q1, rep_a's
        self.won(self.rep_a, 20, "2026-05-10 10:00:00")  # Q2, before the hand-over
        self.won(self.rep_b, 7, "2026-05-11 10:00:00")  # rep_b's own, before it
        wizard = self.hand_over(to_user_id=self.rep_b.id)
        self.won(self.rep_b, 3000, "2026-08-01 10:00:00")  # Q3, now rep_b's
        counts = {line.model: line.count for line in wizard.line_ids}
        self.assertEqual(counts["sfa.target.line"], 4, "the year, Q2, Q3 and Q4")
        self.assertEqual((year | q2 | q3 | q4).user_id, self.rep_b)
        self.assertEqual(q1.user_id, self.rep_a, "Q1 was over: it stays theirs")
        self.assertEqual(year.owner_user_id, self.rep_b)
        self.assertEqual(
            [(h.user_id, h.date_from, h.date_to) for h in year.holder_ids],
            [(self.rep_a, date(2026, 1, 1), date(2026, 6, 14))],
        )
        self.assertEqual(q2.holder_ids.date_from, date(2026, 4, 1))
        self.assertFalse(q3.holder_ids, "Q3 had not started")
        (year | year.child_ids)._refresh_actuals()
        self.assertEqual(
            (year | q1 | q2 | q3 | q4).mapped("actual_value"),
            [3120.0, 100.0, 20.0, 3000.0, 0.0],
            "rep_a's results until 14 June, rep_b's from 15 June",
        )

    def test_a_successor_with_the_same_target_keeps_their_own(self):
        """rep_b already has a 2026 revenue target in the confirmed plan:
        rep_a's stays with rep_a, to split again; the rest moves."""
        year = self.rep_line(1200, date(2026, 1, 1), date(2026, 12, 31))
        self.split(year, split_by="time", period="quarter", user=self.supervisor)
        deals = self.year_line(10, metric="won_deals", user=self.rep_a)
        own = self.year_line(900, user=self.rep_b)
        self.plan.action_confirm()
        self.hand_over(to_user_id=self.rep_b.id)
        self.assertEqual((year | year.child_ids).user_id, self.rep_a)
        self.assertEqual(deals.user_id, self.rep_b)
        self.assertEqual(own.user_id, self.rep_b)
        summary = self.rep_a.partner_id.message_ids[0].body
        self.assertIn("Targets Still Running: 1", summary)
        self.assertIn(
            "Targets Still Running left with Rep A (to reassign by hand): 4", summary
        )

    def test_spread_keeps_a_target_with_its_split(self):
        year = self.rep_line(1200, date(2026, 1, 1), date(2026, 12, 31))
        self.split(year, split_by="time", period="quarter", user=self.supervisor)
        h2 = self.rep_line(
            500,
            date(2026, 7, 1),
            date(2026, 12, 31),
            plan=self.Plan.create(
                {
                    "name": "Bonus plan",
                    "date_from": date(2026, 7, 1),
                    "date_to": date(2026, 12, 31),
                }
            ),
        )
        self.t_north.member_ids |= self.rep_c
        self.hand_over(
            user=self.director, mode="territory", territory_id=self.t_north.id
        )
        running = year | year.child_ids[1:]
        self.assertEqual(len(running.user_id), 1, "the year goes with its quarters")
        self.assertIn(running.user_id, self.rep_b | self.rep_c)
        self.assertIn(h2.user_id, self.rep_b | self.rep_c)
        self.assertNotEqual(h2.user_id, running.user_id, "least loaded first")

    def test_locked_plans_keep_their_targets(self):
        line = self.rep_line(100, date(2026, 1, 1), date(2026, 12, 31))
        self.plan.action_confirm()
        self.plan.action_lock()
        self.hand_over(to_user_id=self.rep_b.id)
        self.assertEqual(line.user_id, self.rep_a)
