from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.sfa_base.tests.common import SfaCase


@tagged("post_install", "-at_install")
class TestForecast(SfaCase):
    """March 2026, team T, stages New (25 % of past stays won) and Qualified (50 %).

    rep_a: Deal A 1000 at 50 %, commit; Big Omitted 4000 at 10 %, omitted;
           April Deal 500 (next period). Wins 700 in March (another team).
    rep_b: Deal B 2000 at 20 %, best case, Qualified.
    rep_c: Deal C 3000 at 30 %, pipeline, Proposition (no history: 0 %).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.team = env["crm.team"].create({"name": "Team T"})
        cls.team_2 = env["crm.team"].create({"name": "Team U"})
        cls.s_new = env.ref("crm.stage_lead1")
        cls.s_qualified = env.ref("crm.stage_lead2")
        cls.s_proposition = env.ref("crm.stage_lead3")
        cls.Forecast = env["sfa.forecast"]
        Lead = env["crm.lead"]
        # History of team T: four deals through New, two of them through
        # Qualified; one won, three lost.
        past = Lead.create(
            [
                {
                    "name": f"Past {i}",
                    "type": "opportunity",
                    "user_id": False,
                    "team_id": cls.team.id,
                    "stage_id": cls.s_new.id,
                    "company_id": cls.company.id,
                }
                for i in range(4)
            ]
        )
        past[:2].write({"stage_id": cls.s_qualified.id})
        past[0].action_set_won()
        past[1:].action_set_lost()

        def deal(lead, **vals):
            lead.write(dict(vals, team_id=cls.team.id))
            return lead

        cls.lead_a = deal(
            cls.lead_a,
            stage_id=cls.s_new.id,
            probability=50,
            date_deadline="2026-03-20",
            sfa_forecast_category="commit",
            sfa_territory_id=cls.t_lille.id,
        )
        cls.lead_b = deal(
            cls.lead_b,
            stage_id=cls.s_qualified.id,
            probability=20,
            date_deadline="2026-03-25",
            sfa_forecast_category="best_case",
            sfa_territory_id=cls.t_lille.id,
        )
        cls.lead_c = deal(
            cls.lead_c,
            stage_id=cls.s_proposition.id,
            probability=30,
            date_deadline="2026-03-05",
            sfa_territory_id=cls.t_marseille.id,
        )
        common = {"type": "opportunity", "user_id": cls.rep_a.id}
        cls.omitted = Lead.create(
            dict(
                common,
                name="Big Omitted",
                team_id=cls.team.id,
                stage_id=cls.s_new.id,
                expected_revenue=4000,
                probability=10,
                date_deadline="2026-03-31",
                sfa_forecast_category="omitted",
            )
        )
        cls.april = Lead.create(
            dict(
                common,
                name="April Deal",
                team_id=cls.team.id,
                stage_id=cls.s_new.id,
                expected_revenue=500,
                probability=40,
                date_deadline="2026-04-02",
            )
        )
        cls.to_win = Lead.create(
            dict(
                common,
                name="Won in March",
                team_id=cls.team_2.id,
                expected_revenue=700,
                # won revenue is in its customer's territory of the day
                partner_id=cls.cust_a.id,
                sfa_territory_id=cls.t_lille.id,
            )
        )

    def _march(self):
        """Refresh March on the 10th, with the 700 deal won that day."""
        with freeze_time("2026-03-10 09:00:00"):
            self.to_win.action_set_won()
            return self.Forecast._refresh_period(date(2026, 3, 1))

    def _by_user(self, forecasts):
        return {forecast.user_id: forecast for forecast in forecasts}

    def test_category_on_deal(self):
        lead = self.env["crm.lead"].create({"name": "New", "type": "opportunity"})
        self.assertEqual(lead.sfa_forecast_category, "pipeline")
        self.assertTrue(
            self.env["crm.lead"]._fields["sfa_forecast_category"].tracking,
            "changes of category show in the chatter",
        )

    def test_figures_per_rep(self):
        rows = self._by_user(self._march())
        self.assertEqual(set(rows), {self.rep_a, self.rep_b, self.rep_c})
        a, b, c = rows[self.rep_a], rows[self.rep_b], rows[self.rep_c]
        self.assertEqual(
            (a.period_start, a.period_end), (date(2026, 3, 1), date(2026, 3, 31))
        )
        # 1000 x 50 % + 4000 x 10 %; the April deal is next period's
        self.assertAlmostEqual(a.weighted, 900)
        self.assertAlmostEqual(a.commit, 1000)
        self.assertAlmostEqual(a.best_case, 1000)
        self.assertAlmostEqual(a.pipeline, 1000, msg="omitted deals left out")
        # 1000 x 25 % (New in team T); the omitted deal is left out
        self.assertAlmostEqual(a.historical, 250)
        self.assertAlmostEqual(a.actual, 700)
        self.assertAlmostEqual(a.rep_forecast, 1000, msg="commit by default")
        self.assertAlmostEqual(a.final_forecast, 1000)
        with freeze_time("2026-03-31"):
            a.invalidate_recordset(["accuracy"])
            self.assertFalse(a.accuracy, "no accuracy while the period is open")
        a.invalidate_recordset(["accuracy"])
        self.assertAlmostEqual(a.accuracy, 1 - 300 / 700, msg="after close")
        self.assertAlmostEqual(b.weighted, 400)
        self.assertEqual((b.commit, b.best_case, b.pipeline), (0, 2000, 2000))
        self.assertAlmostEqual(b.historical, 1000, msg="2000 x 50 % (Qualified)")
        self.assertAlmostEqual(c.weighted, 900)
        self.assertEqual((c.commit, c.pipeline, c.historical), (0, 3000, 0))

    def test_refresh_twice_and_set_based(self):
        with freeze_time("2026-03-10 09:00:00"):
            first = self.Forecast._refresh_period(date(2026, 3, 1))
            figures = first.read(["weighted", "historical", "final_forecast"])
            second = self.Forecast._refresh_period(date(2026, 3, 1))
            self.assertEqual(first, second, "one row per rep, whatever the runs")
            self.assertEqual(
                second.read(["weighted", "historical", "final_forecast"]), figures
            )
            # same number of queries for one rep (April) as for three (March)
            self.Forecast._refresh_period(date(2026, 4, 1))
            self.env.invalidate_all()
            count = self.cr.sql_log_count
            self.Forecast._refresh_period(date(2026, 4, 1))
            april_queries = self.cr.sql_log_count - count
            self.env.invalidate_all()
            count = self.cr.sql_log_count
            self.Forecast._refresh_period(date(2026, 3, 1))
            self.assertEqual(self.cr.sql_log_count - count, april_queries)
        # a deal that leaves the period takes its figures with it
        self.lead_c.date_deadline = "2026-04-05"
        with freeze_time("2026-03-11"):
            march = self._by_user(self.Forecast._refresh_period(date(2026, 3, 1)))
        self.assertEqual(march[self.rep_c].pipeline, 0)

    def test_refresh_now_says_what_it_refreshed(self):
        with freeze_time("2026-03-10 09:00:00"):
            march = self.Forecast._refresh_period(date(2026, 3, 1))
            answer = march.action_refresh()
        self.assertEqual(answer["tag"], "display_notification")
        self.assertEqual(answer["params"]["next"]["tag"], "soft_reload")
        self.assertEqual(
            answer["params"]["message"],
            "Forecasts of March 2026 refreshed from the deals: 3 salespeople.",
        )

    def test_historical_rate_counts_deals_not_stays(self):
        """A lost deal that went New > Qualified > New > Qualified counts once
        in each stage: New 1 won of 5 deals, Qualified 1 of 3."""
        bounced = self.env["crm.lead"].create(
            {
                "name": "Bounced",
                "type": "opportunity",
                "user_id": False,
                "team_id": self.team.id,
                "stage_id": self.s_new.id,
            }
        )
        for stage in (self.s_qualified, self.s_new, self.s_qualified):
            bounced.stage_id = stage
        bounced.action_set_lost()
        rows = self._by_user(self._march())
        self.assertAlmostEqual(rows[self.rep_a].historical, 1000 / 5)
        self.assertAlmostEqual(rows[self.rep_b].historical, 2000 / 3)

    def test_rows_left_without_deals_go_back_to_zero_per_company(self):
        """rep_b also sells for the other company; their March deal in this
        one moves to April: this company's row is zeroed, rep forecast and
        final forecast included, the other company's row keeps its figure."""
        self.rep_b.company_ids |= self.company_2
        self.lead_b.sfa_forecast_category = "commit"
        self.env["crm.lead"].create(
            {
                "name": "Other company deal",
                "type": "opportunity",
                "user_id": self.rep_b.id,
                "company_id": self.company_2.id,
                "expected_revenue": 600,
                "probability": 50,
                "date_deadline": "2026-03-15",
                "sfa_forecast_category": "commit",
            }
        )
        rows = self._march()
        b_here = rows.filtered(
            lambda f: f.user_id == self.rep_b and f.company_id == self.company
        )
        b_there = rows.filtered(
            lambda f: f.user_id == self.rep_b and f.company_id == self.company_2
        )
        self.assertEqual((b_here.commit, b_here.final_forecast), (2000, 2000))
        self.assertEqual((b_there.commit, b_there.final_forecast), (600, 600))
        self.lead_b.date_deadline = "2026-04-02"
        with freeze_time("2026-03-11"):
            self.Forecast._refresh_period(date(2026, 3, 1))
        self.assertEqual(
            b_here.read(
                ["weighted", "commit", "best_case", "pipeline", "historical"]
                + ["rep_forecast", "final_forecast"]
            )[0],
            {
                "id": b_here.id,
                "weighted": 0,
                "commit": 0,
                "best_case": 0,
                "pipeline": 0,
                "historical": 0,
                "rep_forecast": 0,
                "final_forecast": 0,
            },
        )
        self.assertEqual((b_there.commit, b_there.final_forecast), (600, 600))

    def test_closed_period_first_refreshed_late_has_actuals_only(self):
        """February first refreshed on 5 March: rep_b's open deal, due in
        February, is not turned into a forecast after the fact; rep_a's win
        gives a row with the actual and no accuracy (nothing was forecast)."""
        self.lead_b.date_deadline = "2026-02-25"
        self.lead_a.date_deadline = "2026-02-20"
        with freeze_time("2026-02-18 10:00:00"):
            self.lead_a.action_set_won()
        with freeze_time("2026-03-05"):
            feb = self._by_user(self.Forecast._refresh_period(date(2026, 2, 1)))
            self.assertEqual(set(feb), {self.rep_a})
            a = feb[self.rep_a]
            self.assertEqual((a.weighted, a.commit, a.final_forecast), (0, 0, 0))
            self.assertEqual(a.actual, 1000)
            self.assertFalse(a.accuracy)
            self.assertFalse(a.accuracy_known, "shown blank, not 0 %")

    def test_no_forecast_no_accuracy(self):
        """A row made in time with nothing forecast (rep_b's deal is only a
        best case) and a win in the period: accuracy is blank, not 0 %."""
        self.lead_b.date_deadline = "2026-02-25"
        with freeze_time("2026-02-10"):
            feb = self._by_user(self.Forecast._refresh_period(date(2026, 2, 1)))
        self.assertEqual(feb[self.rep_b].final_forecast, 0)
        with freeze_time("2026-02-18 10:00:00"):
            self.lead_b.action_set_won()
        with freeze_time("2026-03-05"):
            b = self._by_user(self.Forecast._refresh_period(date(2026, 2, 1)))[
                self.rep_b
            ]
            self.assertEqual((b.final_forecast, b.actual), (0, 2000))
            self.assertFalse(b.accuracy_known)
            self.assertFalse(b.accuracy)

    def test_rep_forecast_kept(self):
        a = self._by_user(self._march())[self.rep_a]
        with freeze_time("2026-03-11"):
            a.with_user(self.rep_a).rep_forecast = 1200
        with freeze_time("2026-03-12"):
            self.Forecast._refresh_period(date(2026, 3, 1))
        self.assertEqual(
            (a.rep_forecast, a.final_forecast, a.commit), (1200, 1200, 1000)
        )

    def test_manager_adjustment(self):
        a = self._by_user(self._march())[self.rep_a]
        Adjustment = self.env["sfa.forecast.adjustment"]
        with freeze_time("2026-03-11"):
            Adjustment.with_user(self.supervisor).create(
                {"forecast_id": a.id, "amount": 900, "reason": "Deal A slips"}
            )
        with freeze_time("2026-03-12"):
            Adjustment.with_user(self.manager).create(
                {"forecast_id": a.id, "amount": 800, "reason": "Be careful"}
            )
            self.Forecast._refresh_period(date(2026, 3, 1))
        self.assertEqual(a.rep_forecast, 1000, "the rep's figure stays beside")
        self.assertEqual(a.manager_adjustment, 800)
        self.assertEqual(a.adjusted_by_id, self.manager)
        self.assertEqual(a.adjustment_reason, "Be careful")
        self.assertEqual(a.final_forecast, 800, "the latest adjustment wins")
        self.assertEqual(len(a.adjustment_ids), 2)
        for outsider in (self.rep_b, self.manager_2, self.rep_a):
            with freeze_time("2026-03-12"), self.assertRaises(AccessError):
                Adjustment.with_user(outsider).create(
                    {"forecast_id": a.id, "amount": 1, "reason": "No"}
                )
        with freeze_time("2026-03-12"):
            Adjustment.with_user(self.director).create(
                {"forecast_id": a.id, "amount": 850, "reason": "Board view"}
            )
        self.assertEqual(a.final_forecast, 850)

    def test_an_adjustment_is_dated_now_and_never_negative(self):
        """A client-sent date of 2099 won over every later adjustment, and
        any amount (-1e12) was taken."""
        a = self._by_user(self._march())[self.rep_a]
        Adjustment = self.env["sfa.forecast.adjustment"].with_user(self.supervisor)
        values = {"forecast_id": a.id, "amount": 900, "reason": "Slip"}
        with freeze_time("2026-03-11"):
            with self.assertRaisesRegex(AccessError, "set by the system"):
                Adjustment.create(dict(values, date="2099-01-01 00:00:00"))
            with self.assertRaisesRegex(AccessError, "set by the system"):
                Adjustment.create(dict(values, user_id=self.director.id))
            with self.assertRaisesRegex(ValidationError, "cannot be negative"):
                Adjustment.create(dict(values, amount=-1e12))
            first = Adjustment.with_context(
                default_date="2099-01-01 00:00:00", default_user_id=self.director.id
            ).create(values)
        self.assertEqual(str(first.date), "2026-03-11 00:00:00")
        self.assertEqual(first.user_id, self.supervisor)
        with freeze_time("2026-03-11"):
            # an empty value a form sends sets nothing: the system's applies
            blank = Adjustment.create(dict(values, date=False, user_id=False))
        self.assertEqual(str(blank.date), "2026-03-11 00:00:00")
        self.assertEqual(blank.user_id, self.supervisor)
        blank.sudo().unlink()
        with freeze_time("2026-03-12"):
            Adjustment.create(dict(values, amount=700))
        self.assertEqual(a.final_forecast, 700, "the latest adjustment wins")
        with self.assertRaises(AccessError):
            first.write({"amount": 1})

    def test_closed_period(self):
        """February: commit 1000, won for 800 -> accuracy 75 %; no adjustment."""
        self.lead_a.date_deadline = "2026-02-20"
        with freeze_time("2026-02-10"):
            self.Forecast._refresh_period(date(2026, 2, 1))
        with freeze_time("2026-02-18 10:00:00"):
            self.lead_a.expected_revenue = 800
            self.lead_a.action_set_won()
        with freeze_time("2026-03-05"):
            feb = self._by_user(self.Forecast._refresh_period(date(2026, 2, 1)))
            a = feb[self.rep_a]
            self.assertEqual((a.commit, a.final_forecast, a.actual), (1000, 1000, 800))
            self.assertAlmostEqual(a.accuracy, 0.75)
            self.assertTrue(a.accuracy_known)
            with self.assertRaisesRegex(UserError, "closed"):
                self.env["sfa.forecast.adjustment"].with_user(self.supervisor).create(
                    {"forecast_id": a.id, "amount": 800, "reason": "Too late"}
                )
        self.assertFalse(a.adjustment_ids, "nothing written")
        self.assertEqual(a.final_forecast, 1000)

    def test_visibility(self):
        self._march()
        Forecast = self.Forecast.with_user(self.rep_a)
        self.assertEqual(Forecast.search([]).user_id, self.rep_a)
        visible = self.Forecast.with_user(self.supervisor).search([]).user_id
        self.assertEqual(visible, self.rep_a | self.rep_b)

    def test_rollups(self):
        self._march()
        managers = self.Forecast._sfa_rollup_by_manager(date(2026, 3, 1))
        self.assertAlmostEqual(managers[self.supervisor]["weighted"], 1300)
        self.assertAlmostEqual(managers[self.manager]["weighted"], 1300)
        self.assertAlmostEqual(managers[self.director]["weighted"], 2200)
        self.assertAlmostEqual(managers[self.director]["actual"], 700)
        territories = self.Forecast._sfa_rollup_by_territory(date(2026, 3, 1))
        self.assertAlmostEqual(territories[self.t_lille]["pipeline"], 3000)
        self.assertAlmostEqual(territories[self.t_north]["pipeline"], 3000)
        self.assertAlmostEqual(territories[self.t_south]["pipeline"], 3000)
        self.assertAlmostEqual(territories[self.t_country]["pipeline"], 6000)
        self.assertAlmostEqual(territories[self.t_country]["commit"], 1000)
        self.assertAlmostEqual(territories[self.t_lille]["actual"], 700)
        self.assertAlmostEqual(territories[self.t_north]["actual"], 700)
        # 500 + 400 (Lille) + 900 (Marseille); the omitted deal has no territory
        self.assertAlmostEqual(territories[self.t_country]["weighted"], 1800)

    def test_the_reporting_line_report_adds_each_forecast_once(self):
        """Without "My Roll-up", a forecast has a row under each manager above
        its rep: grouped by salesperson, no total counts it once per level;
        within one manager's roll-up, or grouped by manager, totals hold."""
        self._march()
        Rollup = self.env["sfa.forecast.rollup"].with_user(self.director)
        march = [("period_start", "=", date(2026, 3, 1))]
        by_user = dict(Rollup._read_group(march, ["user_id"], ["weighted:sum"]))
        self.assertIn(by_user[self.rep_a], (None, False), "one row per level above")
        mine = dict(
            Rollup._read_group(
                [*march, ("manager_id", "=", self.director.id)],
                ["user_id"],
                ["weighted:sum"],
            )
        )
        self.assertAlmostEqual(mine[self.rep_a], 900)
        by_manager = dict(Rollup._read_group(march, ["manager_id"], ["weighted:sum"]))
        self.assertAlmostEqual(by_manager[self.director], 2200)
        [(total,)] = Rollup._read_group(march, [], ["weighted:sum"])
        self.assertIn(total, (None, False))

    def test_people_lists_add_up_to_the_company_with_a_row_outside(self):
        """What users outside the sales force win or have in the pipe counts
        in one row, "Outside the Sales Force": the forecasts, the director's
        roll-up and the territories' top level give the same totals. Only
        those who see the whole company read that row."""
        office = self.env["res.users"].create(
            {
                "name": "Office Admin",
                "login": "office_admin",
                "group_ids": [(6, 0, self.env.ref("base.group_user").ids)],
            }
        )
        Lead = self.env["crm.lead"]
        common = {"type": "opportunity", "company_id": self.company.id}
        won = Lead.create(
            dict(
                common,
                name="Won by the office",
                user_id=office.id,
                expected_revenue=900,
            )
        )
        Lead.create(
            dict(
                common,
                name="Nobody's",
                user_id=False,
                expected_revenue=400,
                probability=50,
                date_deadline="2026-03-28",
                sfa_forecast_category="commit",
            )
        )
        with freeze_time("2026-03-12 09:00:00"):
            won.action_set_won()
        rows = self._by_user(self._march())
        outside = self.env.ref("sfa_base.user_outside_sales_force")
        self.assertEqual(set(rows), {self.rep_a, self.rep_b, self.rep_c, outside})
        self.assertAlmostEqual(rows[outside].actual, 900)
        self.assertAlmostEqual(rows[outside].commit, 400)
        self.assertAlmostEqual(rows[outside].weighted, 200)
        march = [("period_start", "=", date(2026, 3, 1))]
        [(won_total, commit_total)] = self.Forecast._read_group(
            march, [], ["actual:sum", "commit:sum"]
        )
        self.assertAlmostEqual(won_total, 700 + 900)
        self.assertAlmostEqual(commit_total, 1000 + 400)
        won_facts = sum(
            self.env["sfa.fact"]
            .search(
                [
                    ("metric", "=", "won_revenue"),
                    ("date", ">=", date(2026, 3, 1)),
                    ("date", "<=", date(2026, 3, 31)),
                ]
            )
            .mapped("amount")
        )
        self.assertAlmostEqual(won_total, won_facts)
        by_manager = self.Forecast._sfa_rollup_by_manager(date(2026, 3, 1))
        self.assertAlmostEqual(by_manager[self.director]["actual"], won_total)
        self.assertAlmostEqual(by_manager[self.director]["commit"], commit_total)
        self.assertAlmostEqual(by_manager[self.manager]["actual"], 700)
        [(top_won, top_commit)] = self.env["sfa.forecast.territory"]._read_group(
            [*march, ("level", "=", 0)], [], ["actual:sum", "commit:sum"]
        )
        self.assertAlmostEqual(top_won, won_total)
        self.assertAlmostEqual(top_commit, commit_total)
        # the row outside is the director's to read, not a manager's or a rep's
        self.assertIn(
            outside, self.Forecast.with_user(self.director).search(march).user_id
        )
        for user in (self.manager, self.supervisor, self.rep_a):
            self.assertNotIn(
                outside, self.Forecast.with_user(user).search(march).user_id
            )
            rollup = self.env["sfa.forecast.rollup"].with_user(user).search(march)
            self.assertNotIn(outside, rollup.user_id)

    def test_the_territory_report_adds_each_level_once(self):
        """France, its regions and its cities are not added together; deals
        in no territory have their row; a region shows what lies in it but
        in none of its sub-territories."""
        self._march()
        Territory = self.env["sfa.forecast.territory"].with_user(self.director)
        march = [("period_start", "=", date(2026, 3, 1))]

        def pipeline(domain, groupby):
            # no total: the database's NULL, which the ORM reads as False
            return {
                tuple(group): None if value is False or value is None else value
                for *group, value in Territory._read_group(
                    march + domain, groupby, ["pipeline:sum"]
                )
            }

        self.assertEqual(pipeline([], []), {(): None}, "levels mixed: no total")
        by_territory = pipeline([], ["territory_id"])
        self.assertEqual(by_territory[(self.t_country,)], 6000)
        self.assertEqual(by_territory[(self.t_north,)], 3000)
        # the omitted deal is not in the pipeline; the April one is April's:
        # the unassigned past deals are lost or won, so no-territory holds
        # nothing here but has its row when a deal is in it
        self.omitted.sfa_forecast_category = "pipeline"
        self.env.flush_all()
        by_territory = pipeline([], ["territory_id"])
        self.assertEqual(by_territory[(Territory.territory_id,)], 4000)
        top = pipeline([("level", "=", 0)], [])
        self.assertEqual(top, {(): 10000}, "France and no territory")
        # North: Lille's deals, none in North outside its cities
        self.lead_b.sfa_territory_id = self.t_north
        self.env.flush_all()
        placed = pipeline([("territory_id", "=", self.t_north.id)], ["placement"])
        self.assertEqual(placed, {("own",): 2000, ("below",): 1000})

    def test_rollup_reports_follow_the_reporting_line(self):
        """The pivots behind the roll-ups: each reads its own line and below,
        never the totals of the line above."""
        self._march()
        Rollup = self.env["sfa.forecast.rollup"]

        def totals(user):
            groups = Rollup.with_user(user)._read_group(
                [("period_start", "=", date(2026, 3, 1))],
                ["manager_id"],
                ["weighted:sum"],
            )
            return {manager: weighted for manager, weighted in groups}

        self.assertEqual(totals(self.rep_a), {self.rep_a: 900})
        self.assertEqual(
            totals(self.supervisor),
            {self.supervisor: 1300, self.rep_a: 900, self.rep_b: 400},
        )
        self.assertEqual(totals(self.manager_2), {self.manager_2: 900, self.rep_c: 900})
        self.assertEqual(totals(self.director)[self.director], 2200)
        Territory = self.env["sfa.forecast.territory"]
        rows = Territory.with_user(self.rep_a).search(
            [("period_start", "=", date(2026, 3, 1))]
        )
        # rep_a's deals: in Lille, won in Lille, and one in no territory
        self.assertEqual(rows.lead_id, self.lead_a | self.to_win | self.omitted)
        self.assertEqual(
            set(rows.mapped("territory_id")),
            {self.t_lille, self.t_north, self.t_country},
        )
        self.assertFalse(
            Territory.with_user(self.rep_c).search([("lead_id", "=", self.lead_a.id)])
        )

    def test_only_the_rep_states_their_forecast_and_figures_stay_computed(self):
        forecast = self._by_user(self._march())[self.rep_a]
        with freeze_time("2026-03-11"):
            forecast.with_user(self.rep_a).rep_forecast = 1234
            with self.assertRaises(AccessError):
                forecast.with_user(self.rep_a).write({"weighted": 99999})
            with self.assertRaises(AccessError):
                forecast.with_user(self.supervisor).rep_forecast = 1
        with freeze_time("2026-04-02"), self.assertRaises(UserError):
            forecast.with_user(self.rep_a).rep_forecast = 1
        self.assertEqual(forecast.rep_forecast, 1234)
