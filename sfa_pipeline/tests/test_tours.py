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
        self.assertEqual(
            self.customer.sfa_last_contact_date, fields.Date.context_today(action)
        )
