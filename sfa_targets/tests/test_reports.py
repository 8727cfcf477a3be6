from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import TargetCase


@tagged("post_install", "-at_install")
class TestTargetReports(TargetCase):
    """What the target lists and pivots total, and what the bottom-up check
    flags.

    The company's 2026 won revenue target of 10,000 is split over France
    (10,000), then over North (6,000) and South (4,000); North over rep_a
    (3,000) and rep_b (2,000), 1,000 held by nobody; South is not split.
    The company also has a new-customers target of 12.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def line(value, parent=None, metric="won_revenue", **owner):
            return cls.year_line(value, metric, parent=parent, **owner)

        cls.company_won = line(10000)
        cls.france = line(10000, cls.company_won, territory=cls.t_country)
        cls.north = line(6000, cls.france, territory=cls.t_north)
        cls.south = line(4000, cls.france, territory=cls.t_south)
        cls.rep_a_line = line(3000, cls.north, user=cls.rep_a)
        cls.rep_b_line = line(2000, cls.north, user=cls.rep_b)
        cls.new_customers = line(12, metric="new_customers")
        cls.lines = cls.Line.search([("plan_id", "=", cls.plan.id)])
        cls.lines._refresh_actuals()

    def totals(self, groupby, domain=None):
        return {
            tuple(groups): (_total(target), _total(actual))
            for *groups, target, actual in self.Line._read_group(
                [("plan_id", "=", self.plan.id), *(domain or [])],
                groupby,
                ["target_value:sum", "actual_value:sum"],
            )
        }

    def test_totals_add_one_kind_of_target_only(self):
        # everything at once: targets of several metrics and levels, no total
        self.assertEqual(self.totals([]), {(): (None, None)})
        by_metric = self.totals(["metric"])
        self.assertEqual(by_metric[("won_revenue",)], (None, None), "levels mixed")
        self.assertEqual(by_metric[("new_customers",)], (12.0, 0.0))
        by_level = self.totals(["metric", "period_type", "owner_level"])
        self.assertEqual(
            by_level,
            {
                ("won_revenue", "year", "company"): (10000.0, 0.0),
                ("won_revenue", "year", "territory_country"): (10000.0, 0.0),
                ("won_revenue", "year", "territory_region"): (10000.0, 0.0),
                ("won_revenue", "year", "user"): (5000.0, 0.0),
                ("new_customers", "year", "company"): (12.0, 0.0),
            },
        )
        # a month and its year are not added either
        self.Line.create(
            {
                "plan_id": self.plan.id,
                "parent_id": self.rep_a_line.id,
                "owner_type": "user",
                "user_id": self.rep_a.id,
                "metric": "won_revenue",
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 1, 31),
                "target_value": 250,
            }
        )
        by_user = self.totals(["owner_level"], [("metric", "=", "won_revenue")])
        self.assertEqual(by_user[("user",)], (None, None))

    def test_the_bottom_up_check_flags_quota_nobody_holds(self):
        # South has a manager: its responsible holds it, unsplit
        self.assertEqual(self.south.owner_user_id, self.territory_manager)
        self.assertFalse(self.south.unheld)
        self.assertEqual(self.south.held_by, "Territory Manager (responsible)")
        # without one, nobody holds South's 4,000 (nor the company's
        # new-customers target, which has no responsible)
        self.t_south.manager_id = False
        self.env.invalidate_all()
        unheld = self.lines.filtered("unheld")
        self.assertEqual(
            unheld.mapped("name"), (self.south | self.new_customers).mapped("name")
        )
        self.assertEqual(self.south.unheld_value, 4000)
        self.assertEqual(self.south.held_by, "Nobody")
        self.env.invalidate_all()
        self.assertEqual(self.company_won.held_value, 5000)
        self.assertEqual(self.company_won.held_share, 50)
        self.assertEqual(self.company_won.unheld_share, 40)
        self.assertEqual(self.france.unheld_share, 40)
        self.assertEqual(self.north.unheld_share, 0)
        self.assertEqual(self.company_won.held_by, "2 salespeople")
        self.assertEqual(self.rep_a_line.held_by, "Rep A")
        self.assertAlmostEqual(self.north.held_share, 5000 / 6000 * 100)
        self.assertEqual(self.rep_a_line.held_share, 100)
        action = self.Line.action_open_bottom_up()
        flagged = self.Line.search(
            [("plan_id", "=", self.plan.id), *safe_eval(action["domain"])]
        )
        # North's reps hold 5,000 of its 6,000: its split disagrees; the
        # company and France have quota nobody holds below them
        self.assertTrue(self.north.split_mismatch)
        self.assertEqual(flagged, unheld | self.north | self.company_won | self.france)
        # the total of the quota nobody holds adds levels of one metric
        # (the company's new customers and South's won revenue) but not
        # unlike metrics
        totals = dict(
            self.Line._read_group(
                [("plan_id", "=", self.plan.id)], ["metric"], ["unheld_value:sum"]
            )
        )
        self.assertEqual(totals, {"won_revenue": 4000, "new_customers": 12})
        [[everything]] = self.Line._read_group(
            [("plan_id", "=", self.plan.id)], [], ["unheld_value:sum"]
        )
        self.assertIsNone(_total(everything))
        # split South to rep_c: it is held now
        self.Line.create(
            {
                "plan_id": self.plan.id,
                "parent_id": self.south.id,
                "owner_type": "user",
                "user_id": self.rep_c.id,
                "metric": "won_revenue",
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 12, 31),
                "target_value": 4000,
            }
        )
        self.assertFalse(self.south.unheld)
        self.env.invalidate_all()
        self.assertEqual(self.company_won.held_share, 90)
        self.assertEqual(self.company_won.unheld_share, 0)

    def test_a_rep_reads_only_their_own_line_in_the_bottom_up_check(self):
        self.t_south.manager_id = False
        for boss in (self.supervisor, self.director):
            action = self.Line.with_user(boss).action_open_bottom_up()
            self.assertIn(("unheld", "=", True), safe_eval(action["domain"]))
        action = self.Line.with_user(self.rep_a).action_open_bottom_up()
        domain = safe_eval(action["domain"], {"uid": self.rep_a.id})
        self.assertEqual(domain, [("owner_user_id", "=", self.rep_a.id)])
        self.assertNotIn("every quota is held", action["help"])
        seen = self.Line.with_user(self.rep_a).search(
            [("plan_id", "=", self.plan.id), *domain]
        )
        self.assertEqual(seen, self.rep_a_line)
        self.assertEqual(seen.held_by, "Rep A")

    def test_a_country_shows_what_lies_in_none_of_its_regions(self):
        gamma = self.env["res.partner"].create(
            {
                "name": "Gamma",
                "is_company": True,
                "user_id": self.rep_a.id,
                "country_id": self.fr.id,  # no zip: France, no region
            }
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Gamma deal",
                "type": "opportunity",
                "user_id": self.rep_a.id,
                "partner_id": gamma.id,
                "expected_revenue": 500,
            }
        )
        self.lead_a.expected_revenue = 300  # Alpha, in Lille (North)
        with freeze_time("2026-05-05 10:00:00"):
            (lead | self.lead_a).action_set_won()
        self.plan.action_confirm()
        self.lines._refresh_actuals()
        self.assertEqual(gamma.sfa_territory_id, self.t_country)
        self.assertEqual(self.france.actual_value, 800)
        self.assertEqual(self.north.actual_value, 300)
        self.assertEqual(self.south.actual_value, 0)
        self.assertEqual(self.france.outside_split, 500, "in no region")
        # split over salespeople, who sell anywhere: nothing to show
        self.assertEqual(self.north.outside_split, 0)
        self.assertEqual(self.company_won.outside_split, 0)


def _total(value):
    """A total, or None where the report gives none (the database's NULL,
    read by the ORM as False)."""
    return None if value is False or value is None else value
