"""Cost of the hierarchical visibility rule on a large sales force.

Builds 2,000 users in 6 reporting levels and 200,000 opportunities, then
times what the list view of the pipeline does (first page + count):

* a rep under the SFA rules vs the same rep under Odoo's plain
  "own documents" rule (target: ratio <= 1.5);
* a director vs the administrator (target: ratio <= 1.2);
* a level-2 manager (hundreds of users below them), for information.

Volumes can be lowered with SFA_BENCH_USERS / SFA_BENCH_LEADS.
"""

# The figures of a benchmark are its output (pytest runs with -s).
# pylint: disable=print-used

import os
import statistics
import time

from _benchdata import (
    AMOUNT,
    CREATED_LAST_YEAR,
    bench_env,
    build_levels,
    create_territories,
    create_users,
    insert_leads,
    pick,
)

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

USERS = int(os.environ.get("SFA_BENCH_USERS", 2000))
LEADS = int(os.environ.get("SFA_BENCH_LEADS", 200_000))
LEVEL_SIZES = [1, 4, 16, 64, 256]  # levels 1-5; level 6 (reps) takes the rest
ROLES = ["director", "manager", "supervisor", "supervisor", "supervisor", "rep"]
SAMPLES = 20
REPEAT = 7
FIELDS = [
    "name",
    "partner_id",
    "stage_id",
    "user_id",
    "expected_revenue",
    "sfa_territory_id",
]


@tagged("post_install", "-at_install", "-standard", "sfa_bench")
class BenchVisibility(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = bench_env(cls.env)
        start = time.perf_counter()
        cls._build_org()
        cls._build_territories()
        cls._build_leads()
        cls.build_seconds = time.perf_counter() - start

    @classmethod
    def _build_org(cls):
        sizes = LEVEL_SIZES + [USERS - sum(LEVEL_SIZES)]
        cls.levels = build_levels(
            cls.env, list(zip(ROLES, sizes)), "Bench L{level}", "bench_l{level}"
        )
        cls.reps = cls.levels[-1]
        # Twins of some reps under Odoo's plain "own documents" rule: same number of
        # deals, no SFA group, so both are measured side by side in the same run.
        cls.twins = create_users(
            cls.env,
            "sales_team.group_sale_salesman",
            SAMPLES,
            "Bench plain",
            "bench_plain",
        )

    @classmethod
    def _build_territories(cls):
        country = cls.env["sfa.territory"].create(
            {"name": "Benchland", "code": "BL", "type": "country"}
        )
        regions = create_territories(
            cls.env, 8, "Region {i}", "BL-{i}", cls.levels[1], parents=country
        )
        cls.cities = create_territories(
            cls.env, 64, "City {i}", "BL-C{i}", cls.levels[2], parents=regions
        )

    @classmethod
    def _build_leads(cls):
        stage = cls.env["crm.stage"].search([], limit=1)
        owners = (
            cls.reps.ids + cls.twins.ids + cls.levels[4].ids
        )  # supervisors own some too
        insert_leads(
            cls.env,
            LEADS,
            {
                "user_id": pick(owners, SQL("n")),
                "stage_id": stage.id,
                "sfa_territory_id": pick(cls.cities.ids, SQL("n / 7")),
                "expected_revenue": AMOUNT,
                "create_date": CREATED_LAST_YEAR,
            },
        )

    def list_and_count(self, user):
        """What the pipeline list view does: first page, then the count."""
        Lead = self.env["crm.lead"].with_user(user)
        self.env.invalidate_all()
        start = time.perf_counter()
        records = Lead.search_fetch([("type", "=", "opportunity")], FIELDS, limit=80)
        count = Lead.search_count([("type", "=", "opportunity")])
        elapsed = time.perf_counter() - start
        return elapsed, len(records), count

    def timed_pairs(self, users, baselines):
        """Time each user and its baseline alternately; sum of per-user medians.

        Alternating keeps both sides under the same machine load.
        """
        runs = {user: [] for user in users + baselines}
        counts = {}
        for user in users + baselines:
            counts[user] = self.list_and_count(user)[2]  # warm-up
        for _ in range(REPEAT):
            for user, baseline in zip(users, baselines):
                runs[user].append(self.list_and_count(user)[0])
                runs[baseline].append(self.list_and_count(baseline)[0])
        total = sum(statistics.median(runs[u]) for u in users)
        baseline_total = sum(statistics.median(runs[b]) for b in baselines)
        return (
            total,
            baseline_total,
            [counts[u] for u in users],
            [counts[b] for b in baselines],
        )

    def test_visibility_cost(self):
        step = max(1, len(self.reps) // SAMPLES)
        sample = list(self.reps[::step][:SAMPLES])
        twins = list(self.twins[: len(sample)])
        sfa_time, plain_time, sfa_counts, plain_counts = self.timed_pairs(sample, twins)
        self.assertLessEqual(
            max(abs(a - b) for a, b in zip(sfa_counts, plain_counts)),
            1,
            "a rep with nobody below sees as many deals as their plain twin",
        )
        sample = sample[: len(twins)]

        director = self.levels[0]
        admin = self.env.ref("base.user_admin")
        director_time, admin_time, (director_count,), (admin_count,) = self.timed_pairs(
            [director], [admin]
        )
        self.assertEqual(director_count, admin_count)

        manager = self.levels[1][:1]
        manager_time, _, (manager_count,), _ = self.timed_pairs([manager], [admin])

        rep_ratio = sfa_time / plain_time
        director_ratio = director_time / admin_time
        rows = [
            (
                "rep, SFA rules",
                f"{sfa_time / len(sample) * 1000:.1f} ms",
                f"{sfa_counts[0]} deals",
                f"{rep_ratio:.2f}",
                "<= 1.5",
            ),
            (
                "rep, Odoo own documents",
                f"{plain_time / len(sample) * 1000:.1f} ms",
                f"{plain_counts[0]} deals",
                "1.00",
                "baseline",
            ),
            (
                "director",
                f"{director_time * 1000:.1f} ms",
                f"{director_count} deals",
                f"{director_ratio:.2f}",
                "<= 1.2",
            ),
            (
                "administrator",
                f"{admin_time * 1000:.1f} ms",
                f"{admin_count} deals",
                "1.00",
                "baseline",
            ),
            (
                "level-2 manager",
                f"{manager_time * 1000:.1f} ms",
                f"{manager_count} deals",
                "-",
                f"{len(manager.sfa_subordinate_ids)} users below",
            ),
        ]
        print(
            f"\nbench_visibility: {USERS} users in 6 levels, {LEADS} opportunities "
            f"(built in {self.build_seconds:.0f} s); "
            f"list page + count, median of {REPEAT}"
        )
        print(f"{'who':<26}{'time':>12}{'visible':>16}{'ratio':>8}  target")
        for who, elapsed, visible, ratio, target in rows:
            print(f"{who:<26}{elapsed:>12}{visible:>16}{ratio:>8}  {target}")
        self.assertLessEqual(rep_ratio, 1.5)
        self.assertLessEqual(director_ratio, 1.2)
