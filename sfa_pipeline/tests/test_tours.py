from datetime import timedelta

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


@tagged("post_install", "-at_install")
class TestMyDayPhoneTour(HttpCase):
    """At phone size, with touch: a rep opens My Day, calls, checks in and
    out, finishes the visit and plans the next; their manager opens the
    visit report."""

    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.manager = new_test_user(
            env,
            login="tour_visit_manager",
            groups="sfa_base.group_sfa_manager",
            name="Tour Visit Manager",
            tz="UTC",
        )
        cls.rep = new_test_user(
            env,
            login="tour_visit_rep",
            groups="sfa_base.group_sfa_rep",
            name="Tour Visit Rep",
            tz="UTC",
            sfa_manager_id=cls.manager.id,
        )
        (cls.rep | cls.manager).odoobot_state = "disabled"
        cls.customer = env["res.partner"].create(
            {
                "name": "Tour Visit Customer",
                "is_company": True,
                "user_id": cls.rep.id,
                "phone": "+33 3 20 00 00 99",
                "street": "1 rue Nationale",
                "city": "Lille",
                "partner_latitude": 50.6365,
                "partner_longitude": 3.0635,
            }
        )
        today = fields.Date.context_today(env["sfa.action"])
        cls.visit = (
            env["sfa.action"]
            .with_user(cls.rep)
            .create(
                {
                    "action_type_id": env.ref("sfa_pipeline.sfa_action_type_visit").id,
                    "partner_id": cls.customer.id,
                    "user_id": cls.rep.id,
                    "start": fields.Datetime.to_datetime(today).replace(hour=12),
                }
            )
        )

    def test_rep_visits_from_my_day_and_manager_reads_the_report(self):
        my_day = self.env.ref("sfa_pipeline.action_sfa_my_day")
        self.start_tour(
            f"/odoo/action-{my_day.id}", "sfa_my_day_tour", login="tour_visit_rep"
        )
        visit = self.visit
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.result, "positive")
        self.assertEqual(visit.checkin_location, "located")
        self.assertAlmostEqual(visit.checkin_distance, 0.3, places=1)
        self.assertTrue(visit.checkout_date)
        self.assertTrue(visit.next_action_id, "the next one is planned")
        report = self.env.ref("sfa_pipeline.action_sfa_visit_checkins")
        self.start_tour(
            f"/odoo/action-{report.id}",
            "sfa_visit_report_tour",
            login="tour_visit_manager",
        )

    def test_rep_plans_a_visit_to_a_customer_due(self):
        due = self.env["res.partner"].create(
            {"name": "Tour Due Customer", "is_company": True, "user_id": self.rep.id}
        )
        today = fields.Date.context_today(due)
        self.env.flush_all()
        # a customer last seen long ago: due five days ago
        self.env.cr.execute(
            "UPDATE res_partner SET sfa_next_visit_date = %s WHERE id = %s",
            (today - timedelta(days=5), due.id),
        )
        due.invalidate_recordset()
        self.assertEqual(due.with_user(self.rep).sfa_days_overdue, 5)
        action = self.env.ref("sfa_base.action_sfa_due_visits")
        self.start_tour(
            f"/odoo/action-{action.id}", "sfa_due_visit_tour", login="tour_visit_rep"
        )
        planned = self.env["sfa.action"].search([("partner_id", "=", due.id)])
        self.assertEqual(
            planned.action_type_id, self.env.ref("sfa_pipeline.sfa_action_type_visit")
        )
        self.assertEqual(planned.user_id, self.rep)

    def test_the_schedule_is_a_day_agenda_on_a_phone(self):
        action = self.env.ref("sfa_pipeline.action_sfa_action")
        self.start_tour(
            f"/odoo/action-{action.id}", "sfa_schedule_day_tour", login="tour_visit_rep"
        )
