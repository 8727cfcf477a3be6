from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


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
        self.start_tour("/odoo", "sfa_scorecard_tour", login="tour_score_manager")
        month = fields.Date.context_today(self.env["sfa.scorecard"]).replace(day=1)
        cards = self.env["sfa.scorecard"].search([("date_from", "=", month)])
        self.assertEqual(cards.user_id, self.rep_one | self.rep_two)
        one = cards.filtered(lambda card: card.user_id == self.rep_one)
        self.assertEqual(one.state, "reviewed")
        self.assertIn("now more visits", one.comment)
        self.assertEqual(one.reviewed_by_id, self.manager)
        self.assertEqual((one.total_score, one.rank), (50.0, 1))
        sheets = self.env["ir.attachment"].search(
            [("create_uid", "=", self.manager.id), ("name", "like", "Scorecards %")]
        )
        self.assertEqual(len(sheets), 1, "the team sheet was exported")
        self.assertTrue(sheets.raw.startswith(b"PK"), "an xlsx workbook")
