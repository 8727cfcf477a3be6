"""Scorecards of 1,000 reps for one month, every KPI of sfa_performance.

1,000 reps (10 managers) judged on all 13 KPIs of a template: 100,000 won
deals over the year (with their deal credit), 30,000 deals open at the end
of March and 20,000 lost in March (stage history), 50,000 actions planned
in March, and each rep's own won-revenue target for March. One call
computes the 1,000 scorecards: values, targets, scores, totals and ranks.
Target: under 15 s, and as many queries as for a single rep; the team
dashboard's figures take as many queries for every rep's card as for one.

The baseline is one hand-written grouped query of won revenue per rep for
the month, the single figure a reporting tool would compute, in the same
session.

Volumes can be lowered with SFA_BENCH_REPS / SFA_BENCH_DEALS.
"""

# The figures of a benchmark are its output (pytest runs with -s).
# pylint: disable=print-used

import os
import time

from _benchdata import bench_env, create_users, insert_leads, pick

from odoo import Command
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

REPS = int(os.environ.get("SFA_BENCH_REPS", 1_000))
DEALS = int(os.environ.get("SFA_BENCH_DEALS", 100_000))
OPEN, LOST, ACTIONS = DEALS * 3 // 10, DEALS // 5, DEALS // 2
CUSTOMERS = 5_000


@tagged("post_install", "-at_install", "-standard", "sfa_bench")
class BenchScorecards(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = bench_env(cls.env)
        managers = create_users(
            env, "sfa_base.group_sfa_manager", 10, "SB manager", "sb_mgr"
        )
        cls.reps = create_users(
            env, "sfa_base.group_sfa_rep", REPS, "SB rep", "sb_rep", managers
        )
        partners = env["res.partner"].create(
            [{"name": f"SB customer {i}", "is_company": True} for i in range(CUSTOMERS)]
        )
        reps, customers = cls.reps.ids, partners.ids
        won = insert_leads(
            env,
            DEALS,
            {
                "user_id": pick(reps, SQL("n")),
                "partner_id": pick(customers, SQL("n * 7")),
                "expected_revenue": SQL("(n %% 1000) * 100"),
                "won_status": "won",
                "probability": 100,
                "date_closed": SQL(
                    "timestamp '2026-01-01' + (n %% 365) * interval '1 day'"
                ),
                "create_date": SQL(
                    "timestamp '2026-01-01' + (n %% 365 - n %% 60) * interval '1 day'"
                ),
            },
            name="SB deal",
            returning=True,
        )
        others = insert_leads(
            env,
            OPEN + LOST,
            {
                "user_id": pick(reps, SQL("n")),
                "partner_id": pick(customers, SQL("n * 3")),
                "expected_revenue": 5000,
            },
            name="SB open deal",
            returning=True,
        )
        stage = env["crm.stage"].search([("is_won", "=", False)], limit=1)
        env.cr.execute(
            SQL(
                """
                INSERT INTO sfa_stage_history
                       (lead_id, stage_id, changed_by_id, user_id, company_id,
                        date_in, date_out, outcome, expected_revenue)
                SELECT l.id, %(stage)s, l.user_id, l.user_id, l.company_id,
                       timestamp '2026-02-15',
                       CASE WHEN x.i > %(open)s
                            THEN timestamp '2026-03-01' + (x.i %% 31) * interval '1 day'
                       END,
                       CASE WHEN x.i > %(open)s THEN 'lost' ELSE 'open' END, 5000
                  FROM unnest(%(ids)s::int[]) WITH ORDINALITY AS x(id, i)
                  JOIN crm_lead l ON l.id = x.id;
                ANALYZE sfa_stage_history;
                """,
                stage=stage.id,
                open=OPEN,
                ids=others,
            )
        )
        types = [
            env.ref(f"sfa_pipeline.sfa_action_type_{kind}").id
            for kind in ("call", "visit", "meeting")
        ]
        env.cr.execute(
            SQL(
                """
                INSERT INTO sfa_action
                       (name, action_type_id, user_id, partner_id, company_id,
                        start, stop, duration, state, date_done, is_visit,
                        create_date, write_date, create_uid, write_uid)
                SELECT 'SB action ' || n, %(type)s, %(user)s, %(partner)s,
                       %(company)s, s, s + interval '30 minutes', 0.5,
                       CASE WHEN n %% 3 = 0 THEN 'planned' ELSE 'done' END,
                       CASE WHEN n %% 3 = 0 THEN NULL
                            ELSE s + (n %% 2) * interval '1 day' END,
                       %(type)s = %(visit)s, now(), now(), 1, 1
                  FROM generate_series(1, %(count)s) n,
                       LATERAL (SELECT timestamp '2026-03-01 09:00'
                                       + (n %% 31) * interval '1 day' AS s) d;
                ANALYZE sfa_action;
                """,
                type=pick(types, SQL("n")),
                user=pick(reps, SQL("n")),
                partner=pick(customers, SQL("n")),
                company=env.company.id,
                visit=types[1],
                count=ACTIONS,
            )
        )
        env["sfa.deal.credit"]._sfa_compute(won)
        # inserted in SQL: the facts are built as the nightly rebuild does
        # with the statistics autovacuum keeps on a live database: without
        # them the planner takes thousands of customers for five
        env.flush_all()
        env.cr.execute("ANALYZE res_partner, res_users, sfa_territory_history")
        start = time.perf_counter()
        env["sfa.fact"]._sfa_rebuild()
        cls.rebuild = time.perf_counter() - start
        plan = env["sfa.target.plan"].create(
            {"name": "SB plan", "date_from": "2026-01-01", "date_to": "2026-12-31"}
        )
        env["sfa.target.line"].create(
            [
                {
                    "plan_id": plan.id,
                    "owner_type": "user",
                    "user_id": uid,
                    "metric": "won_revenue",
                    "date_from": "2026-03-01",
                    "date_to": "2026-03-31",
                    "target_value": 400_000,
                }
                for uid in reps
            ]
        )
        plan.action_confirm()
        plan.line_ids._refresh_actuals()
        kpis = env["sfa.kpi"].search([])
        template = env["sfa.scorecard.template"].create(
            {
                "name": "SB reps",
                "role": "rep",
                "line_ids": [
                    Command.create(
                        {
                            "kpi_id": kpi.id,
                            "weight": 4 if i == len(kpis) - 1 else 8,
                            "target": 50,
                        }
                    )
                    for i, kpi in enumerate(kpis)
                ],
            }
        )
        cls.cards = env["sfa.scorecard"].create(
            [
                {
                    "user_id": uid,
                    "template_id": template.id,
                    "date_from": "2026-03-01",
                    "date_to": "2026-03-31",
                }
                for uid in reps
            ]
        )
        # what a commit runs: the set-up leaves no pending fact for the
        # first measure to pay
        env.cr.flush()

    def _dashboard_queries(self):
        """Queries of the team dashboard's figures for one card and for every
        rep's card, and the time of the latter."""
        env = self.env
        figures = ["month_target", "month_actual", "month_won", "month_credit"]
        figures += ["pipeline_amount", "scorecard_score", "overdue_action_count"]
        figures += ["customer_due_count", "overdue_amount", "grade_a_count"]
        cards = env["sfa.performance.dashboard"].search(
            [("user_id", "in", self.reps.ids)]
        )
        counts = []
        # the first read fills the caches of the groups and rules: not counted
        cards[:1].read(figures)
        for subset in (cards[:1], cards):
            env.invalidate_all()
            before = env.cr.sql_log_count
            start = time.perf_counter()
            subset.read(figures)
            elapsed = time.perf_counter() - start
            counts.append(env.cr.sql_log_count - before)
        return counts[0], counts[1], elapsed

    def test_scorecards(self):
        env = self.env
        cards = self.cards
        # the first compute fills the caches of the groups, rules and KPI
        # formulas: not counted
        cards[:1]._sfa_compute()
        env.flush_all()
        # queries for one rep, then for all of them
        env.invalidate_all()
        before = env.cr.sql_log_count
        cards[:1]._sfa_compute()
        env.flush_all()
        one_queries = env.cr.sql_log_count - before
        env.invalidate_all()
        before = env.cr.sql_log_count
        start = time.perf_counter()
        cards._sfa_compute()
        env.flush_all()
        elapsed = time.perf_counter() - start
        all_queries = env.cr.sql_log_count - before

        start = time.perf_counter()
        env.cr.execute(
            """
            SELECT user_id, SUM(expected_revenue) FROM crm_lead
             WHERE won_status = 'won' AND type = 'opportunity'
               AND date_closed >= '2026-03-01' AND date_closed < '2026-04-01'
             GROUP BY 1
            """
        )
        env.cr.fetchall()
        baseline = time.perf_counter() - start

        env.cr.execute(
            """
            SELECT count(*), count(DISTINCT rank),
                   count(*) FILTER (WHERE total_score > 0)
              FROM sfa_scorecard WHERE id = ANY(%s) AND state = 'computed'
            """,
            [cards.ids],
        )
        count, ranks, scored = env.cr.fetchone()
        env.cr.execute(
            "SELECT count(*) FROM sfa_scorecard_line l"
            " JOIN sfa_scorecard s ON s.id = l.scorecard_id WHERE s.id = ANY(%s)",
            [cards.ids],
        )
        lines = env.cr.fetchone()[0]
        print(
            f"\nbench_scorecards: {count} scorecards ({REPS} reps, 13 KPIs, "
            f"{lines} KPI lines) over {DEALS} won, {OPEN} open and {LOST} lost "
            f"deals and {ACTIONS} actions; {scored} with a score, {ranks} ranks"
        )
        print(f"{'what':<44}{'time':>9}{'ratio':>8}  target")
        ratio = elapsed / baseline
        print(f"{'compute all scorecards':<44}{elapsed:>8.2f}s{ratio:>8.1f}  < 15 s")
        print(
            f"{'baseline: won revenue per rep, one month':<44}{baseline:>8.2f}s"
            f"{1:>8.1f}  (one GROUP BY)"
        )
        print(f"queries: {one_queries} for one rep, {all_queries} for {REPS}")
        dash_one, dash_all, dash_time = self._dashboard_queries()
        print(
            f"team dashboard: {dash_one} queries for one card, {dash_all} for "
            f"{REPS} cards ({dash_time:.2f} s)"
        )
        print(f"facts rebuilt from the documents first: {self.rebuild:.2f} s")
        self.assertEqual((count, lines), (REPS, REPS * 13))
        self.assertEqual(one_queries, all_queries)
        self.assertEqual(dash_one, dash_all)
        self.assertLess(elapsed, 15)
