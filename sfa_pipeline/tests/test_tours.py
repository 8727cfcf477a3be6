from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestActionTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rep = new_test_user(
            cls.env,
            login="tour_action_rep",
            groups="sfa_base.group_sfa_rep",
            name="Rep Action Tour",
            tz="UTC",
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Tour Customer", "is_company": True, "user_id": cls.rep.id}
        )
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Tour Deal",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "user_id": cls.rep.id,
            }
        )

    def test_plan_visit_find_it_in_the_week_and_mark_it_done(self):
        self.start_tour(
            f"/odoo/crm/{self.lead.id}", "sfa_action_tour", login="tour_action_rep"
        )
        action = self.env["sfa.action"].search([("lead_id", "=", self.lead.id)])
        self.assertEqual(len(action), 1)
        self.assertEqual(
            action.action_type_id, self.env.ref("sfa_pipeline.sfa_action_type_visit")
        )
        self.assertEqual(action.user_id, self.rep)
        self.assertEqual(action.state, "done")
        self.assertEqual(action.outcome, "Customer agreed to a two-week trial")
        self.assertEqual(action.result, "positive")
        self.assertFalse(action.activity_id.active, "the activity is done too")
        self.assertTrue(action.calendar_event_id.active)
        self.env.cr.flush()  # what the commit runs first: facts, last contact
        self.assertEqual(
            self.customer.sfa_last_contact_date, fields.Date.context_today(action)
        )


@tagged("post_install", "-at_install")
class TestAnalysisTour(HttpCase):
    """A manager reads the stage analysis and the changes between two dates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="tour_analysis_manager",
            groups="sfa_base.group_sfa_manager",
            name="Manager Analysis Tour",
        )
        rep = new_test_user(
            cls.env,
            login="tour_analysis_rep",
            groups="sfa_base.group_sfa_rep",
            name="Rep Analysis Tour",
            sfa_manager_id=cls.manager.id,
        )
        Stage = cls.env["crm.stage"]
        new = Stage.create({"name": "Tour New", "sequence": 6001})
        qualified = Stage.create({"name": "Tour Qualified", "sequence": 6002})
        Lead = cls.env["crm.lead"]
        Snapshot = cls.env["sfa.pipeline.snapshot"]
        with freeze_time("2026-10-05 10:00:00"):
            cls.moved = Lead.create(
                {
                    "name": "October deal",
                    "type": "opportunity",
                    "user_id": rep.id,
                    "stage_id": new.id,
                    "expected_revenue": 1000,
                }
            )
            Snapshot._take_snapshot()
        with freeze_time("2026-11-02 10:00:00"):
            cls.moved.stage_id = qualified
            Lead.create(
                {
                    "name": "November deal",
                    "type": "opportunity",
                    "user_id": rep.id,
                    "stage_id": new.id,
                    "expected_revenue": 500,
                }
            )
            Snapshot._take_snapshot()

    def test_manager_reads_stage_and_change_analysis(self):
        self.start_tour("/odoo", "sfa_analysis_tour", login="tour_analysis_manager")
        change = self.env["sfa.pipeline.change"].search(
            [("create_uid", "=", self.manager.id)], order="id desc", limit=1
        )
        figures = {line.figure: line.deal_count for line in change.line_ids}
        self.assertEqual((figures["new"], figures["advanced"]), (1, 1))
