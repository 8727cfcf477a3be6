from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.sfa_base.tests.common import SfaCase

DAY0 = datetime(2026, 4, 1, 8, 0)
MEASURES = [
    "entered_count:sum",
    "advanced_count:sum",
    "won_count:sum",
    "lost_count:sum",
    "advance_rate:avg",
    "won_rate:avg",
    "lost_rate:avg",
    "days_in_stage:avg",
    "median_days_in_stage:median",
    "cycle_days:avg",
]


@tagged("post_install", "-at_install")
class TestStageAnalysis(SfaCase):
    """Four deals whose paths are worked out by hand (days after DAY0):

    A: S1 0-2, S2 2-5, S3 5-9, won on day 9        (rep_a)
    B: S1 0-4, S2 4-10, lost on day 10 in S2        (rep_a)
    C: S1 1-3, S2 3-4, back to S1 4-8, S2 since 8   (rep_b)
    D: S1 2-3, lost on day 3 in S1                  (rep_b)
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Stage = cls.env["crm.stage"]
        cls.s1 = Stage.create({"name": "A1", "sequence": 2001})
        cls.s2 = Stage.create({"name": "A2", "sequence": 2002})
        cls.s3 = Stage.create({"name": "A3", "sequence": 2003})
        cls.won = Stage.create({"name": "A Won", "sequence": 2004, "is_won": True})
        cls.deals = {}
        steps = [
            (0, "A", "create", cls.rep_a),
            (0, "B", "create", cls.rep_a),
            (1, "C", "create", cls.rep_b),
            (2, "D", "create", cls.rep_b),
            (2, "A", "move", cls.s2),
            (3, "C", "move", cls.s2),
            (3, "D", "lost", None),
            (4, "B", "move", cls.s2),
            (4, "C", "move", cls.s1),
            (5, "A", "move", cls.s3),
            (8, "C", "move", cls.s2),
            (9, "A", "won", None),
            (10, "B", "lost", None),
        ]
        for day, name, what, arg in steps:
            with freeze_time(DAY0 + timedelta(days=day)):
                if what == "create":
                    deal = cls.env["crm.lead"].create(
                        {
                            "name": f"Deal {name}",
                            "type": "opportunity",
                            "user_id": arg.id,
                            "stage_id": cls.s1.id,
                            "partner_id": cls.cust_a.id
                            if arg == cls.rep_a
                            else cls.cust_b.id,
                        }
                    )
                    cls.env.cr.execute(
                        "UPDATE crm_lead SET create_date = %s WHERE id = %s",
                        [DAY0 + timedelta(days=day), deal.id],
                    )
                    cls.deals[name] = deal
                elif what == "lost":
                    cls.deals[name].action_set_lost()
                elif what == "won":
                    cls.deals[name].action_set_won()
                else:
                    cls.deals[name].stage_id = arg
        cls.env.flush_all()
        cls.all_deals = cls.env["crm.lead"].browse([d.id for d in cls.deals.values()])

    def figures(self, user=None, groupby=("stage_id",)):
        Analysis = self.env["sfa.stage.analysis"]
        if user:
            Analysis = Analysis.with_user(user)
        rows = Analysis._read_group(
            [("lead_id", "in", self.all_deals.ids)], list(groupby), MEASURES
        )
        return {
            row[0] if len(groupby) == 1 else row[: len(groupby)]: [
                round(v, 2) if isinstance(v, float) else v for v in row[len(groupby) :]
            ]
            for row in rows
        }

    def test_per_stage_figures(self):
        figures = self.figures()
        # entered, advanced, won, lost, adv%, won%, lost%, avg days, median, cycle
        # (False: no completed stay to average)
        self.assertEqual(
            figures[self.s1], [5, 4, 1, 1, 80.0, 20.0, 20.0, 2.6, 2.0, False]
        )
        self.assertEqual(
            figures[self.s2], [4, 1, 1, 1, 25.0, 25.0, 25.0, 3.33, 3.0, False]
        )
        self.assertEqual(
            figures[self.s3], [1, 1, 1, 0, 100.0, 100.0, 0.0, 4.0, 4.0, 9.0]
        )
        self.assertEqual(
            figures[self.won], [1, 0, 1, 0, 0.0, 100.0, 0.0, False, False, False]
        )

    def test_cut_by_salesperson_with_median(self):
        figures = self.figures(groupby=("stage_id", "user_id"))
        # rep_a in S1: A 2 days, B 4 days; rep_b in S1: C 2 and 4 days, D 1 day
        self.assertEqual(figures[self.s1, self.rep_a][7:9], [3.0, 3.0])
        self.assertEqual(figures[self.s1, self.rep_b][7:9], [2.33, 2.0])
        self.assertEqual(figures[self.s1, self.rep_b][:4], [3, 2, 0, 1])

    def test_cut_by_territory_and_month(self):
        figures = self.figures(groupby=("sfa_territory_id", "date_in:month"))
        self.assertEqual(set(figures), {(self.t_lille, datetime(2026, 4, 1))})

    def test_rep_sees_only_their_deals(self):
        figures = self.figures(user=self.rep_a)
        self.assertEqual(figures[self.s1][:4], [2, 2, 1, 0])
        self.assertEqual(figures[self.s2][:4], [2, 1, 1, 1])
        figures = self.figures(user=self.supervisor)
        self.assertEqual(figures[self.s1][:4], [5, 4, 1, 1])

    def test_pivot_through_the_web_client_api(self):
        groups = self.env["sfa.stage.analysis"].formatted_read_group(
            [("lead_id", "in", self.all_deals.ids)],
            ["stage_id"],
            ["median_days_in_stage:median", "advance_rate:avg"],
        )
        by_stage = {g["stage_id"][0]: g for g in groups}
        self.assertEqual(by_stage[self.s2.id]["median_days_in_stage:median"], 3.0)
        self.assertEqual(by_stage[self.s1.id]["advance_rate:avg"], 80.0)
