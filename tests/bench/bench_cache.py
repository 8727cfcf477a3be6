"""What a change of the reporting line costs the requests that follow it.

Until sfa.cache, every change of a reporting line, a territory or a share
called ``registry.clear_cache()``: Odoo's whole default cache (record rules,
access rights, views, every module's cached methods) emptied in every worker
of every server, each paying for it on its next request. Now the change
starts a new generation of the SFA caches only.

Times a rep opening the pipeline (the views of the action, then the first
page of the list with its count) right after such a change, both ways,
alternating, against the same request with every cache warm (the baseline).
"""

# The figures of a benchmark are its output (pytest runs with -s).
# pylint: disable=print-used

import statistics
import time

from _benchdata import (
    AMOUNT,
    CREATED_LAST_YEAR,
    bench_env,
    build_levels,
    insert_leads,
    pick,
)

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

REPEAT = 15
FIELDS = {
    "name": {},
    "partner_id": {"fields": {"display_name": {}}},
    "stage_id": {"fields": {"display_name": {}}},
    "user_id": {"fields": {"display_name": {}}},
    "expected_revenue": {},
    "sfa_territory_id": {"fields": {"display_name": {}}},
}


@tagged("post_install", "-at_install", "-standard", "sfa_bench")
class BenchCache(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = bench_env(cls.env)
        levels = build_levels(
            cls.env,
            [("director", 1), ("manager", 4), ("supervisor", 20), ("rep", 400)],
            "Cache L{level} {role}",
            "cache_{level}_{role}",
        )
        cls.rep = levels[-1][0]
        cls.supervisors = levels[2]
        insert_leads(
            cls.env,
            100_000,
            {
                "user_id": pick(levels[-1].ids, SQL("n")),
                "expected_revenue": AMOUNT,
                "create_date": CREATED_LAST_YEAR,
            },
        )

    def open_pipeline(self):
        """What the web client asks when a rep opens the pipeline."""
        Lead = self.env(user=self.rep)["crm.lead"]
        Lead.get_views([(False, "list"), (False, "kanban"), (False, "search")])
        Lead.web_search_read(
            [("type", "=", "opportunity")], FIELDS, limit=80, count_limit=10001
        )

    def timed(self, change):
        self.open_pipeline()  # warm
        change()
        self.env.invalidate_all()
        start = time.perf_counter()
        self.open_pipeline()
        return time.perf_counter() - start

    def test_reorganization_cost(self):
        moved = self.supervisors[1]
        bosses = self.supervisors[0] | self.supervisors[2]
        turn = [0]

        def move():
            # the change itself: a supervisor changes managers
            turn[0] += 1
            moved.sfa_manager_id = bosses[turn[0] % 2].sfa_manager_id
            self.env.flush_all()

        def full_clear():
            move()
            self.registry.clear_cache()  # what each change did before sfa.cache

        def nothing():
            pass

        runs = {"full clear (before)": [], "new generation (now)": [], "warm": []}
        for _ in range(REPEAT):
            runs["full clear (before)"].append(self.timed(full_clear))
            runs["new generation (now)"].append(self.timed(move))
            runs["warm"].append(self.timed(nothing))
        warm = statistics.median(runs["warm"])
        print(
            "\nbench_cache: a rep opens the pipeline (views + first page + count,"
            f" 100,000 deals) right after a reorganization, median of {REPEAT}"
        )
        print(f"{'after':<28}{'time':>10}{'ratio':>8}")
        for label, times in runs.items():
            median = statistics.median(times)
            print(f"{label:<28}{median * 1000:>8.1f}ms{median / warm:>8.2f}")
        narrowed = statistics.median(runs["new generation (now)"])
        cleared = statistics.median(runs["full clear (before)"])
        self.assertLess(narrowed, cleared)
