from datetime import date

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTargetTours(HttpCase):
    """A manager splits a territory's yearly target over its reps, then one
    rep's over the quarters; the rep follows their progress."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env

        def user(login, role, name, manager=None):
            return new_test_user(
                env,
                login=login,
                groups=f"sfa_base.group_sfa_{role}",
                name=name,
                tz="UTC",
                sfa_manager_id=manager.id if manager else False,
            )

        cls.manager = user("tour_targets_manager", "manager", "Tour Manager")
        cls.rep_one = user("tour_targets_rep", "rep", "Tour Rep One", cls.manager)
        cls.rep_two = user("tour_targets_rep2", "rep", "Tour Rep Two", cls.manager)
        cls.territory = env["sfa.territory"].create(
            {
                "name": "Tour Territory",
                "code": "TOUR",
                "manager_id": cls.manager.id,
                "member_ids": [(6, 0, (cls.rep_one | cls.rep_two).ids)],
            }
        )
        year = fields.Date.context_today(env["sfa.target.plan"]).year
        cls.plan = env["sfa.target.plan"].create(
            {
                "name": "Tour Plan",
                "date_from": date(year, 1, 1),
                "date_to": date(year, 12, 31),
            }
        )
        cls.year_line = env["sfa.target.line"].create(
            {
                "plan_id": cls.plan.id,
                "owner_type": "territory",
                "territory_id": cls.territory.id,
                "metric": "won_revenue",
                "date_from": date(year, 1, 1),
                "date_to": date(year, 12, 31),
                "target_value": 8000,
            }
        )
        deal = env["crm.lead"].create(
            {
                "name": "Tour won deal",
                "type": "opportunity",
                "user_id": cls.rep_one.id,
                "expected_revenue": 1000,
            }
        )
        deal.action_set_won()
        env.cr.flush()  # as the commit does: the deal's facts are written

    def test_manager_splits_by_rep_and_quarter_and_the_rep_sees_progress(self):
        self.start_tour(
            f"/odoo/sfa.target.line/{self.year_line.id}",
            "sfa_targets_split_tour",
            login="tour_targets_manager",
        )
        reps = self.year_line.child_ids
        self.assertEqual(reps.user_id, self.rep_one | self.rep_two)
        self.assertEqual(reps.mapped("target_value"), [4000, 4000])
        rep_one = reps.filtered(lambda line: line.user_id == self.rep_one)
        self.assertEqual(rep_one.child_ids.mapped("target_value"), [1000] * 4)
        self.assertEqual(set(rep_one.child_ids.mapped("period_type")), {"quarter"})
        self.assertEqual(rep_one.actual_value, 1000, "actuals refreshed on split")
        self.assertEqual(rep_one.attainment, 25)
        self.start_tour("/odoo", "sfa_my_targets_tour", login="tour_targets_rep")
