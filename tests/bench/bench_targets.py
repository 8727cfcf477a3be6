"""Refresh of target actuals: 5,000 yearly targets over 12 months.

1,000 reps with a yearly target for each of the five metrics of sfa_targets
(5,000 lines), each split into its 12 months (60,000 lines), plus yearly
targets of 50 territories and of the company: 65,255 lines refreshed in one
call, against 100,000 won deals of the year spread over the reps and over
customers whose territory history has 2 stays each. Target: under 10 s.

The baseline is one hand-written grouped query of won revenue per rep and
month, the figure a reporting tool would compute, run in the same session:
the refresh reads five metrics of sfa_base's facts, for reps, territories
(as they were on each deal's date) and the company, and writes every line.
The deals are inserted in SQL, so their facts are first rebuilt from them,
as the nightly rebuild does: that time is printed too.

Volumes can be lowered with SFA_BENCH_REPS / SFA_BENCH_DEALS.
"""

# The figures of a benchmark are its output (pytest runs with -s).
# pylint: disable=print-used

import os
import time

from _benchdata import bench_env, create_territories, create_users, insert_leads, pick

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

REPS = int(os.environ.get("SFA_BENCH_REPS", 1_000))
DEALS = int(os.environ.get("SFA_BENCH_DEALS", 100_000))
TERRITORIES = 50
CUSTOMERS = 5_000
METRICS = [
    "won_revenue",
    "won_deals",
    "new_customers",
    "sales_amount",
    "invoiced_amount",
]
YEAR = 2026


@tagged("post_install", "-at_install", "-standard", "sfa_bench")
class BenchTargets(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = bench_env(cls.env)
        managers = create_users(
            env, "sfa_base.group_sfa_manager", 10, "TB manager", "tb_mgr"
        )
        cls.reps = create_users(
            env, "sfa_base.group_sfa_rep", REPS, "TB rep", "tb_rep", managers
        )
        top = create_territories(env, 5, "TB region {i}", "TBR{i}", managers)
        territories = top + create_territories(
            env, TERRITORIES - 5, "TB city {i}", "TBC{i}", managers, top
        )
        cls.territories = territories
        partners = env["res.partner"].create(
            [{"name": f"TB customer {i}", "is_company": True} for i in range(CUSTOMERS)]
        )
        env.flush_all()
        # two stays per customer: a first territory until July, another after
        env.cr.execute(
            SQL(
                """
                DELETE FROM sfa_territory_history WHERE partner_id = ANY(%(p)s);
                INSERT INTO sfa_territory_history
                       (partner_id, territory_id, company_id, date_from, date_to,
                        reason)
                SELECT p, %(t1)s, %(company)s, DATE '2024-01-01', DATE '2026-07-01',
                       'manual'
                  FROM unnest(%(p)s::int[]) WITH ORDINALITY AS x(p, i)
                UNION ALL
                SELECT p, %(t2)s, %(company)s, DATE '2026-07-01', NULL, 'manual'
                  FROM unnest(%(p)s::int[]) WITH ORDINALITY AS x(p, i)
                """,
                p=partners.ids,
                t1=pick(territories.ids, SQL("i")),
                t2=pick(territories.ids, SQL("i + 7")),
                company=env.company.id,
            )
        )
        insert_leads(
            env,
            DEALS,
            {
                "user_id": pick(cls.reps.ids, SQL("n")),
                "partner_id": pick(partners.ids, SQL("n * 7")),
                "expected_revenue": SQL("(n %% 1000) * 100"),
                "won_status": "won",
                "probability": 100,
                "date_closed": SQL(
                    "timestamp '2026-01-01' + (n %% 365) * interval '1 day'"
                ),
            },
            name="TB deal",
        )
        # the deals were inserted in SQL: their facts are built as the
        # nightly rebuild (or an install) builds them, timed
        # with the statistics autovacuum keeps on a live database: without
        # them the planner takes thousands of customers for five
        env.flush_all()
        env.cr.execute("ANALYZE res_partner, res_users, sfa_territory_history")
        start = time.perf_counter()
        env["sfa.fact"]._sfa_rebuild()
        cls.rebuild = time.perf_counter() - start
        env.cr.execute("SELECT count(*) FROM sfa_fact")
        cls.fact_count = env.cr.fetchone()[0]
        plan = env["sfa.target.plan"].create(
            {
                "name": "TB plan",
                "date_from": f"{YEAR}-01-01",
                "date_to": f"{YEAR}-12-31",
            }
        )
        cls.plan = plan
        env.flush_all()
        cls.line_ids = cls.insert_lines(env, plan)

    @classmethod
    def insert_lines(cls, env, plan):
        """Yearly lines for every rep and metric, their 12 months, and yearly
        lines for the territories and the company, in three statements."""
        common = SQL(
            "%(plan)s, %(company)s, now(), now(), 1, 1",
            plan=plan.id,
            company=env.company.id,
        )
        env.cr.execute(
            SQL(
                """
                INSERT INTO sfa_target_line
                       (plan_id, company_id, create_date, write_date, create_uid,
                        write_uid, owner_type, user_id, owner_user_id, metric,
                        date_from, date_to, period_type, target_value, name)
                SELECT %(common)s, 'user', u, u, m, DATE '2026-01-01',
                       DATE '2026-12-31', 'year', 120000, 'TB ' || u || ' ' || m
                  FROM unnest(%(users)s::int[]) u, unnest(%(metrics)s::varchar[]) m
                RETURNING id
                """,
                common=common,
                users=cls.reps.ids,
                metrics=METRICS,
            )
        )
        years = [row[0] for row in env.cr.fetchall()]
        env.cr.execute(
            SQL(
                """
                UPDATE sfa_target_line SET parent_path = id || '/'
                 WHERE id = ANY(%(years)s);
                INSERT INTO sfa_target_line
                       (plan_id, company_id, create_date, write_date, create_uid,
                        write_uid, owner_type, user_id, owner_user_id, metric,
                        date_from, date_to, period_type, target_value, name,
                        parent_id, parent_path)
                SELECT %(common)s, 'user', y.user_id, y.user_id, y.metric,
                       (DATE '2026-01-01' + make_interval(months => k))::date,
                       (DATE '2026-01-01' + make_interval(months => k + 1)
                        - interval '1 day')::date,
                       'month', 10000, y.name || ' ' || k, y.id, y.parent_path
                  FROM sfa_target_line y, generate_series(0, 11) k
                 WHERE y.id = ANY(%(years)s);
                UPDATE sfa_target_line SET parent_path = parent_path || id || '/'
                 WHERE parent_id = ANY(%(years)s);
                INSERT INTO sfa_target_line
                       (plan_id, company_id, create_date, write_date, create_uid,
                        write_uid, owner_type, territory_id, metric, date_from,
                        date_to, period_type, target_value, name)
                SELECT %(common)s, 'territory', t, m, DATE '2026-01-01',
                       DATE '2026-12-31', 'year', 2000000, 'TB territory ' || t
                  FROM unnest(%(territories)s::int[]) t,
                       unnest(%(metrics)s::varchar[]) m
                UNION ALL
                SELECT %(common)s, 'company', NULL, m, DATE '2026-01-01',
                       DATE '2026-12-31', 'year', 100000000, 'TB company'
                  FROM unnest(%(metrics)s::varchar[]) m;
                UPDATE sfa_target_line SET parent_path = id || '/'
                 WHERE parent_path IS NULL;
                -- as the ORM computes them on create: nothing achieved yet
                UPDATE sfa_target_line
                   SET actual_value = 0, gap = target_value, attainment = 0
                 WHERE plan_id = %(plan)s;
                ANALYZE sfa_target_line;
                """,
                common=common,
                plan=plan.id,
                years=years,
                territories=cls.territories.ids,
                metrics=METRICS,
            )
        )
        env.cr.execute("SELECT id FROM sfa_target_line WHERE plan_id = %s", [plan.id])
        return [row[0] for row in env.cr.fetchall()]

    def test_refresh(self):
        env = self.env
        lines = env["sfa.target.line"].browse(self.line_ids)
        env.invalidate_all()
        start = time.perf_counter()
        lines._refresh_actuals()
        env.flush_all()
        refresh = time.perf_counter() - start
        # the nightly refresh of a day when nothing moved: no line written
        start = time.perf_counter()
        lines._refresh_actuals()
        env.flush_all()
        again = time.perf_counter() - start

        start = time.perf_counter()
        env.cr.execute(
            """
            SELECT user_id, date_trunc('month', date_closed), SUM(expected_revenue)
              FROM crm_lead
             WHERE won_status = 'won' AND type = 'opportunity'
               AND date_closed >= '2026-01-01' AND date_closed < '2027-01-01'
             GROUP BY 1, 2
            """
        )
        env.cr.fetchall()
        baseline = time.perf_counter() - start

        env.cr.execute(
            """
            SELECT count(*), count(*) FILTER (WHERE actual_value > 0)
              FROM sfa_target_line WHERE plan_id = %s
            """,
            [self.plan.id],
        )
        count, with_actual = env.cr.fetchone()
        env.cr.execute(
            """
            SELECT SUM(actual_value) FROM sfa_target_line
             WHERE plan_id = %s AND owner_type = 'company' AND metric = 'won_revenue'
            """,
            [self.plan.id],
        )
        company_won = env.cr.fetchone()[0]
        env.cr.execute(
            "SELECT SUM(expected_revenue) FROM crm_lead WHERE name LIKE 'TB deal %%'"
        )
        self.assertEqual(company_won, float(env.cr.fetchone()[0]))
        print(
            f"\nbench_targets: refresh of {count} target lines ({REPS} reps x 5 "
            f"metrics x (year + 12 months), {TERRITORIES} territories, company) "
            f"over {DEALS} won deals; {with_actual} lines with an actual"
        )
        print(f"{'what':<44}{'time':>9}{'ratio':>8}  target")
        ratio = refresh / baseline
        print(f"{'refresh of all lines':<44}{refresh:>8.2f}s{ratio:>8.1f}  < 10 s")
        print(f"{'again, nothing moved':<44}{again:>8.2f}s{again / baseline:>8.1f}")
        print(
            f"{'baseline: won revenue per rep and month':<44}{baseline:>8.2f}s"
            f"{1:>8.1f}  (one GROUP BY)"
        )
        print(
            f"{'facts rebuilt from the documents':<44}{self.rebuild:>8.2f}s"
            f"{self.rebuild / baseline:>8.1f}  ({self.fact_count} facts, nightly)"
        )
        self.assertEqual(count, REPS * 5 * 13 + TERRITORIES * 5 + 5)
        self.assertLess(refresh, 10)
