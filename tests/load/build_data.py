"""Build the volume of the load test in a database that has the sfa_* modules.

    python3 tests/load/build_data.py <odoo config> <database>

Called by ``stack.py up`` on first use.  With the benchmark helpers of
``tests/bench/_benchdata.py``:

* 5,000 users in 6 reporting levels (1 director, 4 managers, 3 levels of
  supervisors: 20, 100, 500, and 4,375 reps), all with the password ``load``;
* 124 territories in three levels managed along the same line;
* 50,000 customers;
* 1,000,000 opportunities spread round-robin over the reps, the customers
  and the leaf territories, in Odoo's four stages (20 % won, 5 % lost);
* 5,000,000 stage-history rows, five stays per opportunity, the last one
  open in the current stage (closed as lost for lost deals);
* the fact layer rebuilt from them.

Volumes can be lowered with SFA_LOAD_LEADS / SFA_LOAD_USERS (for trying the
set-up quickly).
"""

# The progress of a long build is its output.
# pylint: disable=print-used

import os
import sys
import time
from pathlib import Path

import odoo.init  # noqa: F401  (Odoo's set-up, first, as odoo-bin does)

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "bench"))

from _benchdata import (  # noqa: E402
    bench_env,
    build_levels,
    create_territories,
    insert_leads,
    pick,
)

from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402
from odoo.tools import SQL, config  # noqa: E402

LEADS = int(os.environ.get("SFA_LOAD_LEADS", 1_000_000))
USERS = int(os.environ.get("SFA_LOAD_USERS", 5_000))
CUSTOMERS = 50_000
STAYS = 5  # stage-history rows per opportunity
PASSWORD = "load"
LEVELS = [
    ("director", 1),
    ("manager", 4),
    ("supervisor", 20),
    ("supervisor", 100),
    ("supervisor", 500),
]


def step(label, started):
    print(f"[load] {label}: {time.monotonic() - started:.1f} s", flush=True)
    return time.monotonic()


def build(env):
    started = time.monotonic()
    levels = [*LEVELS, ("rep", USERS - sum(size for _role, size in LEVELS))]
    users = build_levels(env, levels, "L{level} {role}", "load_{level}_{role}")
    env.flush_all()
    password = env["res.users"]._crypt_context().hash(PASSWORD)
    env.cr.execute(
        "UPDATE res_users SET password = %s WHERE login LIKE 'load\\_%%'", [password]
    )
    started = step(f"{sum(len(level) for level in users)} users in 6 levels", started)

    regions = create_territories(env, 4, "Region {i}", "LR{i}", users[1])
    areas = create_territories(env, 20, "Area {i}", "LA{i}", users[2], regions)
    districts = create_territories(env, 100, "District {i}", "LD{i}", users[3], areas)
    env.flush_all()
    started = step("124 territories", started)

    env.cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, active, type, is_company,
                                 autopost_bills, sfa_is_customer, customer_rank,
                                 create_date, write_date, create_uid, write_uid)
        SELECT 'Load customer ' || n, 'Load customer ' || n, true, 'contact', true,
               'ask', true, 1, now(), now(), 1, 1
          FROM generate_series(1, %s) n
        RETURNING id
        """,
        [CUSTOMERS],
    )
    customers = [row[0] for row in env.cr.fetchall()]
    env.cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)",
        [customers],
    )
    started = step(f"{len(customers)} customers", started)

    stages = env["crm.stage"].search([], order="sequence, id")
    open_stages = stages.filtered(lambda s: not s.is_won)[:3]
    won = stages.filtered("is_won")[:1]
    assert len(open_stages) == 3 and won, "Odoo's four CRM stages are expected"
    reps = users[-1]
    # n % 20: 0-7 first stage, 8-11 second, 12-14 third, 15-18 won, 19 lost
    stage_of = SQL(
        """CASE WHEN n %% 20 < 8 THEN %s WHEN n %% 20 < 12 THEN %s
                WHEN n %% 20 < 15 THEN %s WHEN n %% 20 < 19 THEN %s ELSE %s END""",
        *open_stages.ids,
        won.id,
        open_stages[0].id,
    )
    created = SQL("now() - (40 + n %% 325) * interval '1 day'")
    insert_leads(
        env,
        LEADS,
        {
            "user_id": pick(reps.ids, SQL("n")),
            "partner_id": pick(customers, SQL("n")),
            "sfa_territory_id": pick(districts.ids, SQL("n / 7")),
            "stage_id": stage_of,
            "expected_revenue": SQL("(n %% 1000) * 100"),
            "probability": SQL(
                "CASE WHEN n %% 20 BETWEEN 15 AND 18 THEN 100 "
                "WHEN n %% 20 = 19 THEN 0 ELSE 10 + n %% 20 * 4 END"
            ),
            "won_status": SQL(
                "CASE WHEN n %% 20 BETWEEN 15 AND 18 THEN 'won' "
                "WHEN n %% 20 = 19 THEN 'lost' ELSE 'pending' END"
            ),
            "active": SQL("n %% 20 <> 19"),
            "create_date": created,
            "write_date": created,
            "date_open": created,
            "date_last_stage_update": SQL("%s + interval '28 days'", created),
            "date_closed": SQL(
                "CASE WHEN n %% 20 >= 15 THEN %s + interval '28 days' END", created
            ),
        },
        name="Load deal",
    )
    started = step(f"{LEADS} opportunities", started)

    # five stays per deal: four closed ones cycling through the open
    # stages, the last in the deal's stage, open (closed as lost if lost)
    env.cr.execute(
        SQL(
            """
            INSERT INTO sfa_stage_history (
                lead_id, stage_id, user_id, team_id, sfa_territory_id, company_id,
                date_in, date_out, outcome, expected_revenue, probability,
                changed_by_id)
            SELECT l.id, x.stage_id, l.user_id, l.team_id, l.sfa_territory_id,
                   l.company_id, l.create_date + s * interval '7 days',
                   CASE WHEN s < %(last)s OR NOT l.active
                        THEN l.create_date + (s + 1) * interval '7 days' END,
                   CASE WHEN s = %(last)s AND NOT l.active THEN 'lost'
                        WHEN s = %(last)s THEN 'open'
                        WHEN x.next_seq > x.seq THEN 'advanced'
                        ELSE 'regressed' END,
                   l.expected_revenue, l.probability, l.user_id
              FROM crm_lead l
              JOIN crm_stage cur ON cur.id = l.stage_id
             CROSS JOIN generate_series(0, %(last)s) s
             CROSS JOIN LATERAL (
                   SELECT COALESCE(array_position(%(cycle)s::int[], l.stage_id) - 1, 2)
                          AS k) c
             CROSS JOIN LATERAL (
                   SELECT CASE WHEN s = %(last)s THEN l.stage_id
                               ELSE (%(cycle)s::int[])[1 + (c.k + 1 + s) %% 3] END
                          AS stage_id,
                          CASE WHEN s = %(last)s THEN cur.sequence
                               ELSE (%(seqs)s::int[])[1 + (c.k + 1 + s) %% 3] END
                          AS seq,
                          CASE WHEN s + 1 = %(last)s THEN cur.sequence
                               ELSE (%(seqs)s::int[])[1 + (c.k + 2 + s) %% 3] END
                          AS next_seq) x
             WHERE l.type = 'opportunity' AND l.name LIKE 'Load deal %%'
            """,
            last=STAYS - 1,
            cycle=open_stages.ids,
            seqs=open_stages.mapped("sequence"),
        )
    )
    started = step(f"{env.cr.rowcount} stage-history rows", started)
    for table in ("res_partner", "crm_lead", "sfa_stage_history", "res_users"):
        env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    env.invalidate_all()
    env["sfa.fact"]._sfa_rebuild()
    env.cr.execute("SELECT count(*) FROM sfa_fact")
    started = step(f"fact layer rebuilt: {env.cr.fetchone()[0]} facts", started)
    env.cr.execute("ANALYZE sfa_fact")
    prepare_crons(env)
    step("customers' lifecycle stages computed", started)


def prepare_crons(env):
    """What the daily jobs would have done on a live database: the customers
    inserted by SQL get their lifecycle stage (quietly, as the first
    computation of an install), so that the run's crons do a day's work."""
    env["res.partner"]._cron_update_lifecycle()
    env.flush_all()


def strip(env):
    """The baseline: the same data without the sfa_* modules, the people
    given Odoo's own sales groups in place of the SFA roles (reps: own
    documents; supervisors and managers: all documents; the director: sales
    administrator)."""
    started = time.monotonic()
    roles = {"rep": "sales_team.group_sale_salesman"}
    roles.update(
        dict.fromkeys(
            ("manager", "supervisor"), "sales_team.group_sale_salesman_all_leads"
        )
    )
    roles["director"] = "sales_team.group_sale_manager"
    users = env["res.users"].search([("login", "=like", "load\\_%")])
    by_group = {}
    for user in users:
        role = user.login.split("_")[2]
        by_group.setdefault(roles[role], env["res.users"])
        by_group[roles[role]] |= user
    modules = env["ir.module.module"].search([("name", "=like", "sfa\\_%")])
    modules.button_immediate_uninstall()
    env = api.Environment(env.cr, SUPERUSER_ID, dict(env.context))
    for xmlid, members in by_group.items():
        env.ref(xmlid).sudo().write({"user_ids": [(4, uid) for uid in members.ids]})
    # Odoo's list export asks for this group (the SFA exports ask for none)
    leads = users.filtered(lambda u: u.login.split("_")[2] != "rep")
    env.ref("base.group_allow_export").sudo().write(
        {"user_ids": [(4, uid) for uid in leads.ids]}
    )
    step(f"sfa_* uninstalled, {len(users)} users given Odoo's sales groups", started)


def main(conf, db, mode="build"):
    config.parse_config(["-c", conf, "--log-level=warn"])
    registry = Registry(db)
    with registry.cursor() as cr:
        env = bench_env(api.Environment(cr, SUPERUSER_ID, {}))
        if mode == "--baseline":
            strip(env)
        elif mode == "--crons":
            prepare_crons(env)
        else:
            build(env)


if __name__ == "__main__":
    main(*sys.argv[1:4])
