from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.sfa_pipeline.models.sfa_action_visit import distance_km

from .test_action import SfaActionCase

# Alpha's office, and a café 300 m away, and Lille's station 3 km away
ALPHA = (50.6365, 3.0635)
NEARBY = (50.6365, 3.0677)
STATION = (50.6368, 3.1052)


@tagged("post_install", "-at_install")
class TestVisitCheckIn(SfaActionCase):
    """A rep's visit at Alpha on 4 March 2030, checked in and out with the
    browser's position; the company flags check-ins farther than 1 km."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cust_a.write({"partner_latitude": ALPHA[0], "partner_longitude": ALPHA[1]})
        cls.company.sfa_checkin_distance = 1.0

    def visit_of_rep_a(self):
        return self.plan(self.visit, start=datetime(2030, 3, 4, 8, 0)).with_user(
            self.rep_a
        )

    def test_distance(self):
        self.assertAlmostEqual(distance_km(*ALPHA, *NEARBY), 0.296, places=2)
        self.assertAlmostEqual(distance_km(*ALPHA, *STATION), 2.95, places=1)
        self.assertAlmostEqual(distance_km(48.8566, 2.3522, 50.6292, 3.0573), 204, 0)

    def test_check_in_near_then_out_and_done(self):
        visit = self.visit_of_rep_a()
        with freeze_time("2030-03-04 08:05:00"):
            visit.action_check_in(*NEARBY)
        self.assertEqual(visit.checkin_date, datetime(2030, 3, 4, 8, 5))
        self.assertEqual(visit.checkin_location, "located")
        self.assertAlmostEqual(visit.checkin_distance, 0.3, places=1)
        self.assertFalse(visit.checkin_far)
        with freeze_time("2030-03-04 09:20:00"):
            visit.action_check_out(*ALPHA)
        self.assertEqual(visit.time_on_site, 1.25)
        visit.write({"outcome": "Left the samples", "result": "positive"})
        visit.action_done()
        self.assertEqual(visit.state, "done")
        with self.assertRaises(UserError):
            visit.action_check_in(*ALPHA)

    def test_far_and_refused_check_ins(self):
        far = self.visit_of_rep_a()
        far.action_check_in(*STATION)
        self.assertTrue(far.checkin_far)
        refused = self.plan(self.visit, start=datetime(2030, 3, 5, 8, 0)).with_user(
            self.rep_a
        )
        refused.action_check_in(location="refused")
        self.assertEqual(
            (refused.checkin_location, refused.checkin_distance, refused.checkin_far),
            ("refused", 0.0, False),
        )
        self.assertTrue(refused.checkin_date, "the time is recorded all the same")
        # finishing without checking out checks out, without a position
        refused.write({"outcome": "Met the buyer"})
        refused.action_done()
        self.assertEqual(refused.checkout_location, "unavailable")
        self.assertTrue(refused.checkout_date)

    def test_customers_without_coordinates_are_located_at_night(self):
        """A customer with an address but no coordinates: the check-in keeps
        the position, without a distance; the night locates the customer
        (Odoo's geolocation) and gives the check-in its distance, flagged if
        far. A customer located is not asked for again."""
        self.cust_a.write({"city": "Lille", "zip": "59000", "country_id": self.fr.id})
        self.assertFalse(self.cust_a.partner_latitude, "Odoo resets them")
        visit = self.visit_of_rep_a()
        visit.action_check_in(*STATION)
        self.assertEqual((visit.checkin_distance, visit.checkin_far), (0.0, False))
        Partner = type(self.env["res.partner"])
        with patch.object(Partner, "_geo_localize", return_value=ALPHA) as geo:
            counts = self.env["sfa.action"]._cron_sfa_locate_customers()
        self.assertEqual(geo.call_count, 1)
        self.assertEqual(counts, (1, 1), "one customer located, one check-in measured")
        self.assertAlmostEqual(self.cust_a.partner_latitude, ALPHA[0])
        self.assertAlmostEqual(visit.checkin_distance, 2.95, places=1)
        self.assertTrue(visit.checkin_far)
        with patch.object(Partner, "_geo_localize", return_value=ALPHA) as geo:
            counts = self.env["sfa.action"]._cron_sfa_locate_customers()
        geo.assert_not_called()
        self.assertEqual(counts, (0, 0))

    def test_only_the_reps_own_planned_visits_and_real_positions(self):
        visit = self.visit_of_rep_a()
        # the button is shown to whoever may use it only: the supervisor may
        # edit the visit, not check in for the rep
        self.assertTrue(visit.with_user(self.supervisor).can_write)
        self.assertFalse(visit.with_user(self.supervisor).can_check_in)
        self.assertTrue(visit.can_check_in)
        self.assertFalse(self.plan(self.call).with_user(self.rep_a).can_check_in)
        with self.assertRaises(AccessError):
            visit.with_user(self.supervisor).action_check_in(*ALPHA)
        with self.assertRaises(AccessError):
            visit.with_user(self.rep_c).action_check_in(*ALPHA)
        call = self.plan(self.call).with_user(self.rep_a)
        with self.assertRaises(UserError):
            call.action_check_in(*ALPHA)
        for latitude, longitude in ((120, 3), ("north", 3), (None, None)):
            with self.assertRaises(UserError):
                visit.action_check_in(latitude, longitude)
        with self.assertRaises(UserError):
            visit.action_check_in(*ALPHA, location="teleported")
        with self.assertRaises(UserError):
            visit.action_check_out(*ALPHA)
        self.assertFalse(visit.checkin_date, "nothing written")
        visit.action_check_in(*ALPHA)
        with self.assertRaises(UserError):
            visit.action_check_in(*ALPHA)
        # the position and its distance are the system's, not typed by hand
        with self.assertRaises(UserError):
            visit.write({"checkin_distance": 0.0, "checkin_far": False})

    def test_my_day_is_the_users_today(self):
        """At 23:30 UTC on 3 March it is already the 4th in Paris: the 08:00
        UTC visit of the 4th is rep_a's today."""
        visit = self.visit_of_rep_a()
        Action = self.env["sfa.action"].with_user(self.rep_a)
        with freeze_time("2030-03-03 23:30:00"):
            self.assertIn(visit, Action.search([("is_today", "=", True)]))
        with freeze_time("2030-03-03 12:00:00"):
            self.assertNotIn(visit, Action.search([("is_today", "=", True)]))
        self.assertEqual(visit.start.date(), date(2030, 3, 4))
        self.assertIn("query=50.6365", visit.maps_url)
        self.assertEqual(visit.partner_phone, self.cust_a.phone)
