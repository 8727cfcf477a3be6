"""Cost of the pipeline snapshot on a large pipeline.

Builds 200,000 open opportunities (plus 20,000 won or lost ones the snapshot
must skip) over 40 reps, 200 customers with categories and 8 territories,
then times:

* the snapshot (target: under 20 s), against a baseline measured in the same
  run: the same INSERT ... SELECT of the same rows into a plain table of the
  same columns, without its indexes and foreign keys; and, to show where the
  difference goes, the snapshot's own statement into a copy of its table
  with the indexes but without the foreign keys (each of which PostgreSQL
  checks row by row);
* a second run for the same date (target: writes nothing, checked with the
  row count and PostgreSQL's own counters of inserted/updated tuples);
* for information, the change analysis against a synthetic earlier snapshot,
  as the director (every deal) and as a rep.

Volumes can be lowered with SFA_BENCH_LEADS.
"""

# The figures of a benchmark are its output (pytest runs with -s).
# pylint: disable=print-used

import os
import time
from datetime import timedelta

from _benchdata import (
    AMOUNT,
    CREATED_LAST_YEAR,
    bench_env,
    build_levels,
    create_territories,
    insert_leads,
    pick,
)

from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

LEADS = int(os.environ.get("SFA_BENCH_LEADS", 200_000))
CLOSED = LEADS // 10
REPS = 40
CUSTOMERS = 200
COLUMNS = [
    "snapshot_date",
    "lead_id",
    "stage_id",
    "user_id",
    "team_id",
    "sfa_territory_id",
    "sfa_category_id",
    "company_id",
    "expected_revenue",
    "probability",
    "prorated_revenue",
    "date_deadline",
]


@tagged("post_install", "-at_install", "-standard", "sfa_bench")
class BenchSnapshot(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = bench_env(cls.env)
        start = time.perf_counter()
        cls._build_org()
        cls._build_leads()
        cls.build_seconds = time.perf_counter() - start

    @classmethod
    def _build_org(cls):
        env = cls.env
        cls.director, cls.managers, cls.reps = build_levels(
            env,
            [("director", 1), ("manager", 4), ("rep", REPS)],
            "Bench {role}",
            "bench_snapshot_{role}",
        )
        cls.territories = create_territories(
            env, 8, "Snapshot Region {i}", "SR-{i}", cls.managers
        )
        categories = env["sfa.customer.category"].create(
            [{"name": f"Bench Category {c}"} for c in "ABC"]
        )
        cls.customers = env["res.partner"].create(
            [
                {
                    "name": f"Bench Customer {i}",
                    "is_company": True,
                    "sfa_category_id": categories[i % 3].id,
                }
                for i in range(CUSTOMERS)
            ]
        )
        stages = env["crm.stage"].create(
            [
                {"name": f"Bench Stage {i}", "sequence": 100 + i, "is_won": i == 5}
                for i in range(6)
            ]
        )
        cls.stage_ids = stages[:5].ids
        cls.won_stage = stages[5]
        cls.team_ids = env["crm.team"].search([]).ids

    @classmethod
    def _build_leads(cls):
        # Rows past LEADS are closed: won (even n) or lost (odd n, archived).
        insert_leads(
            cls.env,
            LEADS + CLOSED,
            {
                "active": SQL("NOT lost"),
                "user_id": pick(cls.reps.ids, SQL("n")),
                "team_id": pick(cls.team_ids, SQL("n")),
                "stage_id": SQL(
                    "CASE WHEN won THEN %s ELSE %s END",
                    cls.won_stage.id,
                    pick(cls.stage_ids, SQL("n / 3")),
                ),
                "partner_id": SQL(
                    "CASE WHEN n %% 5 > 0 THEN %s END",
                    pick(cls.customers.ids, SQL("n")),
                ),
                "sfa_territory_id": pick(cls.territories.ids, SQL("n / 7")),
                "probability": SQL(
                    "CASE WHEN won THEN 100 WHEN lost THEN 0 ELSE 10 + n %% 80 END"
                ),
                "expected_revenue": AMOUNT,
                "prorated_revenue": SQL("(n %% 1000) * (10 + n %% 80)"),
                "date_deadline": SQL("current_date + (n %% 365)"),
                "won_status": SQL(
                    "CASE WHEN won THEN 'won' WHEN lost THEN 'lost' ELSE 'pending' END"
                ),
                "date_closed": SQL("CASE WHEN won OR lost THEN now() END"),
                "create_date": CREATED_LAST_YEAR,
            },
            name="Snapshot deal",
            joins=SQL(
                """,
                LATERAL (SELECT n > %(leads)s AND n %% 2 = 0 AS won,
                                n > %(leads)s AND n %% 2 = 1 AS lost) closed
                """,
                leads=LEADS,
            ),
        )

    def snapshot_select(self, snapshot_date):
        """The SELECT of the snapshot, as a hand-written plain statement."""
        return SQL(
            """
            SELECT %(date)s, l.id, l.stage_id, l.user_id, l.team_id,
                   l.sfa_territory_id, cp.sfa_category_id, l.company_id,
                   l.expected_revenue, l.probability, l.prorated_revenue,
                   l.date_deadline
              FROM crm_lead l
              LEFT JOIN res_partner p ON p.id = l.partner_id
              LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
             WHERE l.active AND l.type = 'opportunity' AND l.won_status = 'pending'
            """,
            date=snapshot_date,
        )

    def table_counters(self):
        """Tuples inserted/updated/deleted in the snapshot table, this transaction."""
        self.env.cr.execute(
            "SELECT n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables"
            " WHERE relname = 'sfa_pipeline_snapshot'"
        )
        return self.env.cr.fetchone() or (0, 0, 0)

    def timed(self, func):
        start = time.perf_counter()
        result = func()
        return time.perf_counter() - start, result

    def insert_into(self, table, snapshot_date, idempotent=False):
        """Time the snapshot's INSERT ... SELECT into ``table``; return (s, rows).

        ``idempotent`` adds what the snapshot adds to the plain statement:
        the "no snapshot yet" guard, the id order and ON CONFLICT DO NOTHING.
        """
        columns = SQL(", ").join(SQL.identifier(c) for c in COLUMNS)
        query = SQL(
            "INSERT INTO %s (%s) %s",
            SQL.identifier(table),
            columns,
            self.snapshot_select(snapshot_date),
        )
        if idempotent:
            query = SQL(
                "%s AND NOT EXISTS (SELECT 1 FROM %s s WHERE s.snapshot_date = %s)"
                " ORDER BY l.id ON CONFLICT (snapshot_date, lead_id) DO NOTHING",
                query,
                SQL.identifier(table),
                snapshot_date,
            )
        start = time.perf_counter()
        self.env.cr.execute(query)
        return time.perf_counter() - start, self.env.cr.rowcount

    def test_snapshot(self):
        cr = self.env.cr
        Snapshot = self.env["sfa.pipeline.snapshot"]
        today = fields.Date.context_today(Snapshot)
        cr.execute(SQL("SELECT count(*) FROM (%s) rows", self.snapshot_select(today)))
        (open_count,) = cr.fetchone()  # also warms the cache for every run below
        self.assertEqual(open_count, LEADS)

        # Baseline: the same rows into a table of the same columns, bare.
        cr.execute(
            "CREATE TABLE bench_snapshot_plain "
            "(LIKE sfa_pipeline_snapshot INCLUDING DEFAULTS)"
        )
        baseline_time, baseline_rows = self.insert_into("bench_snapshot_plain", today)
        # For the breakdown: with the snapshot's indexes but no foreign keys.
        cr.execute(
            "CREATE TABLE bench_snapshot_indexed "
            "(LIKE sfa_pipeline_snapshot INCLUDING ALL)"
        )
        indexed_time, indexed_rows = self.insert_into(
            "bench_snapshot_indexed", today, idempotent=True
        )

        first_time, first_rows = self.timed(Snapshot._take_snapshot)
        counters = self.table_counters()
        second_time, second_rows = self.timed(Snapshot._take_snapshot)
        counters_after = self.table_counters()
        row_count = Snapshot.search_count([("snapshot_date", "=", today)])

        self.assertEqual(first_rows, LEADS)
        self.assertEqual(baseline_rows, LEADS)
        self.assertEqual(indexed_rows, LEADS)
        self.assertEqual(second_rows, 0)
        self.assertEqual(row_count, LEADS)
        self.assertEqual(counters_after, counters, "the second run wrote no tuple")

        # An earlier snapshot to compare with: a week ago, every 10th deal was
        # in another stage, every 7th had a lower amount, every 13th did not
        # exist yet, and expected closings were up to 2 days earlier.
        earlier = today - timedelta(days=7)
        cr.execute(
            SQL(
                """
            INSERT INTO sfa_pipeline_snapshot (%(columns)s)
            SELECT %(earlier)s, lead_id,
                   CASE WHEN lead_id %% 10 = 0
                        THEN (%(stages)s::int[])[1 + (lead_id / 10) %% %(n_stages)s]
                        ELSE stage_id END,
                   user_id, team_id, sfa_territory_id, sfa_category_id, company_id,
                   CASE WHEN lead_id %% 7 = 0 THEN expected_revenue - 50
                        ELSE expected_revenue END,
                   probability, prorated_revenue, date_deadline - (lead_id %% 3)
              FROM sfa_pipeline_snapshot
             WHERE snapshot_date = %(today)s AND lead_id %% 13 > 0
            """,
                columns=SQL(", ").join(SQL.identifier(c) for c in COLUMNS),
                earlier=earlier,
                today=today,
                stages=self.stage_ids,
                n_stages=len(self.stage_ids),
            )
        )
        cr.execute("ANALYZE sfa_pipeline_snapshot")
        analysis = {}
        for who, user in (("director", self.director), ("rep", self.reps[0])):
            wizard = (
                self.env["sfa.pipeline.change"]
                .with_user(user)
                .create({"date_a": earlier, "date_b": today})
            )
            self.env.invalidate_all()
            elapsed, _ = self.timed(wizard.action_compute)
            figures = {line.figure: line.deal_count for line in wizard.line_ids}
            analysis[who] = (elapsed, figures)
        self.assertEqual(analysis["director"][1]["open_b"], LEADS)

        rows = [
            (
                "snapshot, 1st run",
                f"{first_time:.2f} s",
                f"{first_rows} rows",
                f"{first_time / baseline_time:.2f}",
                "< 20 s",
            ),
            (
                "  same SQL, no foreign keys",
                f"{indexed_time:.2f} s",
                f"{indexed_rows} rows",
                f"{indexed_time / baseline_time:.2f}",
                "breakdown: indexes + ON CONFLICT",
            ),
            (
                "plain INSERT ... SELECT",
                f"{baseline_time:.2f} s",
                f"{baseline_rows} rows",
                "1.00",
                "baseline (no index, no FK)",
            ),
            (
                "snapshot, 2nd run",
                f"{second_time:.3f} s",
                f"{second_rows} rows",
                f"{second_time / baseline_time:.3f}",
                "writes nothing",
            ),
        ]
        for who, (elapsed, figures) in analysis.items():
            rows.append(
                (
                    f"change analysis, {who}",
                    f"{elapsed:.2f} s",
                    f"{figures['open_b']} deals",
                    "-",
                    f"new {figures['new']}, advanced {figures['advanced']}, "
                    f"back {figures['regressed']}, up {figures['amount_up']}",
                )
            )
        print(
            f"\nbench_snapshot: {LEADS} open and {CLOSED} closed opportunities, "
            f"{REPS} reps (built in {self.build_seconds:.0f} s)"
        )
        print(f"{'what':<30}{'time':>10}{'written/seen':>16}{'ratio':>8}  target")
        for what, elapsed, written, ratio_text, target in rows:
            print(f"{what:<30}{elapsed:>10}{written:>16}{ratio_text:>8}  {target}")
        self.assertLess(first_time, 20)
