import io
from datetime import date

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import SQL

from odoo.addons.sfa_base.tests.common import SfaCase

from .xlsx_common import exported


@tagged("post_install", "-at_install")
class TestScorecard(SfaCase):
    """March 2026, worked out by hand. Template for reps: won revenue 50 %
    (target 4000), win rate 30 % (target 50 %), sales cycle 20 % (30 days,
    lower is better); every score capped at 150.

    rep_a won 1000 (10 days) and 3000 (20 days), lost one; their own March
    target of 5000 replaces the template's. Scores: 4000/5000 = 80 -> 40;
    66.67/50 = 133.3 -> 40; 30/15 = 200, capped 150 -> 30; total 110.
    rep_b won 6000 in 40 days: 150 (capped) -> 75; 100/50 capped 150 -> 45;
    30/40 = 75 -> 15; total 135. Same manager (the supervisor): rep_b is
    first, rep_a second, of two.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        (cls.rep_a | cls.rep_b).tz = False
        cls.company.partner_id.tz = False
        Kpi = env["sfa.kpi"]
        cls.kpi_revenue = Kpi.search([("code", "=", "won_revenue")])
        cls.kpi_rate = Kpi.search([("code", "=", "win_rate")])
        cls.kpi_cycle = Kpi.search([("code", "=", "cycle_days")])
        cls.template = env["sfa.scorecard.template"].create(
            {
                "name": "Reps",
                "role": "rep",
                "line_ids": [
                    (
                        0,
                        0,
                        {"kpi_id": cls.kpi_revenue.id, "weight": 50, "target": 4000},
                    ),
                    (0, 0, {"kpi_id": cls.kpi_rate.id, "weight": 30, "target": 50}),
                    (0, 0, {"kpi_id": cls.kpi_cycle.id, "weight": 20, "target": 30}),
                ],
            }
        )

        def deal(user, amount, created, closed, lost=False):
            with freeze_time(created):
                lead = env["crm.lead"].create(
                    {
                        "name": f"{user.name} {amount}",
                        "type": "opportunity",
                        "user_id": user.id,
                        "partner_id": cls.cust_b.id,
                        "expected_revenue": amount,
                    }
                )
            env.flush_all()
            # the database dates a record's creation itself
            env.cr.execute(
                SQL(
                    "UPDATE crm_lead SET create_date = %s WHERE id = %s",
                    created,
                    lead.id,
                )
            )
            lead.invalidate_recordset()
            with freeze_time(closed):
                lead.action_set_lost() if lost else lead.action_set_won()

        deal(cls.rep_a, 1000, "2026-02-19 10:00", "2026-03-01 10:00:00")
        deal(cls.rep_a, 3000, "2026-03-01 10:00", "2026-03-21 10:00:00")
        deal(cls.rep_a, 500, "2026-03-02 10:00", "2026-03-15 10:00:00", lost=True)
        deal(cls.rep_b, 6000, "2026-02-01 10:00", "2026-03-13 10:00:00")
        env.invalidate_all()
        plan = env["sfa.target.plan"].create(
            {
                "name": "2026",
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 12, 31),
            }
        )
        env["sfa.target.line"].create(
            {
                "plan_id": plan.id,
                "owner_type": "user",
                "user_id": cls.rep_a.id,
                "metric": "won_revenue",
                "date_from": date(2026, 3, 1),
                "date_to": date(2026, 3, 31),
                "target_value": 5000,
            }
        )
        plan.action_confirm()
        cls.Card = env["sfa.scorecard"]

    def compute(self, user=None, users=None):
        Wizard = self.env["sfa.scorecard.generate"].with_user(user or self.supervisor)
        with freeze_time("2026-04-02"):
            form = Form(Wizard)
            form.date_from = date(2026, 3, 1)
            wizard = form.save()
        if users is not None:
            wizard.user_ids = users
        wizard.action_apply()
        return self.Card.search([("date_from", "=", date(2026, 3, 1))])

    def card(self, user):
        return self.Card.search(
            [("user_id", "=", user.id), ("date_from", "=", date(2026, 3, 1))]
        )

    def test_scores_totals_and_ranks(self):
        cards = self.compute()
        self.assertEqual(cards.user_id, self.rep_a | self.rep_b, "the team below")
        card_a, card_b = self.card(self.rep_a), self.card(self.rep_b)
        self.assertEqual(card_a.date_to, date(2026, 3, 31))
        self.assertEqual(
            [
                (
                    kl.kpi_id,
                    round(kl.value, 2),
                    kl.target,
                    round(kl.score, 2),
                    round(kl.weighted_score, 2),
                )
                for kl in card_a.line_ids
            ],
            [
                (self.kpi_revenue, 4000.0, 5000.0, 80.0, 40.0),
                (self.kpi_rate, 66.67, 50.0, 133.33, 40.0),
                (self.kpi_cycle, 15.0, 30.0, 150.0, 30.0),
            ],
        )
        self.assertEqual(
            [round(kl.score, 2) for kl in card_b.line_ids], [150.0, 150.0, 75.0]
        )
        self.assertAlmostEqual(card_a.total_score, 110.0)
        self.assertAlmostEqual(card_b.total_score, 135.0)
        self.assertEqual((card_b.rank, card_a.rank), (1, 2))
        self.assertEqual(card_a.team_size, 2)
        self.assertEqual(card_a.manager_id, self.supervisor)
        self.assertEqual(card_a.state, "computed")

    def test_each_value_opens_the_facts_behind_it(self):
        """Rep A's March revenue (4,000) opens the won-revenue facts that add up
        to it; the win rate opens the won and lost deals it divides."""
        self.compute()
        card_a = self.card(self.rep_a)
        revenue, rate = card_a.line_ids[:2]
        Fact = self.env["sfa.fact"].with_user(self.supervisor)
        action = revenue.with_user(self.supervisor).action_open_facts()
        self.assertEqual(action["res_model"], "sfa.fact")
        [(total,)] = Fact._read_group(action["domain"], [], ["amount:sum"])
        self.assertAlmostEqual(total, revenue.value)
        action = rate.with_user(self.supervisor).action_open_facts()
        counts = dict(Fact._read_group(action["domain"], ["metric"], ["quantity:sum"]))
        self.assertAlmostEqual(
            100 * counts["won_deals"] / (counts["won_deals"] + counts["lost_deals"]),
            rate.value,
        )

    def test_defaults_score_the_last_complete_month_of_people_with_a_template(self):
        """On 2 April a manager opens Compute Scorecards: March, and only the
        people below whose role has a template (the reps, not the supervisor
        without one); applying the defaults as they are works."""
        Wizard = self.env["sfa.scorecard.generate"].with_user(self.manager)
        with freeze_time("2026-04-02"):
            wizard = Form(Wizard).save()
        self.assertEqual(
            (wizard.date_from, wizard.date_to), (date(2026, 3, 1), date(2026, 3, 31))
        )
        self.assertEqual(wizard.user_ids, self.rep_a | self.rep_b)
        wizard.action_apply()
        self.assertEqual(
            self.Card.search([("date_from", "=", date(2026, 3, 1))]).user_id,
            self.rep_a | self.rep_b,
        )

    def test_values_are_shown_with_their_units(self):
        self.compute()
        card_a = self.card(self.rep_a)
        symbol = self.company.currency_id.symbol
        displays = [(kl.value_display, kl.target_display) for kl in card_a.line_ids]
        self.assertIn(symbol, displays[0][0])
        self.assertIn("4,000.00", displays[0][0])
        self.assertIn("5,000.00", displays[0][1])
        self.assertEqual(displays[1], ("66.7 %", "50.0 %"))
        self.assertEqual(displays[2], ("15.0 days", "30.0 days"))

    def test_review_and_final_freeze(self):
        self.compute()
        card_a = self.card(self.rep_a)
        with self.assertRaisesRegex(AccessError, "managers of Rep A"):
            card_a.with_user(self.rep_a).comment = "<p>I did great</p>"
        card_a.with_user(self.supervisor).comment = "<p>Win more, faster.</p>"
        card_a.with_user(self.supervisor).action_review()
        self.assertEqual(card_a.state, "reviewed")
        self.assertEqual(card_a.reviewed_by_id, self.supervisor)
        card_a.with_user(self.supervisor).action_finalize()
        with self.assertRaises(UserError) as refused:
            card_a.with_user(self.supervisor).comment = "<p>changed</p>"
        self.assertIn("is final", str(refused.exception))
        self.assertIn("Win more", card_a.comment)
        with self.assertRaises(UserError):
            card_a.line_ids[0].write({"value": 1})
        with self.assertRaises(UserError):
            card_a.unlink()
        # computing the month again leaves the final card as it was
        self.compute()
        self.assertEqual(card_a.state, "final")
        self.assertAlmostEqual(card_a.total_score, 110.0)

    def test_a_final_scorecard_stays_final_whatever_the_context(self):
        """A context key used to let compute code change a final card: any
        client could send it and put the card back to draft."""
        self.compute()
        card_a = self.card(self.rep_a)
        card_a.with_user(self.supervisor).action_finalize()
        supervisor = card_a.with_user(self.supervisor).with_context(
            sfa_scorecard_compute=True
        )
        with self.assertRaises(UserError):
            supervisor.comment = "<p>rewritten</p>"
        with self.assertRaises(UserError):
            supervisor.action_reset_to_computed()
        with self.assertRaises(UserError):  # final, and state is the system's
            supervisor.write({"state": "draft"})
        supervisor.action_compute()
        self.assertEqual(card_a.state, "final")
        self.assertAlmostEqual(card_a.total_score, 110.0)

    def test_scores_and_owner_are_not_written_by_hand(self):
        """A supervisor comments on the cards of their team; the figures,
        the rank, the state and whose card it is are the system's."""
        self.compute()
        card_a = self.card(self.rep_a).with_user(self.supervisor)
        for values in (
            {"total_score": 150.0},
            {"rank": 1},
            {"state": "reviewed"},
            {"user_id": self.manager_2.id},
            {"manager_id": self.manager_2.id},
        ):
            with self.subTest(values=values):
                with self.assertRaisesRegex(AccessError, "set by the system"):
                    card_a.write(values)
        with self.assertRaisesRegex(AccessError, "set by the system"):
            card_a.line_ids[0].with_user(self.director).write({"score": 150.0})
        with self.assertRaises(AccessError):
            self.env["sfa.scorecard"].with_user(self.supervisor).create(
                {
                    "user_id": self.rep_a.id,
                    "template_id": self.template.id,
                    "date_from": date(2026, 5, 1),
                    "date_to": date(2026, 5, 31),
                }
            )
        self.assertAlmostEqual(card_a.total_score, 110.0)
        self.assertEqual((card_a.rank, card_a.user_id), (2, self.rep_a))

    def test_targets_and_caps_are_numbers(self):
        line = self.template.line_ids[0].with_user(self.director)
        for value in (float("nan"), float("inf")):
            for name in ("target", "cap", "weight"):
                with self.subTest(name=name, value=value):
                    with self.assertRaisesRegex(ValidationError, "must be a number"):
                        line.write({name: value})
        self.assertEqual(self.template.line_ids[0].target, 4000)

    def test_weights_must_add_up_to_100(self):
        with self.assertRaises(ValidationError) as refused:
            self.template.line_ids[0].weight = 40
        self.assertIn("add up to 90.0 %, not 100 %", str(refused.exception))
        self.env.invalidate_all(flush=False)
        self.assertEqual(self.template.line_ids[0].weight, 50, "nothing written")
        with self.assertRaises(ValidationError):
            self.env["sfa.scorecard.template"].create(
                {
                    "name": "Half",
                    "role": "supervisor",
                    "line_ids": [(0, 0, {"kpi_id": self.kpi_rate.id, "weight": 50})],
                }
            )
        self.assertFalse(
            self.env["sfa.scorecard.template"].search([("name", "=", "Half")])
        )

    def test_computation_queries_do_not_grow_with_reps(self):
        self.compute()
        one = self.card(self.rep_a)
        more = self.compute(
            user=self.director, users=self.rep_a | self.rep_b | self.rep_c
        )
        counts = []
        more.sudo()._sfa_compute()  # warm the caches (defaults, time zones)
        for cards in (one, more):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            cards.sudo()._sfa_compute()
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(len(more), 3)
        # rep_c closed nothing: no cycle length to reward, nor a win rate
        card_c = self.card(self.rep_c)
        self.assertEqual(
            [(kl.measured, kl.score) for kl in card_c.line_ids],
            [(True, 0.0), (False, 0.0), (False, 0.0)],
        )
        self.assertEqual(card_c.total_score, 0.0)
        self.assertEqual(counts[0], counts[1], "as many queries for 1 or 3 reps")

    def test_who_reads_and_scores(self):
        self.compute()
        self.assertEqual(self.Card.with_user(self.rep_a).search([]).user_id, self.rep_a)
        self.assertEqual(
            self.Card.with_user(self.supervisor).search([]).user_id,
            self.rep_a | self.rep_b,
        )
        self.assertFalse(self.Card.with_user(self.rep_c).search([]))
        with self.assertRaisesRegex(AccessError, "only the people below you"):
            self.compute(users=self.rep_c)

    def test_export_writes_text_as_text(self):
        cards = self.compute()
        self.rep_a.name = "=1+1"
        card = self.card(self.rep_a).with_user(self.supervisor)
        card.comment = '<p>=HYPERLINK("http://example.com","x")</p>'
        name, raw = exported(cards.with_user(self.supervisor))
        book = openpyxl.load_workbook(io.BytesIO(raw))
        team = {row[1].value: row for row in book["Team"].iter_rows(min_row=5)}
        self.assertEqual(team["=1+1"][1].data_type, "s")
        self.assertEqual(team["=1+1"][0].value, 2, "the rank is a number")
        comments = [
            row[8] for row in book["Scorecards"].iter_rows(min_row=5) if row[8].value
        ]
        self.assertEqual([c.data_type for c in comments], ["s"])
        self.assertTrue(comments[0].value.startswith("=HYPERLINK"))

    def test_team_sheet_export(self):
        cards = self.compute()
        self.card(self.rep_a).with_user(self.supervisor).comment = "<p>Faster.</p>"
        name, raw = exported(cards.with_user(self.supervisor))
        self.assertEqual(name, "Scorecards 2026-03-01 – 2026-03-31.xlsx")
        book = openpyxl.load_workbook(io.BytesIO(raw))
        self.assertEqual(book.sheetnames, ["Team", "Scorecards"])
        team = book["Team"]
        self.assertEqual(
            [cell.value for cell in team[4]],
            [
                "Rank",
                "Salesperson",
                "Manager",
                "From",
                "To",
                "Won Revenue (score)",
                "Win Rate (score)",
                "Sales Cycle Length (score)",
                "Weighted Score",
                "Status",
            ],
        )
        rows = [[cell.value for cell in row] for row in team.iter_rows(min_row=5)]
        self.assertEqual(
            [(r[0], r[1], r[2], round(r[8], 2), r[9]) for r in rows],
            [
                (1, "Rep B", "Supervisor", 135.0, "Computed"),
                (2, "Rep A", "Supervisor", 110.0, "Computed"),
            ],
        )
        self.assertEqual([round(v, 2) for v in rows[1][5:8]], [80.0, 133.33, 150.0])
        self.assertEqual(team.page_setup.orientation, "landscape")
        detail = book["Scorecards"]
        self.assertEqual(detail["C4"].value, "KPI")
        details = [[c.value for c in row] for row in detail.iter_rows(min_row=5)]
        self.assertEqual(len(details), 6, "3 KPIs x 2 reps")
        rep_a = [r for r in details if r[0] == "Rep A"]
        self.assertEqual(
            [(r[2], round(r[3], 2), r[4], round(r[5], 2)) for r in rep_a],
            [
                ("Won Revenue", 4000, 5000, 80.0),
                ("Win Rate", 66.67, 50, 133.33),
                ("Sales Cycle Length", 15, 30, 150.0),
            ],
        )
        self.assertEqual(rep_a[0][8], "Faster.")

    def test_nightly_run_scores_last_month_once(self):
        with freeze_time("2026-04-02 01:00:00"):
            self.Card._cron_compute_last_month()
        cards = self.Card.search([("date_from", "=", date(2026, 3, 1))])
        reps = cards.user_id
        self.assertLessEqual(self.rep_a | self.rep_b | self.rep_c, reps)
        self.assertEqual(set(cards.mapped("state")), {"computed"})
        self.assertAlmostEqual(self.card(self.rep_a).total_score, 110.0)
        self.card(self.rep_a).action_finalize()
        with freeze_time("2026-04-03 01:00:00"):
            self.Card._cron_compute_last_month()
        again = self.Card.search([("date_from", "=", date(2026, 3, 1))])
        self.assertEqual(again, cards, "no second scorecard")
        self.assertEqual(self.card(self.rep_a).state, "final")
