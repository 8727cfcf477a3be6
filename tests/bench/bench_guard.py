"""Cost of sfa_base's value guard on what the sales force writes.

Every create and write of a user (not of the superuser) on an SFA model or
an Odoo model the modules extend goes through the guard: system fields,
numbers, texts, ids, and for the sales force the readability of the
customers, deals and SFA records it links. This times, for a manager of 20
reps with 100 customers each:

* 300 opportunities created one by one, each on one of the manager's
  customers (what the form does), with the guard and without it (the same
  calls as the superuser, who is not checked, on an identical set of
  records): the ratio is the guard's and the record rules' cost together;
* a batch move of 5,000 of the team's opportunities to another stage and
  owner, in one write, both ways.

The figures are printed; there is no target in the spec, the guard must
only not change the order of magnitude of a user's write (ratio < 2).
"""

# pylint: disable=print-used

import time

from _benchdata import bench_env, create_users

from odoo.tests import TransactionCase, tagged

REPS = 20
CUSTOMERS_PER_REP = 100
CREATES = 300
BATCH = 5000


@tagged("post_install", "-at_install", "-standard", "sfa_bench")
class BenchGuard(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = bench_env(cls.env)
        env = cls.env
        cls.manager = create_users(
            env, "sfa_base.group_sfa_manager", 1, "Bench Manager", "bg_manager"
        )
        cls.reps = create_users(
            env, "sfa_base.group_sfa_rep", REPS, "Bench Rep", "bg_rep", cls.manager
        )
        cls.customers = env["res.partner"].create(
            [
                {
                    "name": f"Guard Customer {i}",
                    "is_company": True,
                    "user_id": cls.reps[i % REPS].id,
                }
                for i in range(REPS * CUSTOMERS_PER_REP)
            ]
        )
        cls.stages = env["crm.stage"].search([], limit=2)
        Lead = env["crm.lead"]
        cls.batches = [
            Lead.create(
                [
                    {
                        "name": f"Guard Deal {side} {i}",
                        "type": "opportunity",
                        "user_id": cls.reps[i % REPS].id,
                        "partner_id": cls.customers[i % len(cls.customers)].id,
                        "stage_id": cls.stages[0].id,
                    }
                    for i in range(BATCH)
                ]
            )
            for side in ("user", "superuser")
        ]
        env.flush_all()

    def _time(self, fn):
        self.env.invalidate_all()
        start = time.perf_counter()
        fn()
        self.env.flush_all()
        return time.perf_counter() - start

    def test_guard_cost(self):
        manager_env = self.env(user=self.manager.id)
        super_env = self.env(su=True)

        def creates(env):
            Lead = env["crm.lead"]
            for i in range(CREATES):
                Lead.create(
                    {
                        "name": f"Form deal {i}",
                        "type": "opportunity",
                        "user_id": self.reps[i % REPS].id,
                        "partner_id": self.customers[i % len(self.customers)].id,
                    }
                )

        def batch(env, leads):
            leads.with_env(env).write(
                {"stage_id": self.stages[1].id, "user_id": self.reps[0].id}
            )

        # twice each, alternating, the best of two: caches warm for both
        timings = {"user": [], "su": []}
        for _run in range(2):
            timings["user"].append(self._time(lambda: creates(manager_env)))
            timings["su"].append(self._time(lambda: creates(super_env)))
        rows = [
            (
                f"{CREATES} deals created one by one",
                min(timings["user"]),
                min(timings["su"]),
            ),
            (
                f"{BATCH} deals moved in one write",
                self._time(lambda: batch(manager_env, self.batches[0])),
                self._time(lambda: batch(super_env, self.batches[1])),
            ),
        ]
        print()
        print(f"{'what':<34}{'manager':>10}{'superuser':>11}{'ratio':>8}")
        for label, user, su in rows:
            print(f"{label:<34}{user:>9.2f}s{su:>10.2f}s{user / su:>8.2f}")
        for label, user, su in rows:
            self.assertLess(user / su, 2.0, label)
