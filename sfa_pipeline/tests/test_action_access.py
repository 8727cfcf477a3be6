from datetime import datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.sfa_base.tests.common import SfaCase

from .test_action import SfaActionCase


@tagged("post_install", "-at_install")
class TestActionAccess(SfaActionCase):
    """Actions follow the sales force's visibility rule, like their deals."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Action = cls.env["sfa.action"]

        def action(name, lead, user, **values):
            return Action.create(
                {
                    "name": name,
                    "action_type_id": cls.call.id,
                    "lead_id": lead.id,
                    "user_id": user.id if user else False,
                    "start": datetime(2030, 3, 4, 9, 0),
                    **values,
                }
            )

        cls.act_a = action("Call A", cls.lead_a, cls.rep_a)
        cls.act_b = action("Call B", cls.lead_b, cls.rep_b)
        cls.act_c = action("Call C", cls.lead_c, cls.rep_c)
        cls.act_free = action("Call Free", cls.lead_free, None)
        cls.act_other = action(
            "Call Other", cls.lead_other, cls.other_rep, company_id=cls.company_2.id
        )
        cls.all_actions = (
            cls.act_a | cls.act_b | cls.act_c | cls.act_free | cls.act_other
        )

    def visible(self, user):
        return (
            self.env["sfa.action"]
            .with_user(user)
            .search([("id", "in", self.all_actions.ids)])
        )

    def test_each_role_sees_its_scope(self):
        expected = {
            self.rep_a: self.act_a | self.act_free,
            self.rep_c: self.act_c | self.act_free,
            self.supervisor: self.act_a | self.act_b | self.act_free,
            # the manager also manages the North territory (Lille: A and B)
            self.manager: self.act_a | self.act_b | self.act_free,
            self.manager_2: self.act_c | self.act_free,
            # South is managed outside the reporting line
            self.territory_manager: self.act_c | self.act_free,
            self.director: self.act_a | self.act_b | self.act_c | self.act_free,
            self.other_rep: self.act_other,
        }
        for user, actions in expected.items():
            with self.subTest(user=user.login):
                self.assertEqual(self.visible(user), actions)

    def test_territory_comes_from_the_customer(self):
        self.assertEqual(self.act_a.sfa_territory_id, self.t_lille)
        self.assertEqual(self.act_c.sfa_territory_id, self.t_marseille)
        self.cust_c.sfa_territory_id = self.t_lille
        self.assertEqual(self.act_c.sfa_territory_id, self.t_lille)
        self.assertIn(self.act_c, self.visible(self.manager))

    def test_read_group_and_counts_respect_the_rule(self):
        Action = self.env["sfa.action"].with_user(self.rep_a)
        groups = dict(Action._read_group([], ["user_id"], ["__count"]))
        self.assertEqual(set(groups), {self.rep_a, self.env["res.users"]})
        self.assertEqual(self.lead_b.with_user(self.supervisor).sfa_action_count, 1)

    def test_reading_someone_elses_action_is_refused(self):
        with self.assertRaises(AccessError):
            self.act_b.with_user(self.rep_a).read(["name"])
        with self.assertRaises(AccessError):
            self.act_a.with_user(self.other_rep).read(["name"])

    def test_write_and_unlink(self):
        self.act_a.with_user(self.rep_a).write({"cost": 12.0})
        self.act_a.with_user(self.supervisor).write({"result": "positive"})
        self.assertEqual((self.act_a.cost, self.act_a.result), (12.0, "positive"))
        with self.assertRaises(AccessError):
            self.act_b.with_user(self.rep_a).write({"cost": 1.0})
        with self.assertRaises(AccessError):
            self.act_c.with_user(self.supervisor).unlink()
        with self.assertRaises(AccessError):
            self.act_a.with_user(self.rep_b).action_cancel()
        self.assertEqual(self.act_a.state, "planned")

    def test_rep_cannot_plan_for_someone_outside_their_scope(self):
        with self.assertRaises(AccessError):
            self.env["sfa.action"].with_user(self.rep_a).create(
                {
                    "action_type_id": self.call.id,
                    "lead_id": self.lead_c.id,
                    "user_id": self.rep_c.id,
                }
            )

    def test_participants_read_but_do_not_edit(self):
        self.act_a.participant_ids = self.rep_b
        self.assertIn(self.act_a, self.visible(self.rep_b))
        with self.assertRaises(AccessError):
            self.act_a.with_user(self.rep_b).write({"cost": 5.0})

    def test_buttons_that_move_an_action_are_shown_to_who_may_move_it(self):
        """A participant reads the action but may not change it: the form
        offers them none of Mark Done, Plan Next, Cancel, Back to Planned."""
        self.act_a.participant_ids = self.rep_b
        self.assertFalse(self.act_a.with_user(self.rep_b).can_write)
        self.assertTrue(self.act_a.with_user(self.rep_a).can_write)
        self.assertTrue(self.act_a.with_user(self.supervisor).can_write)
        arch = self.env["sfa.action"].get_view(view_type="form")["arch"]
        for button in (
            "action_done",
            "action_done_schedule_next",
            "action_cancel",
            "action_reset_to_planned",
        ):
            self.assertRegex(
                arch, rf'name="{button}"[^>]*invisible="[^"]*not can_write'
            )

    def test_deal_owner_reads_the_deals_history(self):
        self.lead_b.user_id = self.rep_a
        self.assertIn(self.act_b, self.visible(self.rep_a))
        with self.assertRaises(AccessError):
            self.act_b.with_user(self.rep_a).write({"cost": 1.0})

    def test_shares_of_deal_and_customer(self):
        Share = self.env["sfa.share"]
        Share.create(
            {
                "res_model": "crm.lead",
                "res_id": self.lead_c.id,
                "user_id": self.rep_a.id,
                "access": "edit",
            }
        )
        self.assertIn(self.act_c, self.visible(self.rep_a))
        self.act_c.with_user(self.rep_a).write({"cost": 3.0})
        customer_call = self.env["sfa.action"].create(
            {
                "action_type_id": self.call.id,
                "partner_id": self.cust_c.id,
                "user_id": self.rep_c.id,
            }
        )
        self.assertNotIn(
            customer_call, self.env["sfa.action"].with_user(self.rep_b).search([])
        )
        Share.create(
            {
                "res_model": "res.partner",
                "res_id": self.cust_c.id,
                "user_id": self.rep_b.id,
            }
        )
        self.assertIn(
            customer_call, self.env["sfa.action"].with_user(self.rep_b).search([])
        )

    def test_plain_salesmen_see_their_own(self):
        salesman = new_test_user(
            self.env, login="plain_salesman", groups="sales_team.group_sale_salesman"
        )
        all_leads = new_test_user(
            self.env,
            login="all_leads_salesman",
            groups="sales_team.group_sale_salesman_all_leads",
        )
        self.act_b.user_id = salesman
        self.assertEqual(self.visible(salesman), self.act_b | self.act_free)
        self.assertEqual(
            self.visible(all_leads),
            self.act_a | self.act_b | self.act_c | self.act_free,
        )

    def test_my_team_filter(self):
        Action = self.env["sfa.action"].with_user(self.supervisor)
        team = Action.search(
            [("in_my_team", "=", True), ("id", "in", self.all_actions.ids)]
        )
        self.assertEqual(team, self.act_a | self.act_b)
        self.assertTrue(self.act_a.with_user(self.supervisor).in_my_team)
        self.assertFalse(self.act_free.with_user(self.supervisor).in_my_team)


@tagged("post_install", "-at_install")
class TestActionSyncAccess(SfaCase):
    """Handling an action's event or activity does not bypass the action's rule."""

    def setUp(self):
        super().setUp()
        self.visit_of_rep_a = self.env["sfa.action"].create(
            {
                "action_type_id": self.env.ref("sfa_pipeline.sfa_action_type_visit").id,
                "lead_id": self.lead_a.id,
                "user_id": self.rep_a.id,
                "start": "2030-01-07 09:00:00",
                "stop": "2030-01-07 10:00:00",
            }
        )

    def test_edit_share_on_the_deal_does_not_give_its_actions_away(self):
        action = self.visit_of_rep_a
        self.env["sfa.share"].create(
            {
                "res_model": "crm.lead",
                "res_id": self.lead_a.id,
                "user_id": self.rep_c.id,
                "access": "edit",
                "granted_by_id": self.rep_a.id,
            }
        )
        with self.assertRaises(AccessError):
            action.with_user(self.rep_c).write({"user_id": self.rep_c.id})
        with self.assertRaises(AccessError):
            action.activity_id.with_user(self.rep_c).write({"user_id": self.rep_c.id})
        self.assertEqual(action.user_id, self.rep_a)

    def test_outsider_cannot_cancel_an_action_through_its_event(self):
        action = self.visit_of_rep_a
        self.assertTrue(action.calendar_event_id)
        # Odoo lets a colleague edit rep_a's ordinary events ...
        plain = self.env["calendar.event"].create(
            {
                "name": "Lunch",
                "user_id": self.rep_a.id,
                "start": "2030-01-08 12:00:00",
                "stop": "2030-01-08 13:00:00",
            }
        )
        plain.with_user(self.rep_c).write({"name": "Lunch (moved)"})
        # ... but not the one booked by an action they may not edit
        with self.assertRaises(AccessError):
            action.calendar_event_id.with_user(self.rep_c).write({"active": False})
        self.assertEqual(action.state, "planned")
        self.assertTrue(action.calendar_event_id.active)

    def test_the_old_sync_context_key_grants_nothing(self):
        """The mirroring used to be told by a context key any client could
        send: with it, a rep moved and deleted another rep's event and the
        action stayed planned with no event and no activity."""
        action = self.visit_of_rep_a
        event = action.calendar_event_id
        for origin in ("action", "event", "activity"):
            outsider = event.with_user(self.rep_c).with_context(sfa_action_sync=origin)
            with self.subTest(origin=origin):
                with self.assertRaises(AccessError):
                    outsider.write({"start": "2030-01-09 09:00:00"})
                with self.assertRaises(AccessError):
                    outsider.unlink()
                with self.assertRaises(AccessError):
                    action.activity_id.with_user(self.rep_c).with_context(
                        sfa_action_sync=origin
                    ).unlink()
        self.assertEqual(action.state, "planned")
        self.assertEqual(str(event.start), "2030-01-07 09:00:00")
        self.assertTrue(action.activity_id.active)

    def test_the_calendar_mirror_is_private_to_its_attendees(self):
        """Every internal user reads the calendar: an action's notes and deal
        must not reach those who may not read the action."""
        action = self.visit_of_rep_a
        action.write({"description": "<p>Bring the price list, 12% off</p>"})
        event = action.calendar_event_id
        self.assertEqual(event.privacy, "private")
        self.assertIn("12% off", str(event.description))
        clerk = new_test_user(self.env, login="clerk", groups="base.group_user")
        for user in (clerk, self.rep_c, self.rep_b):
            with self.subTest(user=user.login):
                seen = event.with_user(user).read(["name", "description"])[0]
                self.assertEqual(seen["name"], "Busy")
                self.assertFalse(seen["description"])
                with self.assertRaises(AccessError):
                    event.with_user(user).write({"name": "Mine now"})
        # nor its attendees make it public again
        with self.assertRaisesRegex(UserError, "stays private"):
            event.with_user(self.rep_a).write({"privacy": "public"})
        # the attendees read and move it: the action follows
        action.participant_ids = self.rep_b
        event.with_user(self.rep_b).read(["description"])
        event.with_user(self.rep_a).write(
            {"start": "2030-01-07 10:00:00", "stop": "2030-01-07 11:00:00"}
        )
        self.assertEqual(str(action.start), "2030-01-07 10:00:00")

    def test_plan_action_form_reads_nothing_of_another_reps_deal(self):
        """Choosing another rep's deal in the Plan Action form returned its
        customer, contact and territory."""
        spec = {
            "partner_id": {"fields": {"display_name": {}}},
            "contact_id": {"fields": {"display_name": {}}},
            "sfa_territory_id": {"fields": {"display_name": {}}},
        }
        Action = self.env["sfa.action"].with_user(self.rep_a)
        with self.assertRaisesRegex(AccessError, "cannot read"):
            Action.onchange({"lead_id": self.lead_c.id}, ["lead_id"], spec)
        with self.assertRaisesRegex(AccessError, "cannot read"):
            Action.onchange({"partner_id": self.cust_c.id}, ["partner_id"], spec)
        mine = Action.onchange({"lead_id": self.lead_a.id}, ["lead_id"], spec)
        self.assertEqual(mine["value"]["partner_id"]["id"], self.cust_a.id)
