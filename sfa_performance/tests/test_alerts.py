from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.sfa_base.tests.common import SfaCase
from odoo.addons.sfa_targets.tests.common import TargetCase


class AlertCase(TargetCase):
    """Targets, customers and actions of June 2026, worked out by hand.

    June targets of won revenue, 3000 each: 20 of 30 days are gone, so
    3000 x 20/30 = 2000 is expected by today and 80 % of it, 1600, is the
    floor. rep_a won 1000: behind. rep_b won 2000: on pace. rep_a's 2026
    target of 50,000 is far behind but not yet past mid-year (171 of 365
    days): no alert.
    Alpha (rep_a, visit every 30 days) was last contacted on 1 May: due since
    31 May. Bravo (rep_b) on 10 June: due on 10 July. Charlie's category has
    no norm.
    rep_b's call planned on 18 June is overdue; rep_a's visit of 25 June is
    not yet.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Category = env["sfa.customer.category"]
        cls.cust_a.sfa_category_id = Category.create(
            {"name": "Key", "visit_frequency_days": 30}
        )
        cls.cust_b.sfa_category_id = cls.cust_a.sfa_category_id
        cls.cust_c.sfa_category_id = Category.create(
            {"name": "No Norm", "visit_frequency_days": 0}
        )
        # e-mails from the customers: their last contacts
        for customer, day in ((cls.cust_a, "2026-05-01"), (cls.cust_b, "2026-06-10")):
            with freeze_time(f"{day} 09:00:00"):
                customer.message_post(
                    body="Hello", message_type="email", author_id=customer.id
                )

        cls.year_a = cls.Line.create(
            {
                "plan_id": cls.plan.id,
                "owner_type": "user",
                "user_id": cls.rep_a.id,
                "metric": "won_revenue",
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 12, 31),
                "target_value": 50000,
            }
        )

        def june(user, value, parent=None):
            return cls.Line.create(
                {
                    "plan_id": cls.plan.id,
                    "owner_type": "user",
                    "user_id": user.id,
                    "metric": "won_revenue",
                    "date_from": date(2026, 6, 1),
                    "date_to": date(2026, 6, 30),
                    "target_value": value,
                    "parent_id": parent and parent.id,
                }
            )

        cls.june_a = june(cls.rep_a, 3000, cls.year_a)
        cls.june_b = june(cls.rep_b, 3000)
        cls.plan.action_confirm()
        (cls.rep_a | cls.rep_b).tz = "UTC"
        with freeze_time("2026-06-05 10:00:00"):
            cls.lead_a.action_set_won()
        with freeze_time("2026-06-10 10:00:00"):
            cls.lead_b.action_set_won()
            env.cr.flush()  # as a commit does: deal credits are written then
        call = env.ref("sfa_pipeline.sfa_action_type_call")
        visit = env.ref("sfa_pipeline.sfa_action_type_visit")
        Action = env["sfa.action"]
        cls.call_b = Action.create(
            {
                "action_type_id": call.id,
                "partner_id": cls.cust_b.id,
                "user_id": cls.rep_b.id,
                "start": "2026-06-18 09:00:00",
                "stop": "2026-06-18 09:30:00",
            }
        )
        cls.visit_a = Action.create(
            {
                "action_type_id": visit.id,
                "partner_id": cls.cust_a.id,
                "user_id": cls.rep_a.id,
                "start": "2026-06-25 09:00:00",
                "stop": "2026-06-25 10:00:00",
            }
        )
        cls.Alert = env["sfa.performance.alert"]


@tagged("post_install", "-at_install")
class TestAlerts(AlertCase):
    """Alerts of 20 June 2026 (pace 80 %): rep_a gets a digest with the June
    target and Alpha, rep_b one with the call, and their supervisor a team
    digest with all three. rep_c and the managers get nothing.
    """

    def digests(self, alerts):
        return {
            (alert.user_id, alert.kind): (
                alert.target_line_ids,
                alert.partner_ids,
                alert.action_ids,
            )
            for alert in alerts
        }

    @freeze_time("2026-06-20 12:00:00")
    def test_digests(self):
        Partner, Action = self.env["res.partner"], self.env["sfa.action"]
        alerts = self.Alert._cron_send_alerts()
        self.assertEqual(
            self.digests(alerts),
            {
                (self.rep_a, "owner"): (self.june_a, self.cust_a, Action),
                (self.rep_b, "owner"): (self.Line, Partner, self.call_b),
                (self.supervisor, "team"): (self.june_a, self.cust_a, self.call_b),
            },
        )
        self.assertEqual(self.june_a.actual_value, 1000, "refreshed before judging")
        self.assertEqual(self.june_b.actual_value, 2000)
        mails = self.env["mail.mail"].search([("model", "=", "sfa.performance.alert")])
        self.assertEqual(len(mails), 3)
        by_alert = {mail.res_id: mail for mail in mails}
        team = by_alert[alerts.filtered(lambda a: a.kind == "team").id]
        self.assertEqual(
            team.subject,
            "Your team: 1 target behind pace, 1 customer to contact, 1 overdue action",
        )
        self.assertEqual(
            by_alert[alerts.filtered(lambda a: a.user_id == self.rep_b).id].subject,
            "Your alerts: 1 overdue action",
        )
        self.assertIn("Alpha SARL", team.body_html)
        self.assertIn("2,000.00", team.body_html, "expected by today")
        self.assertIn("Rep B", team.body_html, "the team digest names the owner")
        self.assertEqual(team.recipient_ids, self.supervisor.partner_id)
        # a second run the same day sends nothing more
        self.assertFalse(self.Alert._cron_send_alerts())

    @freeze_time("2026-06-20 12:00:00")
    def test_pace_setting(self):
        """At a pace of 50 %, 1000 is not below 2000 x 50 % = 1000."""
        self.company.sfa_alert_pace = 50
        alerts = self.Alert._cron_send_alerts()
        self.assertFalse(alerts.target_line_ids)

    @freeze_time("2026-06-12 12:00:00")
    def test_before_mid_period(self):
        """On 12 June only 12 of 30 days are gone: no target is judged yet;
        the visit was due since 31 May all the same."""
        alerts = self.Alert._cron_send_alerts()
        self.assertFalse(alerts.target_line_ids)
        self.assertEqual(alerts.partner_ids, self.cust_a)

    @freeze_time("2026-06-20 12:00:00")
    def test_readers(self):
        """Each reads their own digests only; the items stay under their
        own rules."""
        alerts = self.Alert._cron_send_alerts()
        for user in (self.rep_a, self.rep_b, self.supervisor, self.manager):
            seen = self.Alert.with_user(user).search([])
            self.assertEqual(seen, alerts.filtered(lambda a: a.user_id == user))
        team = self.Alert.with_user(self.supervisor).search([])
        self.assertEqual(team.action_ids.mapped("name"), ["Call: Bravo SA"])

    def test_bad_pace(self):
        with self.assertRaises(ValidationError) as caught:
            self.company.sfa_alert_pace = 120
        self.assertIn("between 0 and 100", str(caught.exception))
        self.company.invalidate_recordset()
        self.assertEqual(self.company.sfa_alert_pace, 80)


@tagged("post_install", "-at_install")
class TestAlertNames(SfaCase):
    def test_an_alert_says_whose_it_is(self):
        """Managers read their reps' digests: "Mine" would be wrong."""
        Alert = self.env["sfa.performance.alert"]
        own = Alert.create(
            {"user_id": self.rep_a.id, "date": "2026-12-02", "kind": "owner"}
        )
        team = Alert.create(
            {"user_id": self.supervisor.id, "date": "2026-12-02", "kind": "team"}
        )
        self.assertEqual(own.display_name, f"Alerts of {self.rep_a.name}, 12/02/2026")
        self.assertEqual(
            team.display_name, f"Team alerts of {self.supervisor.name}, 12/02/2026"
        )
