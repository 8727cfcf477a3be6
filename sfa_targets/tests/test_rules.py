from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TargetCase


@tagged("post_install", "-at_install")
class TestTargetRules(TargetCase):
    def rep_line(self, user, value=100, plan=None, **dates):
        return self.Line.create(
            {
                "plan_id": (plan or self.plan).id,
                "owner_type": "user",
                "user_id": user.id,
                "metric": "won_revenue",
                "date_from": dates.get("start", date(2026, 1, 1)),
                "date_to": dates.get("end", date(2026, 12, 31)),
                "target_value": value,
            }
        )

    def test_negative_target_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.rep_line(self.rep_a, value=-1)
        line = self.rep_line(self.rep_a)
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            line.target_value = -5
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.cr.savepoint():
                self.env.cr.execute(
                    "UPDATE sfa_target_line SET target_value = -1 WHERE id = %s",
                    [line.id],
                )

    def test_targets_keep_the_precision_they_split_at(self):
        deals = self.year_line(10.4, metric="won_deals", user=self.rep_a)
        revenue = self.rep_line(self.rep_b, value=1000.006)
        self.assertEqual(deals.target_value, 10.0, "whole deals")
        self.assertEqual(revenue.target_value, 1000.01, "cents")
        revenue.write({"target_value": 2.004, "stretch_value": 3.336})
        self.assertEqual((revenue.target_value, revenue.stretch_value), (2.0, 3.34))
        self.split(deals, split_by="time", period="quarter", user=self.supervisor)
        self.assertEqual(deals.child_ids.mapped("target_value"), [3.0, 3.0, 2.0, 2.0])
        self.assertFalse(deals.split_mismatch)

    def test_overlap_refused_in_confirmed_plans_only(self):
        self.rep_line(self.rep_a, end=date(2026, 6, 30))
        second = self.rep_line(self.rep_a, start=date(2026, 6, 1))
        with self.assertRaises(ValidationError) as caught:
            self.plan.action_confirm()
        self.assertIn("same owner, metric and days", str(caught.exception))
        self.assertEqual(self.plan.state, "draft", "nothing half-written")
        second.date_from = date(2026, 7, 1)
        self.plan.action_confirm()
        with self.assertRaisesRegex(ValidationError, "same owner, metric and days"):
            self.rep_line(self.rep_a, start=date(2026, 3, 1), end=date(2026, 3, 31))

    def test_a_split_is_not_an_overlap(self):
        year = self.rep_line(self.rep_a, value=1200)
        self.split(year, split_by="time", period="quarter", user=self.supervisor)
        self.plan.action_confirm()
        self.assertEqual(self.plan.state, "confirmed")

    def test_overlap_across_confirmed_plans(self):
        self.rep_line(self.rep_a)
        self.plan.action_confirm()
        other = self.Plan.create(
            {
                "name": "Second 2026 plan",
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 12, 31),
            }
        )
        self.rep_line(self.rep_a, plan=other)
        with self.assertRaisesRegex(ValidationError, "same owner, metric and days"):
            other.action_confirm()

    def test_locked_plan_is_read_only(self):
        line = self.rep_line(self.rep_a)
        self.plan.action_confirm()
        self.plan.action_lock()
        for user in (self.director, self.supervisor):
            with self.assertRaisesRegex(UserError, "locked"):
                line.with_user(user).target_value = 5
            with self.assertRaisesRegex(UserError, "locked"):
                line.with_user(user).unlink()
        with self.assertRaisesRegex(UserError, "locked"):
            self.plan.with_user(self.director).name = "Renamed"
        with self.assertRaisesRegex(UserError, "locked"):
            self.plan.with_user(self.director).action_reset_to_draft()
        with self.assertRaisesRegex(UserError, "locked"):
            self.plan.with_user(self.director).write({"state": "draft"})
        self.assertEqual(self.plan.state, "locked")
        with self.assertRaisesRegex(UserError, "locked"):
            self.rep_line(self.rep_b)
        self.assertEqual(line.target_value, 100)

    def test_reps_read_their_targets_and_only_managers_set_them(self):
        line_a = self.rep_line(self.rep_a)
        line_b = self.rep_line(self.rep_b)
        line_c = self.rep_line(self.rep_c)
        company = self.company_line(1000)
        Line = self.Line.with_user(self.rep_a)
        self.assertEqual(
            Line.search([("plan_id", "=", self.plan.id)]), line_a | company
        )
        with self.assertRaises(AccessError):
            line_a.with_user(self.rep_a).target_value = 1
        with self.assertRaises(AccessError):
            line_b.with_user(self.rep_a).read(["target_value"])
        self.assertEqual(line_a.target_value, 100, "nothing written")
        supervisor_sees = self.Line.with_user(self.supervisor).search(
            [("plan_id", "=", self.plan.id)]
        )
        self.assertEqual(supervisor_sees, line_a | line_b | company)
        line_a.with_user(self.supervisor).target_value = 150
        self.assertEqual(line_a.target_value, 150)
        with self.assertRaisesRegex(AccessError, "managers of"):
            company.with_user(self.manager).target_value = 5
        with self.assertRaises(AccessError):
            line_c.with_user(self.supervisor).target_value = 5
        own = self.rep_line(self.supervisor)
        with self.assertRaisesRegex(AccessError, "managers of Supervisor"):
            own.with_user(self.supervisor).target_value = 5
        own.with_user(self.manager).target_value = 5
        self.assertEqual(
            self.Line.with_user(self.director).search([("plan_id", "=", self.plan.id)]),
            line_a | line_b | line_c | company | own,
        )

    def test_plan_buttons_are_shown_to_who_may_move_the_plan(self):
        """Confirm, Lock and Back to Draft change the plan: a rep, a
        supervisor or a manager of the sales force (who may not write plans)
        does not see them; the director does."""
        Plan = self.env["sfa.target.plan"]
        for user in (self.rep_a, self.supervisor, self.manager):
            arch = Plan.with_user(user).get_view(view_type="form")["arch"]
            self.assertNotIn('name="action_lock"', arch, user.name)
            self.assertNotIn('name="action_reset_to_draft"', arch, user.name)
            self.assertNotIn('name="action_confirm"', arch, user.name)
            self.assertFalse(Plan.with_user(user).has_access("write"), user.name)
        arch = Plan.with_user(self.director).get_view(view_type="form")["arch"]
        for button in ("action_lock", "action_reset_to_draft", "action_confirm"):
            self.assertIn(f'name="{button}"', arch)

    def test_targets_nobody_answers_for(self):
        """The company's target is everyone's to read; a territory's without
        a manager is read and set from the territories above; a team's
        without a leader only by directors."""
        company = self.company_line(1000)
        lille = self.year_line(100, territory=self.t_lille)
        france = self.france_line(900)
        team = self.year_line(50, team=self.env["crm.team"].create({"name": "Free"}))
        self.assertFalse((lille | france | team).owner_user_id)

        def seen(user):
            return self.Line.with_user(user).search([("plan_id", "=", self.plan.id)])

        self.assertEqual(seen(self.rep_a), company)
        self.assertEqual(seen(self.rep_c), company)
        self.assertEqual(seen(self.manager), company | lille)
        self.assertEqual(seen(self.territory_manager), company)
        self.assertEqual(seen(self.director), company | lille | france | team)
        with self.assertRaisesRegex(AccessError, "managers of Lille"):
            lille.with_user(self.territory_manager).target_value = 5
        lille.with_user(self.manager).target_value = 120
        self.assertEqual(lille.target_value, 120)
        with self.assertRaisesRegex(AccessError, "managers of France"):
            france.with_user(self.manager).target_value = 5
        with self.assertRaisesRegex(AccessError, "managers of Free"):
            team.with_user(self.manager).target_value = 5
        france.with_user(self.director).target_value = 950
        self.assertEqual(france.target_value, 950)

    def test_rep_cannot_split_or_create(self):
        line_a = self.rep_line(self.rep_a)
        with self.assertRaises(AccessError):
            self.split(line_a, user=self.rep_a, split_by="time")
        self.assertFalse(line_a.child_ids)

    def test_children_stay_within_their_parent(self):
        line = self.rep_line(self.rep_a, end=date(2026, 6, 30))
        with self.assertRaisesRegex(ValidationError, "runs outside"):
            self.Line.create(
                {
                    "plan_id": self.plan.id,
                    "parent_id": line.id,
                    "owner_type": "user",
                    "user_id": self.rep_a.id,
                    "metric": "won_revenue",
                    "date_from": date(2026, 6, 1),
                    "date_to": date(2026, 7, 31),
                    "target_value": 1,
                }
            )

    def test_nightly_refresh_skips_drafts_and_old_plans(self):
        line = self.rep_line(self.rep_a)
        won = self.env["crm.lead"].create(
            {
                "name": "Won in May",
                "type": "opportunity",
                "user_id": self.rep_a.id,
                "expected_revenue": 300,
            }
        )
        with freeze_time("2026-05-04 10:00:00"):
            won.action_set_won()
        with freeze_time("2026-06-01"):
            self.Plan._cron_refresh_actuals()
            self.assertEqual(line.actual_value, 0, "a draft plan is not refreshed")
            self.plan.action_confirm()
            self.Plan._cron_refresh_actuals()
            self.assertEqual(line.actual_value, 300)
        won.expected_revenue = 500
        with freeze_time("2027-03-01"):
            self.Plan._cron_refresh_actuals()
        self.assertEqual(line.actual_value, 300, "a plan over for months is left alone")

    def test_each_tree_starts_at_the_top_targets_one_may_read(self):
        france = self.france_line(900)
        self.t_country.manager_id = self.director
        self.split(france, owner_type="territory", org_method="equal")
        north = france.child_ids.filtered(
            lambda line: line.territory_id == self.t_north
        )
        domain = [("plan_id", "=", self.plan.id), ("sfa_tree_root", "=", True)]
        self.assertEqual(self.Line.with_user(self.director).search(domain), france)
        self.assertEqual(
            self.Line.with_user(self.manager).search(domain),
            north,
            "France is the director's: the manager's tree starts at the North",
        )
        tree = (
            self.env["sfa.target.plan"]
            .with_user(self.manager)
            .browse(self.plan.id)
            .action_view_tree()
        )
        self.assertEqual(
            self.Line.with_user(self.manager).search(tree["domain"]), north
        )
        # what the hierarchy view asks for its roots
        rows = self.Line.with_user(self.manager).hierarchy_read(
            [("plan_id", "=", self.plan.id), ("parent_id", "=", False)],
            {"name": {}},
            "parent_id",
            "child_ids",
        )
        self.assertIn(north.id, [row["id"] for row in rows])
        self.assertNotIn(france.id, [row["id"] for row in rows])
        north_row = next(row for row in rows if row["id"] == north.id)
        self.assertFalse(north_row["parent_id"], "the unreadable parent is not shown")

    def test_state_and_owner_shortcuts_are_closed(self):
        line = self.rep_line(self.rep_a)
        self.assertFalse(line.territory_id)
        line.write({"owner_type": "user", "territory_id": self.t_north.id})
        self.assertFalse(line.territory_id, "a salesperson's target has no territory")
        with self.assertRaisesRegex(UserError, "Confirm a plan"):
            self.plan.action_lock()
        self.rep_line(self.rep_a, start=date(2026, 6, 1))
        with self.assertRaisesRegex(AccessError, "set by the system"):
            self.plan.with_user(self.director).write({"state": "confirmed"})
        with self.assertRaises(ValidationError) as caught:
            self.plan.with_user(self.director).action_confirm()
        self.assertIn("same owner, metric and days", str(caught.exception))

    def test_the_split_wizard_keeps_to_what_one_may_split(self):
        line_c = self.rep_line(self.rep_c)
        with self.assertRaises(AccessError):
            self.wizard(line_c, user=self.supervisor, split_by="time")
        france = self.france_line(900)
        wizard = self.wizard(france, owner_type="territory", org_method="weights")
        north, south = wizard.child_ids.sorted("name")
        north.weight, south.weight = 150, -50
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            wizard.action_apply()
        north.weight, south.weight = 50, 50
        south.owner_id = self.t_lille.id
        with self.assertRaisesRegex(UserError, "owners proposed"):
            wizard.action_apply()
        self.assertFalse(france.child_ids, "nothing written")

    def test_a_target_cannot_be_moved_into_a_locked_plan(self):
        locked = self.Plan.create(
            {
                "name": "Old",
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 12, 31),
            }
        )
        locked.action_confirm()
        locked.action_lock()
        line = self.rep_line(self.rep_a)
        with self.assertRaises(UserError):
            line.with_user(self.supervisor).plan_id = locked
        self.assertEqual(line.plan_id, self.plan, "nothing written")
