from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.sfa_performance.models.sfa_scorecard_xlsx import SfaScorecard


@tagged("post_install", "-at_install")
class TestScorecardTour(HttpCase):
    """A manager computes the month's scorecards of the team, comments on one
    and exports the team sheet."""

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

        cls.manager = user("tour_score_manager", "manager", "Tour Manager")
        cls.rep_one = user("tour_score_rep", "rep", "Tour Rep One", cls.manager)
        cls.rep_two = user("tour_score_rep2", "rep", "Tour Rep Two", cls.manager)
        kpi = env.ref("sfa_performance.kpi_won_revenue")
        env["sfa.scorecard.template"].search([("role", "=", "rep")]).active = False
        env["sfa.scorecard.template"].create(
            {
                "name": "Tour Reps",
                "role": "rep",
                "line_ids": [(0, 0, {"kpi_id": kpi.id, "weight": 100, "target": 2000})],
            }
        )
        # won last month: Compute Scorecards opens on the last complete month
        cls.month = fields.Date.context_today(env["sfa.scorecard"]).replace(
            day=1
        ) - relativedelta(months=1)
        with freeze_time(cls.month.replace(day=10)):
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

    def test_manager_computes_comments_and_exports(self):
        actions = []
        original = SfaScorecard.action_export_xlsx

        def export(records):
            actions.append(original(records))
            return actions[-1]

        export._readonly = True  # as the method it stands for
        with patch.object(SfaScorecard, "action_export_xlsx", export):
            self.start_tour("/odoo", "sfa_scorecard_tour", login="tour_score_manager")
        cards = self.env["sfa.scorecard"].search([("date_from", "=", self.month)])
        self.assertEqual(cards.user_id, self.rep_one | self.rep_two)
        one = cards.filtered(lambda card: card.user_id == self.rep_one)
        self.assertEqual(one.state, "reviewed")
        self.assertIn("now more visits", one.comment)
        self.assertEqual(one.reviewed_by_id, self.manager)
        self.assertEqual((one.total_score, one.rank), (50.0, 1))
        # the button opened the download of the read-only route: what the
        # browser's new tab gets, as the manager
        self.assertEqual(len(actions), 1, "the team sheet was exported")
        self.assertEqual(actions[0]["target"], "download")
        self.authenticate("tour_score_manager", "tour_score_manager")
        response = self.url_open(actions[0]["url"])
        self.assertEqual(response.status_code, 200)
        self.assertIn("Scorecards%20", response.headers["Content-Disposition"])
        self.assertTrue(response.content.startswith(b"PK"), "an xlsx workbook")

    def test_manager_reads_the_team_dashboard_by_period(self):
        self.start_tour("/odoo", "sfa_team_dashboard_tour", login="tour_score_manager")

    def test_manager_opens_the_sales_force_dashboard(self):
        self.start_tour(
            "/odoo", "sfa_spreadsheet_dashboard_tour", login="tour_score_manager"
        )
