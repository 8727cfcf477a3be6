"""Installing the modules into a database that already holds a CRM.

An integrator installs the five modules into years of CRM data. This
benchmark builds a database with Odoo's CRM, sales and invoicing
(``crm``, ``sale_crm``, ``account``, ``calendar``), copies it twice, fills
one copy with 50,000 customers and 200,000 opportunities by SQL (won, lost
and open ones, over two years, with their salespeople, teams and stages, and
Odoo's tracking of each deal's move out of the first stage) and
installs the modules into each copy, then upgrades them (``-u``). It
prints, for the install and the upgrade of the empty and the populated
database: the time, the number of queries and the chatter messages added.

Targets, for the install and for the upgrade: no message in any
customer's or deal's chatter (the install adds the same few notes of Odoo's
on the scheduled jobs and server actions it creates, whatever the data), the
populated database under 60 s on a 2-core machine and within 2x of the
empty database's queries.

Volumes can be lowered with SFA_BENCH_CUSTOMERS / SFA_BENCH_DEALS.
"""

# The figures of a benchmark are its output (pytest runs with -s).
# pylint: disable=print-used

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from odoo import sql_db
from odoo.service import db as db_service
from odoo.tools import config

CUSTOMERS = int(os.environ.get("SFA_BENCH_CUSTOMERS", 50_000))
DEALS = int(os.environ.get("SFA_BENCH_DEALS", 200_000))
ODOO_MODULES = "crm,sale_crm,account,calendar"
SFA_MODULES = "sfa_base,sfa_pipeline,sfa_targets,sfa_performance,sfa_knowledge"

# Run in a process of its own: fill the database with customers and deals
# by SQL, each row a copy of a template the ORM made (every column Odoo
# requires has its value), as a migration from another CRM would.
FILL = r"""
import sys
import odoo
from odoo.tools import config
config.parse_config(["-c", sys.argv[1], "-d", sys.argv[2], "--log-level=warn"])
from odoo.modules.registry import Registry

customers, deals = int(sys.argv[3]), int(sys.argv[4])
registry = Registry(sys.argv[2])
with registry.cursor() as cr:
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
    sellers = env["res.users"].create([
        {"name": f"Seller {i}", "login": f"seller{i}",
         "group_ids": [(4, env.ref("sales_team.group_sale_salesman").id)]}
        for i in range(10)
    ])
    team = env["crm.team"].search([], limit=1)
    template = env["res.partner"].create(
        {"name": "Template", "is_company": True, "email": "t@example.com"})
    lead = env["crm.lead"].create(
        {"name": "Template", "type": "opportunity", "partner_id": template.id})
    stages = env["crm.stage"].search([("is_won", "=", False)]).ids
    won = env["crm.stage"].search([("is_won", "=", True)], limit=1).id
    cr.flush()  # their creation committed: what follows is tracked
    # one stage change tracked by Odoo: the template of every deal's
    lead.with_context(tracking_disable=False).stage_id = stages[1]
    env.flush_all()
    cr.flush()  # Odoo writes the tracking before the commit
    change = env["mail.tracking.value"].search(
        [("mail_message_id.model", "=", "crm.lead"),
         ("mail_message_id.res_id", "=", lead.id),
         ("field_id.name", "=", "stage_id")], limit=1)

    def columns(table, skip):
        cr.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = %s AND column_name <> ALL(%s)", (table, skip))
        return [row[0] for row in cr.fetchall()]

    overrides = {
        "name": "'Customer ' || n",
        "complete_name": "'Customer ' || n",
        "email": "'buyer' || n || '@customer' || (n %% 5000) || '.example.com'",
        "phone": "'+33 1 ' || lpad((n %% 100000000)::text, 8, '0')",
        "user_id": "(%(sellers)s::int[])[1 + n %% 10]",
        "create_date": "now() - (n %% 700) * interval '1 day'",
    }
    cols = columns("res_partner", ["id"])
    select = ", ".join(overrides.get(c, c) for c in cols)
    cr.execute(
        f"INSERT INTO res_partner ({', '.join(cols)})"
        f" SELECT {select} FROM res_partner, generate_series(1, %(n)s) n"
        " WHERE res_partner.id = %(template)s",
        {"n": customers, "template": template.id, "sellers": sellers.ids})
    cr.execute("UPDATE res_partner SET commercial_partner_id = id"
               " WHERE commercial_partner_id = %s AND id <> %s",
               (template.id, template.id))
    cr.execute("SELECT array_agg(id) FROM res_partner WHERE name LIKE 'Customer %%'")
    partner_ids = cr.fetchone()[0]
    # a fifth won, a fifth lost, the rest open, over two years
    overrides = {
        "name": "'Deal ' || n",
        "partner_id": "(%(partners)s::int[])[1 + n %% %(count)s]",
        "user_id": "(%(sellers)s::int[])[1 + n %% 10]",
        "team_id": "%(team)s",
        "expected_revenue": "(n %% 1000) * 100",
        "create_date": "now() - (n %% 730) * interval '1 day' - interval '30 days'",
        "won_status": "CASE n %% 5 WHEN 0 THEN 'won' WHEN 1 THEN 'lost'"
                      " ELSE 'pending' END",
        "active": "n %% 5 <> 1",
        "probability": "CASE n %% 5 WHEN 0 THEN 100 WHEN 1 THEN 0 ELSE 30 END",
        "stage_id": "CASE WHEN n %% 5 = 0 THEN %(won)s"
                    " ELSE (%(stages)s::int[])[1 + n %% %(nstages)s] END",
        "date_closed": "CASE WHEN n %% 5 IN (0, 1) THEN now()"
                       " - (n %% 700) * interval '1 day' END",
    }
    cols = columns("crm_lead", ["id"])
    select = ", ".join(overrides.get(c, c) for c in cols)
    cr.execute(
        f"INSERT INTO crm_lead ({', '.join(cols)})"
        f" SELECT {select} FROM crm_lead, generate_series(1, %(n)s) n"
        " WHERE crm_lead.id = %(template)s",
        {"n": deals, "template": lead.id, "partners": partner_ids,
         "count": len(partner_ids), "sellers": sellers.ids, "team": team.id,
         "won": won, "stages": stages, "nstages": len(stages)})
    # each deal out of the first stage moved there from it ten days after
    # its creation, as Odoo tracked it: a message and its tracking value
    overrides = {
        "res_id": "l.id",
        "record_name": "l.name",
        "date": "l.create_date + interval '10 days'",
        "create_date": "l.create_date + interval '10 days'",
        "write_date": "l.create_date + interval '10 days'",
        "message_id": "NULL",
    }
    cols = columns("mail_message", ["id"])
    select = ", ".join(overrides.get(c, f"t.{c}") for c in cols)
    tracking = {
        "mail_message_id": "m.id",
        "old_value_integer": "%(first)s",
        "new_value_integer": "l.stage_id",
        "old_value_char": "first.name->>'en_US'",
        "new_value_char": "st.name->>'en_US'",
        "create_date": "l.create_date + interval '10 days'",
        "write_date": "l.create_date + interval '10 days'",
    }
    tcols = columns("mail_tracking_value", ["id"])
    tselect = ", ".join(tracking.get(c, f"v.{c}") for c in tcols)
    cr.execute(
        f"WITH m AS (INSERT INTO mail_message ({', '.join(cols)})"
        f" SELECT {select} FROM mail_message t, crm_lead l"
        " WHERE t.id = %(message)s AND l.name LIKE 'Deal %%'"
        " AND l.stage_id <> %(first)s RETURNING id, res_id)"
        f" INSERT INTO mail_tracking_value ({', '.join(tcols)})"
        f" SELECT {tselect} FROM m JOIN crm_lead l ON l.id = m.res_id"
        " JOIN crm_stage st ON st.id = l.stage_id"
        " JOIN crm_stage first ON first.id = %(first)s"
        " JOIN mail_tracking_value v ON v.id = %(value)s",
        {"message": change.mail_message_id.id, "value": change.id,
         "first": stages[0]})
    cr.execute("ANALYZE")
"""

# Run in a process of its own: install (or upgrade) the modules, counting
# queries and the messages the install adds.
INSTALL = r"""
import json, sys, time
import odoo
from odoo.tools import config
config.parse_config(["-c", sys.argv[1], "-d", sys.argv[2], "--log-level=warn",
                     "--log-handler=odoo.addons.sfa_base:INFO",
                     "--log-handler=odoo.addons.sfa_pipeline:INFO",
                     "--log-handler=odoo.addons.sfa_performance:INFO",
                     "--log-handler=odoo.modules.loading:INFO"])
from odoo import sql_db
from odoo.modules.registry import Registry

def messages():
    with sql_db.db_connect(sys.argv[2]).cursor() as cr:
        cr.execute("SELECT (SELECT count(*) FROM mail_message),"
                   " (SELECT count(*) FROM mail_tracking_value),"
                   " (SELECT COALESCE(MAX(id), 0) FROM mail_message)")
        return cr.fetchone()

def added(since):
    with sql_db.db_connect(sys.argv[2]).cursor() as cr:
        cr.execute("SELECT COALESCE(model, '-') || ' ' || message_type, count(*)"
                   " FROM mail_message WHERE id > %s GROUP BY 1", (since,))
        return dict(cr.fetchall())

def on_existing(since, tops):
    # in the chatter of the customers and deals that were there before
    with sql_db.db_connect(sys.argv[2]).cursor() as cr:
        cr.execute("SELECT count(*) FROM mail_message WHERE id > %s AND ("
                   " (model = 'res.partner' AND res_id <= %s)"
                   " OR (model = 'crm.lead' AND res_id <= %s))", (since, *tops))
        return cr.fetchone()[0]

def tops():
    with sql_db.db_connect(sys.argv[2]).cursor() as cr:
        cr.execute("SELECT (SELECT COALESCE(MAX(id), 0) FROM res_partner),"
                   " (SELECT COALESCE(MAX(id), 0) FROM crm_lead)")
        return cr.fetchone()

existing = tops()

before = messages()
queries = sql_db.sql_counter
start = time.time()
modules = sys.argv[3].split(",")
if sys.argv[4] == "upgrade":
    Registry.new(sys.argv[2], update_module=True, upgrade_modules=modules)
else:
    Registry.new(sys.argv[2], update_module=True, install_modules=modules)
seconds = time.time() - start
queries = sql_db.sql_counter - queries
after = messages()
print(json.dumps({"seconds": seconds, "queries": queries,
                  "messages": after[0] - before[0], "trackings": after[1] - before[1],
                  "by_model": added(before[2]),
                  "customers": on_existing(before[2], existing)}))
"""


def database(sql):
    """Run ``sql`` (CREATE or DROP DATABASE) on the server's maintenance
    database: the server may refuse its database manager to clients."""
    with sql_db.db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True  # noqa: SLF001 - outside a transaction
        cr.execute(sql)


def odoo_command():
    if importlib.util.find_spec("odoo.__main__") is not None:
        return [sys.executable, "-m", "odoo"]
    return ["odoo"]


def run(code, *args, log=None):
    """Run ``code`` in a new Python process; its last line of output. Its
    log (the modules' steps, with their counts and times) goes to ``log``."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, config["config"], *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )
    if log:
        log.write_text(done.stderr)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


@pytest.mark.skipif(not config["config"], reason="needs the Odoo configuration file")
def test_install_into_a_populated_crm():
    stamp = f"{int(time.time())}_{os.getpid()}"
    base, empty, full = (f"sfa_install_{kind}_{stamp}" for kind in ("base", "e", "f"))
    try:
        db_service._create_empty_database(base)  # noqa: SLF001
        subprocess.run(  # noqa: S603
            [
                *odoo_command(),
                "-c",
                config["config"],
                "-d",
                base,
                "-i",
                ODOO_MODULES,
                "--stop-after-init",
                "--log-level=warn",
                "--http-port=0",
            ],
            check=True,
            capture_output=True,
        )
        sql_db.close_db(base)  # a template has no session
        database(f'CREATE DATABASE "{empty}" TEMPLATE "{base}"')
        database(f'CREATE DATABASE "{full}" TEMPLATE "{base}"')
        started = time.time()
        run(FILL, full, CUSTOMERS, DEALS)
        filled = time.time() - started
        logs = Path(config["config"]).parent / "logs"
        logs.mkdir(exist_ok=True)
        figures = {
            f"{mode} {kind}": json.loads(
                run(
                    INSTALL,
                    db,
                    SFA_MODULES,
                    mode,
                    log=logs / f"bench-{mode}-{kind}.log",
                )
            )
            # the install, then an upgrade (-u) of the installed modules
            for mode in ("install", "upgrade")
            for kind, db in (("empty", empty), ("populated", full))
        }
    finally:
        for name in (base, empty, full):
            sql_db.close_db(name)
            database(f'DROP DATABASE IF EXISTS "{name}"')
    print(
        f"\ninstall of the five modules; {CUSTOMERS:,} customers and {DEALS:,} "
        f"deals inserted by SQL in {filled:.0f} s"
    )
    print(
        f"{'database':<20}{'time':>10}{'queries':>10}{'messages':>10}"
        f"{'on customers':>14}{'trackings':>11}"
    )
    for kind, row in figures.items():
        print(
            f"{kind:<20}{row['seconds']:>9.1f}s{row['queries']:>10,}"
            f"{row['messages']:>10,}{row['customers']:>14,}{row['trackings']:>11,}"
        )
    for kind, row in figures.items():
        print(f"  messages of the {kind} install: {row['by_model']}")
    for mode in ("install", "upgrade"):
        e, f = figures[f"{mode} empty"], figures[f"{mode} populated"]
        ratio = f["queries"] / e["queries"]
        print(
            f"{mode}: queries populated/empty {ratio:.2f} (target <= 2); "
            f"populated time {f['seconds']:.0f} s (target < 60 s); "
            f"messages on the customers and deals {f['customers']} (target 0; the "
            "others are Odoo's notes on the jobs and actions the modules create)"
        )
        assert f["customers"] == 0, f"the {mode} wrote into customers' chatter"
        assert f["messages"] == e["messages"], f"the {mode}'s messages grew"
        assert ratio <= 2
