"""Reading the fact layer: one metric per salesperson and month over
10,000,000 facts.

5,000 salespeople, five metrics of 2,000,000 facts each over 2025 and 2026,
inserted in SQL into ``sfa_fact``. Measured: ``sfa.fact._read_group`` of won
revenue per salesperson and month of 2026 (about 1,000,000 facts summed into
60,000 groups), as the superuser and as a director, against the same
aggregate written by hand on the same table in the same session. Targets:
within 2x of the hand-written query and under 2 s.

Volumes can be lowered with SFA_BENCH_FACTS and SFA_BENCH_REPS.
"""

# The figures of a benchmark are its output (pytest runs with -s).
# pylint: disable=print-used

import os
import time

from _benchdata import bench_env, create_users

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

FACTS = int(os.environ.get("SFA_BENCH_FACTS", 10_000_000))
REPS = int(os.environ.get("SFA_BENCH_REPS", 5_000))
METRICS = ["won_revenue", "won_deals", "sales_amount", "done_visits", "orders"]


@tagged("post_install", "-at_install", "-standard", "sfa_bench")
class BenchFacts(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = bench_env(cls.env)
        cls.reps = create_users(env, "sfa_base.group_sfa_rep", REPS, "FB rep", "fb_rep")
        cls.director = create_users(
            env, "sfa_base.group_sfa_director", 1, "FB director", "fb_dir"
        )
        # what a commit runs (the users' facts, none): the rows below are
        # facts of no document, which a refresh would remove
        env.cr.flush()
        start = time.perf_counter()
        env.cr.execute(
            SQL(
                """
                INSERT INTO sfa_fact (metric, res_model, res_id, date, company_id,
                                      currency_id, amount_currency, amount,
                                      quantity, user_id, partner_id)
                SELECT (%(metrics)s::varchar[])[n %% 5 + 1], 'crm.lead', n / 5,
                       DATE '2025-01-01' + (n / 7 %% 730)::int, %(company)s,
                       %(currency)s, (n %% 1000) * 10, (n %% 1000) * 10, 1,
                       (%(reps)s::int[])[n / 5 %% %(count)s + 1], NULL
                  FROM generate_series(0, %(facts)s - 1) n;
                ANALYZE sfa_fact;
                """,
                metrics=METRICS,
                company=env.company.id,
                currency=env.company.currency_id.id,
                reps=cls.reps.ids,
                count=len(cls.reps),
                facts=FACTS,
            )
        )
        cls.build = time.perf_counter() - start

    def timed(self, run, repeat=3):
        best = None
        for _i in range(repeat):
            self.env.invalidate_all()
            start = time.perf_counter()
            result = run()
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
        return best, result

    def test_read_group_per_rep_and_month(self):
        domain = [
            ("metric", "=", "won_revenue"),
            ("date", ">=", "2026-01-01"),
            ("date", "<=", "2026-12-31"),
        ]

        def orm(env):
            return env["sfa.fact"]._read_group(
                domain, ["user_id", "date:month"], ["amount:sum"]
            )

        def by_hand():
            self.env.cr.execute(
                """
                SELECT user_id, date_trunc('month', date::timestamp), SUM(amount)
                  FROM sfa_fact
                 WHERE metric = 'won_revenue'
                   AND date >= '2026-01-01' AND date <= '2026-12-31'
                 GROUP BY 1, 2
                """
            )
            return self.env.cr.fetchall()

        baseline, rows = self.timed(by_hand)
        su, groups = self.timed(lambda: orm(self.env))
        director_env = self.env(user=self.director.id, su=False)
        director, director_groups = self.timed(lambda: orm(director_env))
        self.assertEqual(len(groups), len(rows))
        self.assertEqual(len(director_groups), len(rows))
        total = sum(row[2] for row in rows)
        self.assertAlmostEqual(sum(group[2] for group in groups), float(total))
        self.env.cr.execute("SELECT count(*) FROM sfa_fact")
        count = self.env.cr.fetchone()[0]
        print(
            f"\nbench_facts: {count} facts ({len(METRICS)} metrics, {REPS} reps, "
            f"2 years), built in {self.build:.1f} s; won revenue per rep and month "
            f"of 2026: {len(rows)} groups"
        )
        print(f"{'what':<44}{'time':>9}{'ratio':>8}  target")
        for label, value in (
            ("_read_group as superuser", su),
            ("_read_group as a director (record rules)", director),
        ):
            print(f"{label:<44}{value:>8.3f}s{value / baseline:>8.2f}  <= 2x, < 2 s")
        print(f"{'baseline: hand-written GROUP BY':<44}{baseline:>8.3f}s{1:>8.2f}")
        self.assertLess(su, 2)
        self.assertLess(su / baseline, 2)
        self.assertLess(director / baseline, 2)
