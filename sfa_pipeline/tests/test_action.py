from datetime import date, datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import api
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.sfa_base.tests.common import SfaCase


class SfaActionCase(SfaCase):
    """Action types and a rep in Paris; no test here, shared by the action tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.visit = cls.env.ref("sfa_pipeline.sfa_action_type_visit")
        cls.call = cls.env.ref("sfa_pipeline.sfa_action_type_call")
        cls.meeting = cls.env.ref("sfa_pipeline.sfa_action_type_meeting")
        (cls.rep_a | cls.rep_b | cls.supervisor).tz = "Europe/Paris"
        cls.Action = cls.env["sfa.action"]

    def plan(self, action_type, user=None, **values):
        """Plan an action as ``user`` (rep A by default), on deal A by default.

        The action is returned in the test's environment: each test says who
        acts next with ``with_user``.
        """
        user = user or self.rep_a
        values.setdefault("lead_id", self.lead_a.id)
        values.setdefault("start", datetime(2030, 3, 4, 9, 0))
        action = self.Action.with_user(user).create(
            {"action_type_id": action_type.id, "user_id": user.id, **values}
        )
        return action.with_env(self.env)

    def lead_activities(self, lead, active=True):
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", "crm.lead"),
                    ("res_id", "=", lead.id),
                    ("active", "=", active),
                ]
            )
        )


@tagged("post_install", "-at_install")
class TestActionPlanning(SfaActionCase):
    def test_visit_shows_in_activities_and_calendar_once(self):
        visit = self.plan(self.visit)
        activity, event = visit.activity_id, visit.calendar_event_id
        self.assertEqual(self.lead_activities(self.lead_a), activity)
        self.assertEqual(
            self.env["calendar.event"].search(
                [("opportunity_id", "=", self.lead_a.id)]
            ),
            event,
        )
        self.assertEqual(activity.calendar_event_id, event)
        self.assertEqual(activity.user_id, self.rep_a)
        self.assertEqual(
            activity.activity_type_id, self.env.ref("mail.mail_activity_data_meeting")
        )
        # 09:00 UTC is 10:00 in Paris, same day
        self.assertEqual(activity.date_deadline, date(2030, 3, 4))
        self.assertEqual(event.start, datetime(2030, 3, 4, 9, 0))
        self.assertEqual(event.stop, datetime(2030, 3, 4, 10, 30), "visits last 1h30")
        self.assertEqual(event.user_id, self.rep_a)
        self.assertIn(self.rep_a.partner_id, event.partner_ids)

    def test_call_is_an_activity_without_calendar_slot(self):
        call = self.plan(self.call, lead_id=False, partner_id=self.cust_a.id)
        self.assertFalse(call.calendar_event_id)
        self.assertEqual(call.activity_id.res_model, "res.partner")
        self.assertEqual(call.activity_id.res_id, self.cust_a.id)
        self.assertEqual(
            call.activity_id.activity_type_id,
            self.env.ref("mail.mail_activity_data_call"),
        )

    def test_deadline_is_the_owners_day(self):
        self.rep_a.tz = "Asia/Shanghai"
        call = self.plan(self.call, start=datetime(2030, 3, 4, 20, 0))
        self.assertEqual(call.activity_id.date_deadline, date(2030, 3, 5))

    def test_defaults_follow_type_and_opportunity(self):
        contact = self.env["res.partner"].create(
            {"name": "Anna Alpha", "parent_id": self.cust_a.id}
        )
        self.lead_a.partner_id = contact
        with Form(self.Action.with_user(self.rep_a)) as form:
            form.lead_id = self.lead_a
            form.action_type_id = self.visit
        action = form.record
        self.assertEqual(action.partner_id, self.cust_a)
        self.assertEqual(action.contact_id, contact)
        self.assertEqual(action.user_id, self.rep_a)
        self.assertEqual(action.name, "Visit: Alpha SARL")
        self.assertEqual(action.duration, 1.5)
        self.assertEqual(action.stop - action.start, timedelta(hours=1, minutes=30))
        self.assertEqual(action.sfa_territory_id, self.t_lille, "customer's territory")
        self.assertEqual(action.company_id, self.company)

    def test_a_subject_typed_by_the_rep_is_kept(self):
        with Form(self.Action.with_user(self.rep_a)) as form:
            form.name = "Bring printer samples"
            form.action_type_id = self.visit
            form.lead_id = self.lead_a
            self.assertEqual(form.name, "Bring printer samples")
            form.action_type_id = self.call
            self.assertEqual(form.name, "Bring printer samples")
        # the subject made for the rep follows the type and the customer
        with Form(self.Action.with_user(self.rep_a)) as form:
            form.action_type_id = self.visit
            form.lead_id = self.lead_a
            self.assertEqual(form.name, "Visit: Alpha SARL")
            form.action_type_id = self.call
            self.assertEqual(form.name, f"{self.call.name}: Alpha SARL")
        # and once saved: a new type renames a made subject only
        form.record.action_type_id = self.visit
        self.assertEqual(form.record.name, "Visit: Alpha SARL")

    def test_plan_action_button_and_counter(self):
        result = self.lead_a.with_user(self.rep_a).action_sfa_plan_action()
        self.assertEqual(result["res_model"], "sfa.action")
        form = Form(
            self.Action.with_user(self.rep_a).with_context(**result["context"]),
            view="sfa_pipeline.sfa_action_view_form",
        )
        form.action_type_id = self.call
        action = form.save()
        self.assertEqual(action.lead_id, self.lead_a)
        self.assertEqual(action.partner_id, self.cust_a)
        self.assertEqual(self.lead_a.with_user(self.rep_a).sfa_action_count, 1)
        listed = self.lead_a.with_user(self.rep_a).action_sfa_view_actions()
        self.assertEqual(self.Action.search(listed["domain"]), action)

    def test_changing_the_type_moves_the_booking(self):
        call = self.plan(self.call)
        old_activity = call.activity_id
        call.action_type_id = self.visit
        self.assertFalse(old_activity.exists())
        self.assertTrue(call.calendar_event_id)
        self.assertEqual(self.lead_activities(self.lead_a), call.activity_id)

    def test_deleting_a_planned_action_leaves_nothing_behind(self):
        visit = self.plan(self.visit)
        activity, event = visit.activity_id, visit.calendar_event_id
        visit.with_user(self.rep_a).unlink()
        self.assertFalse(activity.exists())
        self.assertFalse(event.exists())

    @freeze_time("2030-03-04 12:00:00")
    def test_overdue(self):
        late = self.plan(self.call, start=datetime(2030, 3, 4, 9, 0))
        later = self.plan(self.call, start=datetime(2030, 3, 5, 9, 0))
        self.assertTrue(late.is_overdue)
        self.assertFalse(later.is_overdue)
        overdue = self.Action.search([("is_overdue", "=", True)])
        self.assertIn(late, overdue)
        self.assertNotIn(later, overdue)
        late.write({"state": "done"})
        self.assertFalse(late.is_overdue)


@tagged("post_install", "-at_install")
class TestActionSync(SfaActionCase):
    @freeze_time("2030-03-04 15:00:00")
    def test_done_action_marks_its_activity_done(self):
        visit = self.plan(self.visit).with_user(self.rep_a)
        activity = visit.activity_id
        visit.write({"outcome": "Wants a quote for 20 units", "result": "positive"})
        visit.action_done()
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.date_done, datetime(2030, 3, 4, 15, 0))
        self.assertFalse(activity.active, "the activity is done")
        self.assertEqual(activity.feedback, "Wants a quote for 20 units")
        self.assertFalse(self.lead_activities(self.lead_a))
        done_messages = self.lead_a.message_ids.filtered(
            lambda m: "Wants a quote for 20 units" in (m.body or "")
        )
        self.assertEqual(len(done_messages), 1, "one message on the deal, no duplicate")
        self.env.cr.flush()  # what the commit runs first: facts, last contact
        self.assertEqual(self.cust_a.sfa_last_contact_date, date(2030, 3, 4))
        self.assertTrue(visit.calendar_event_id.active, "the meeting took place")

    @freeze_time("2030-03-04 15:00:00")
    def test_done_activity_marks_its_action_done(self):
        call = self.plan(self.call)
        call.activity_id.with_user(self.rep_a).action_feedback(
            feedback="No budget before Q3"
        )
        self.assertEqual(call.state, "done")
        self.assertEqual(call.outcome, "No budget before Q3")
        self.assertEqual(call.date_done, datetime(2030, 3, 4, 15, 0))
        self.env.cr.flush()  # what the commit runs first: facts, last contact
        self.assertEqual(self.cust_a.sfa_last_contact_date, date(2030, 3, 4))

    def test_outcome_required_on_both_sides(self):
        visit = self.plan(self.visit).with_user(self.rep_a)
        with (
            self.assertRaisesRegex(ValidationError, "outcome"),
            self.env.cr.savepoint(),
        ):
            visit.action_done()
        with (
            self.assertRaisesRegex(ValidationError, "outcome"),
            self.env.cr.savepoint(),
        ):
            visit.activity_id.with_user(self.rep_a).action_feedback()
        self.assertEqual(visit.state, "planned")
        self.assertTrue(visit.activity_id.active)
        self.env.cr.flush()  # what the commit runs first: facts, last contact
        self.assertFalse(self.cust_a.sfa_last_contact_date)
        visit.activity_id.action_feedback(feedback="Met the buyer")
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.outcome, "Met the buyer")

    def test_a_visit_done_early_is_no_longer_the_next_meeting(self):
        """On 1 March the rep finishes the visit planned for the 4th: the
        deal's next meeting is the one of the 10th; once that is cancelled,
        the last meeting is the visit done on the 1st. In the calendar the
        done visit is drawn hatched and named with a check mark."""
        first = self.plan(self.visit)
        second = self.plan(self.visit, start=datetime(2030, 3, 10, 9, 0))
        lead = self.lead_a.with_user(self.rep_a)
        with freeze_time("2030-03-01 10:00:00"):
            self.assertEqual(
                (lead.meeting_display_label, lead.meeting_display_date),
                ("Next Meeting", date(2030, 3, 4)),
            )
            first.with_user(self.rep_a).write({"outcome": "Samples left"})
            first.with_user(self.rep_a).action_done()
            lead.invalidate_recordset()
            self.assertEqual(
                (lead.meeting_display_label, lead.meeting_display_date),
                ("Next Meeting", date(2030, 3, 10)),
            )
            self.assertEqual(
                (first.is_hatched, first.is_striked, second.is_hatched),
                (True, False, False),
            )
            self.assertTrue(first.display_name.startswith("✓ "))
            self.assertFalse(second.display_name.startswith("✓"))
            # and so in Odoo's Calendar app for its attendees; a colleague
            # outside sales, who reads no action, sees the slots busy
            events = (first | second).calendar_event_id
            names = events.with_user(self.rep_a).mapped("display_name")
            self.assertTrue(names[0].startswith("✓ "))
            self.assertFalse(names[1].startswith("✓"))
            outsider = new_test_user(self.env, "cal_outsider", groups="base.group_user")
            events.invalidate_recordset(["display_name"])
            self.assertEqual(
                events.with_user(outsider).mapped("display_name"), ["Busy", "Busy"]
            )
            second.with_user(self.rep_a).action_cancel()
            self.assertTrue(second.is_striked)
            lead.invalidate_recordset()
            self.assertEqual(
                (lead.meeting_display_label, lead.meeting_display_date),
                ("Last Meeting", date(2030, 3, 1)),
            )

    def test_cancelled_action_removes_activity_and_event(self):
        visit = self.plan(self.visit).with_user(self.rep_a)
        activity, event = visit.activity_id, visit.calendar_event_id
        visit.action_cancel()
        self.assertEqual(visit.state, "cancelled")
        self.assertFalse(activity.exists())
        self.assertFalse(event.active)
        self.assertFalse(self.lead_activities(self.lead_a))

    def test_cancelled_activity_cancels_action(self):
        visit = self.plan(self.visit)
        event = visit.calendar_event_id
        visit.activity_id.with_user(self.rep_a).action_cancel()
        self.assertEqual(visit.state, "cancelled")
        self.assertFalse(event.active)

    def test_deleted_event_cancels_action(self):
        visit = self.plan(self.visit)
        visit.calendar_event_id.with_user(self.rep_a).unlink()
        self.assertEqual(visit.state, "cancelled")
        self.assertFalse(self.lead_activities(self.lead_a))

    def test_archived_event_cancels_action(self):
        visit = self.plan(self.visit)
        visit.calendar_event_id.with_user(self.rep_a).action_archive()
        self.assertEqual(visit.state, "cancelled")
        self.assertFalse(self.lead_activities(self.lead_a))

    def test_moving_the_event_reschedules_action_and_activity(self):
        visit = self.plan(self.visit)
        visit.calendar_event_id.with_user(self.rep_a).with_context(
            tz="Europe/Paris"
        ).write(
            {"start": datetime(2030, 3, 6, 13, 0), "stop": datetime(2030, 3, 6, 15, 0)}
        )
        self.assertEqual(visit.start, datetime(2030, 3, 6, 13, 0))
        self.assertEqual(visit.stop, datetime(2030, 3, 6, 15, 0))
        self.assertEqual(visit.duration, 2.0)
        self.assertEqual(visit.activity_id.date_deadline, date(2030, 3, 6))

    def test_rescheduling_the_action_moves_event_and_activity(self):
        visit = self.plan(self.visit).with_user(self.rep_a)
        visit.start = datetime(2030, 3, 8, 7, 30)
        event = visit.calendar_event_id
        self.assertEqual(event.start, datetime(2030, 3, 8, 7, 30))
        self.assertEqual(event.stop, datetime(2030, 3, 8, 9, 0), "duration kept")
        self.assertEqual(visit.activity_id.date_deadline, date(2030, 3, 8))
        self.assertEqual(len(self.lead_activities(self.lead_a)), 1)

    def test_rescheduling_a_call_moves_its_activity(self):
        call = self.plan(self.call).with_user(self.rep_a)
        call.start = datetime(2030, 3, 11, 8, 0)
        self.assertEqual(call.activity_id.date_deadline, date(2030, 3, 11))

    def test_activity_due_date_moves_the_call(self):
        call = self.plan(self.call)
        call.activity_id.with_user(self.rep_a).date_deadline = date(2030, 3, 7)
        self.assertEqual(call.start, datetime(2030, 3, 7, 9, 0), "same time, 3 days on")
        self.assertEqual(call.stop, datetime(2030, 3, 7, 9, 15))

    def test_activity_due_date_moves_the_visit_and_its_event(self):
        visit = self.plan(self.visit)
        visit.activity_id.with_user(self.rep_a).with_context(
            tz="Europe/Paris"
        ).date_deadline = date(2030, 3, 5)
        self.assertEqual(visit.start, datetime(2030, 3, 5, 9, 0))
        self.assertEqual(visit.calendar_event_id.start, datetime(2030, 3, 5, 9, 0))

    def test_reassigning_follows_on_both_sides(self):
        visit = self.plan(self.visit, user=self.supervisor)
        visit.with_user(self.supervisor).user_id = self.rep_b
        self.assertEqual(visit.activity_id.user_id, self.rep_b)
        self.assertEqual(visit.calendar_event_id.user_id, self.rep_b)
        self.assertIn(self.rep_b.partner_id, visit.calendar_event_id.partner_ids)
        call = self.plan(self.call, user=self.supervisor)
        call.activity_id.with_user(self.supervisor).user_id = self.rep_a
        self.assertEqual(call.user_id, self.rep_a, "hand-overs move the action too")

    def test_participants_are_invited(self):
        visit = self.plan(self.visit, participant_ids=[(6, 0, self.rep_b.ids)])
        self.assertIn(self.rep_b.partner_id, visit.calendar_event_id.partner_ids)

    def test_back_to_planned_books_again(self):
        visit = self.plan(self.visit).with_user(self.rep_a)
        visit.action_cancel()
        visit.action_reset_to_planned()
        self.assertEqual(visit.state, "planned")
        self.assertTrue(visit.activity_id.active)
        self.assertTrue(visit.calendar_event_id.active)
        self.assertEqual(self.lead_activities(self.lead_a), visit.activity_id)

    def test_done_and_plan_next(self):
        call = self.plan(self.call).with_user(self.rep_a)
        result = call.action_done_schedule_next()
        self.assertEqual(call.state, "done")
        with Form(
            self.Action.with_user(self.rep_a).with_context(**result["context"])
        ) as f:
            f.action_type_id = self.visit
            f.start = datetime(2030, 3, 12, 9, 0)
        self.assertEqual(call.next_action_id, f.record)
        self.assertEqual(f.record.lead_id, self.lead_a)
        self.assertEqual(f.record.state, "planned")


@tagged("post_install", "-at_install")
class TestActionRules(SfaActionCase):
    @freeze_time("2030-03-04 15:00:00")
    def test_logging_a_past_visit(self):
        values = {
            "action_type_id": self.visit.id,
            "partner_id": self.cust_a.id,
            "start": datetime(2026, 3, 1, 9, 0),
            "state": "done",
            "outcome": "Walked the plant",
            "result": "neutral",
            "cost": 42.5,
        }
        with self.assertRaisesRegex(AccessError, "Done On"):
            self.Action.with_user(self.rep_a).create(
                dict(values, date_done=datetime(2026, 2, 1, 10, 0))
            )
        visit = self.Action.with_user(self.rep_a).create(values)
        self.assertTrue(visit.is_visit)
        self.assertFalse(visit.activity_id, "nothing left to do")
        self.assertFalse(visit.calendar_event_id)
        self.assertEqual(
            visit.date_done, visit.stop, "a logged visit is done at its end"
        )
        self.env.cr.flush()  # what the commit runs first: facts, last contact
        self.assertEqual(self.cust_a.sfa_last_contact_date, date(2026, 3, 1))

    def assertRefused(self, values, message):
        count = self.Action.search_count([])
        with (
            self.assertRaises(IntegrityError) as caught,
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.plan(self.call, **values)
        self.assertIn(message, self.Action._sql_error_to_message(caught.exception))
        self.assertEqual(self.Action.search_count([]), count, "nothing written")

    def test_bad_input_is_refused(self):
        self.assertRefused(
            {"start": datetime(2030, 3, 4, 9), "stop": datetime(2030, 3, 4, 8)},
            "cannot end before it starts",
        )
        # the value guard says it before the database would
        count = self.Action.search_count([])
        for values, message in (
            ({"cost": -10.0}, "Cost cannot be negative"),
            ({"duration": -1.0}, "Duration cannot be negative"),
            ({"duration": 1e9}, "Duration is out of range"),
            ({"cost": float("nan")}, "Cost must be a number"),
        ):
            with self.subTest(values=values):
                with self.assertRaises(ValidationError) as refused:
                    self.plan(self.call, **values)
                self.assertIn(message, str(refused.exception))
        self.assertEqual(self.Action.search_count([]), count, "nothing written")
        # the system itself (sudo) is held by the constraint: no date overflow
        action = self.plan(self.call)
        with self.assertRaises(ValidationError) as refused:
            action.sudo().duration = 1e9
        self.assertIn("an action lasts at most 744 hours", str(refused.exception))

    def test_bad_rescheduling_leaves_the_calendar_alone(self):
        visit = self.plan(self.visit)
        event = visit.calendar_event_id
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            visit.with_user(self.rep_a).stop = datetime(2030, 3, 4, 8)
        self.env.invalidate_all()
        self.assertEqual(event.stop, datetime(2030, 3, 4, 10, 30))

    def test_customer_or_opportunity_required(self):
        with self.assertRaisesRegex(ValidationError, "customer or an opportunity"):
            self.plan(self.call, lead_id=False)

    def test_next_action_cannot_loop(self):
        first = self.plan(self.call)
        second = self.plan(self.call, next_action_id=first.id)
        with self.assertRaisesRegex(ValidationError, "follow itself"):
            first.next_action_id = second

    def test_type_default_duration_not_negative(self):
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.call.default_duration = -0.5
            self.call.flush_recordset()


@tagged("post_install", "-at_install")
class TestActionBatchScheduling(SfaActionCase):
    """A batch of planned actions (a stage playbook on many deals) is booked
    in batches, and linked back to its activities and events in a number of
    queries that does not depend on its size (the ORM flushes the links of
    all actions together)."""

    def batch_values(self, count):
        """Calls and visits in turn on deal A, one a day."""
        return [
            {
                "action_type_id": (self.visit if i % 2 else self.call).id,
                "lead_id": self.lead_a.id,
                "user_id": self.rep_a.id,
                "start": datetime(2030, 3, 4, 9, 0) + timedelta(days=i),
            }
            for i in range(count)
        ]

    def unscheduled(self, count, sudo=False):
        """``count`` new planned actions as ``create`` has them just before it
        books them; created by rep A, or in sudo like a playbook."""
        Action = self.Action.with_user(self.rep_a)
        if sudo:
            Action = Action.sudo()
        with patch.object(type(self.Action), "_sfa_schedule", lambda self: None):
            actions = Action.create(self.batch_values(count))
        self.assertFalse(actions.activity_id)
        return actions

    def schedule(self, actions):
        """Book ``actions`` and return the queries that costs on top of
        creating their activities and events."""
        mirror_queries, nested = [], []

        def counted(create):
            @api.model_create_multi
            def create_counted(model, vals_list):
                if nested:  # an event creating its activity: counted with it
                    return create(model, vals_list)
                nested.append(model)
                before = model.env.cr.sql_log_count
                try:
                    records = create(model, vals_list)
                    model.env.flush_all()
                finally:
                    nested.pop()
                mirror_queries.append(model.env.cr.sql_log_count - before)
                return records

            return create_counted

        Event = type(self.env["calendar.event"])
        Activity = type(self.env["mail.activity"])
        self.env.flush_all()
        self.env.invalidate_all()
        with (
            patch.object(Event, "create", counted(Event.create)),
            patch.object(Activity, "create", counted(Activity.create)),
        ):
            before = self.cr.sql_log_count
            actions._sfa_schedule()
            self.env.flush_all()
            queries = self.cr.sql_log_count - before
        return queries - sum(mirror_queries)

    def test_linking_back_costs_the_same_for_2_or_20_actions(self):
        for sudo in (False, True):
            with self.subTest(sudo=sudo):
                self.schedule(self.unscheduled(2, sudo))  # warm up the caches
                small = self.schedule(self.unscheduled(2, sudo))
                large = self.schedule(self.unscheduled(20, sudo))
                self.assertEqual(large, small, "queries besides the mirrors")

    def test_every_action_is_booked_once(self):
        actions = self.Action.with_user(self.rep_a).create(self.batch_values(20))
        self.env.invalidate_all()  # read back what reached the database
        visits = actions.filtered("is_visit")
        calls = actions - visits
        self.assertEqual((len(visits), len(calls)), (10, 10))
        activities = self.lead_activities(self.lead_a)
        self.assertEqual(len(activities), 20, "one activity per action")
        self.assertEqual(actions.activity_id, activities)
        self.assertTrue(all(len(action.activity_id) == 1 for action in actions))
        events = self.env["calendar.event"].search(
            [("opportunity_id", "=", self.lead_a.id)]
        )
        self.assertEqual(len(events), 10, "one event per visit")
        self.assertEqual(visits.calendar_event_id, events)
        self.assertFalse(calls.calendar_event_id)
        self.assertFalse(calls.activity_id.calendar_event_id)
        for visit in visits:
            self.assertEqual(visit.calendar_event_id.activity_ids, visit.activity_id)
            self.assertEqual(visit.calendar_event_id.start, visit.start)
        for action in actions:
            self.assertEqual(action.activity_id.summary, action.name)
            self.assertEqual(action.activity_id.date_deadline, action.start.date())

        # Booking again books nothing; the links drive the later syncs.
        actions._sfa_schedule()
        self.assertEqual(self.lead_activities(self.lead_a), activities)
        actions.with_user(self.rep_a).write({"start": datetime(2030, 4, 1, 9, 0)})
        self.assertEqual(self.lead_activities(self.lead_a), activities)
        self.assertEqual(set(activities.mapped("date_deadline")), {date(2030, 4, 1)})
        self.assertEqual(set(events.mapped("start")), {datetime(2030, 4, 1, 9, 0)})


@tagged("post_install", "-at_install")
class TestActionMetrics(SfaActionCase):
    """Done actions and done visits as metrics for targets and scorecards."""

    def test_done_actions_and_visits_are_metric_facts(self):
        Fact = self.env["sfa.fact"]
        metrics = dict(Fact._sfa_target_metrics())
        self.assertIn("done_actions", metrics)
        self.assertIn("done_visits", metrics)
        self.assertEqual(Fact._sfa_unit("done_visits"), "count")
        team = self.env["crm.team"].create({"name": "Metric team"})
        self.lead_a.team_id = team
        visit = self.plan(self.visit, cost=40)
        call = self.plan(self.call, partner_id=self.cust_free.id, lead_id=False)
        planned = self.plan(self.visit)
        with freeze_time("2030-03-04 10:00:00"):
            (visit | call).write({"state": "done", "outcome": "Met the buyer"})
        self.assertEqual(planned.state, "planned")

        def facts(code):
            return sorted(
                (
                    fact.user_id.id,
                    fact.team_id.id or False,
                    fact.partner_id.id,
                    fact.date,
                    fact.quantity,
                    fact.amount,
                    fact.res_model,
                    fact.res_id,
                )
                for fact in Fact.search(
                    [("metric", "=", code), ("user_id", "=", self.rep_a.id)]
                )
            )

        def expected(action, team, customer, amount=0):
            row = (team.id, customer.id, date(2030, 3, 4), 1, amount)
            return (self.rep_a.id, *row, "sfa.action", action.id)

        no_team = self.env["crm.team"]
        self.assertEqual(
            facts("done_actions"),
            sorted(
                [
                    expected(visit, team, self.cust_a),
                    expected(call, no_team, self.cust_free),
                ]
            ),
        )
        self.assertEqual(facts("done_visits"), [expected(visit, team, self.cust_a)])
        self.assertEqual(
            facts("action_cost"),
            sorted(
                [
                    expected(visit, team, self.cust_a, 40),
                    expected(call, no_team, self.cust_free),
                ]
            ),
        )
        # back to planned: the facts go
        visit.write({"state": "planned"})
        self.assertEqual(len(facts("done_actions")), 1)
        self.assertFalse(facts("done_visits"))


@tagged("post_install", "-at_install")
class TestActionHandover(SfaActionCase):
    def test_planned_actions_go_to_the_successor_done_ones_stay(self):
        planned = self.plan(self.visit)
        done = self.plan(self.call)
        done.write({"state": "done", "outcome": "Called"})
        wizard = (
            self.env["sfa.handover.wizard"]
            .with_user(self.manager)
            .create({"from_user_id": self.rep_a.id, "to_user_id": self.rep_b.id})
        )
        wizard.action_preview()
        counts = {line.model: line.count for line in wizard.line_ids}
        self.assertEqual(counts["sfa.action"], 1)
        wizard.action_apply()
        self.assertEqual(planned.user_id, self.rep_b)
        self.assertEqual(planned.activity_id.user_id, self.rep_b)
        self.assertEqual(planned.calendar_event_id.user_id, self.rep_b)
        self.assertEqual(done.user_id, self.rep_a, "what was done keeps its author")
        self.assertFalse(
            self.Action.search(
                [("user_id", "=", self.rep_a.id), ("state", "=", "planned")]
            )
        )
