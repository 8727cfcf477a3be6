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

    def test_running_targets_move_finished_ones_stay(self):
        year = self.rep_line(1200, date(2026, 1, 1), date(2026, 12, 31))
        self.split(year, split_by="time", period="quarter", user=self.supervisor)
        q1, q2, q3, q4 = year.child_ids
        wizard = self.hand_over(to_user_id=self.rep_b.id)
        counts = {line.model: line.count for line in wizard.line_ids}
        self.assertEqual(counts["sfa.target.line"], 4, "the year, Q2, Q3 and Q4")
        self.assertEqual((year | q2 | q3 | q4).user_id, self.rep_b)
        self.assertEqual(q1.user_id, self.rep_a, "Q1 was over: it stays theirs")
        self.assertEqual(year.owner_user_id, self.rep_b)

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
