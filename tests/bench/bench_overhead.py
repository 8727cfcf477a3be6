"""What the modules cost Odoo's own work.

A company that installs the modules keeps importing contacts, e-mailing,
confirming orders and posting invoices. This benchmark builds two databases
from the same Odoo: the Odoo modules ours depend on, and a copy of it with
the five ``sfa_*`` modules installed. In both, in one process, it runs the
same operations as the administrator (the mail gateway as the system), each
in a transaction rolled back afterwards, the two databases alternating, and
prints for each operation the median time of the runs in each database and
their ratio, with the queries per record at two sizes (the full volume and
half of it).

Targets: every ratio <= 1.2; the model the modules do not touch (CRM tags)
<= 1.05; the queries per record the same at both sizes.

The volumes scale with SFA_BENCH_SCALE (1 by default: 10,000 contacts
imported, ...); SFA_BENCH_RUNS sets the number of runs (3).
"""

# The figures of a benchmark are its output (pytest runs with -s).
# pylint: disable=print-used

import ast
import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from bench_install import database, odoo_command, run

from odoo import sql_db
from odoo.service import db as db_service
from odoo.tools import config

SCALE = float(os.environ.get("SFA_BENCH_SCALE", 1))
RUNS = int(os.environ.get("SFA_BENCH_RUNS", 3))
SFA_MODULES = "sfa_base,sfa_pipeline,sfa_targets,sfa_performance,sfa_knowledge"
ROOT = Path(__file__).resolve().parents[2]

# Run in a process of its own, both databases' registries loaded: each
# operation is prepared (not timed), timed with its queries, then rolled
# back; the databases alternate run by run.
WORK = r"""
import json, statistics, sys, time
import odoo
from odoo.tools import config
config.parse_config(["-c", sys.argv[1], "--log-level=warn"])
from odoo import SUPERUSER_ID, api, sql_db
from odoo.modules.registry import Registry

databases = sys.argv[2].split(",")
scale, runs = float(sys.argv[3]), int(sys.argv[4])


def size(count):
    return max(int(count * scale), 4)


RAW = (
    "From: {sender}\r\nTo: sales@example.com\r\nSubject: Order {n}\r\n"
    "Message-Id: <bench-{run}-{n}@example.com>\r\n"
    "Date: Mon, 7 Dec 2026 10:00:00 +0000\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\nPlease send us {n} more units.\r\n"
)


def companies(env, count, tag):
    fr = env.ref("base.fr")
    return [
        {
            "name": f"{tag} Company {i}",
            "is_company": True,
            "street": f"{i} rue de la Paix",
            "zip": f"{59000 + i % 900:05d}",
            "city": "Lille",
            "country_id": fr.id,
            "email": f"buyer{i}@{tag.lower()}{i}.example.com",
            "phone": f"+33 3 20 {i % 100:02d} {i % 97:02d} {i % 89:02d}",
        }
        for i in range(count)
    ]


def made(env, count, tag):
    # sudo: the records an operation works on, made beforehand
    return env["res.partner"].sudo().create(companies(env, count, tag)).sudo(False)


# ---- the operations: (name, records it works on, prepare, operate) ----

def op_import(env, n, run):
    fields = ["id", "name", "is_company", "parent_id/id", "street", "city", "zip",
              "country_id/id", "email", "phone"]
    rows = []
    heads = max(n // 5, 1)
    for c in range(heads):
        rows.append([f"__bench__.co_{run}_{c}", f"Import Co {c}", "1", "",
                     f"{c} avenue Foch", "Lyon", f"{69000 + c % 9:05d}", "base.fr",
                     f"info@import{c}.example.com", f"+33 4 72 00 {c % 100:02d} 00"])
    for p in range(n - heads):
        c = p % heads
        rows.append([f"__bench__.pe_{run}_{p}", f"Person {p}", "0",
                     f"__bench__.co_{run}_{c}", f"{c} avenue Foch", "Lyon",
                     f"{69000 + c % 9:05d}", "base.fr", f"p{p}@import{c}.example.com",
                     f"+33 6 12 {p % 100:02d} {p % 97:02d} 00"])
    def operate(_state):
        result = env["res.partner"].load(fields, rows)
        errors = [m for m in result["messages"] if m.get("type") == "error"]
        assert not errors, errors[:3]
    return None, operate


def op_create_batch(env, n, run):
    values = companies(env, n, f"Batch{run}")
    return None, lambda _s: env["res.partner"].create(values)


def op_create_each(env, n, run):
    values = companies(env, n, f"Each{run}")
    def operate(_s):
        for vals in values:
            env["res.partner"].create(vals)
    return None, operate


def op_write_contacts(env, n, run):
    partners = made(env, n, f"Write{run}")
    def operate(_s):
        for i, partner in enumerate(partners):
            partner.write({"name": f"Renamed {i}",
                           "phone": f"+33 1 40 {i % 100:02d} 00 00",
                           "street": f"{i} boulevard Haussmann",
                           "zip": f"{75001 + i % 20:05d}", "city": "Paris"})
    return None, operate


def op_post(env, n, run):
    partners = made(env, 100, f"Post{run}")
    def operate(_s):
        for i in range(n):
            partners[i % len(partners)].message_post(
                body=f"Called, they want a quote ({i})", message_type="comment",
                subtype_xmlid="mail.mt_note")
    return None, operate


def op_receive(env, n, run):
    partners = made(env, 100, f"Mail{run}")
    # the gateway delivers as the system, as Odoo's fetchmail does
    gateway = env(user=SUPERUSER_ID)["mail.thread"]
    mails = [(RAW.format(sender=partners[i % 100].email, n=i, run=run),
              partners[i % 100].id) for i in range(n)]
    def operate(_s):
        for raw, pid in mails:
            gateway.message_process("res.partner", raw, thread_id=pid)
    return None, operate


def op_leads(env, n, run):
    partners = made(env, 100, f"Lead{run}")
    def operate(_s):
        for i in range(n):
            env["crm.lead"].create({"name": f"Deal {i}", "type": "opportunity",
                                    "partner_id": partners[i % 100].id,
                                    "expected_revenue": 1000 + i})
    return None, operate


def op_stages(env, n, run):
    partners = made(env, 100, f"Stage{run}")
    stages = env["crm.stage"].search([("is_won", "=", False)])
    leads = env["crm.lead"].sudo().create([
        {"name": f"Deal {i}", "type": "opportunity", "partner_id": partners[i % 100].id,
         "stage_id": stages[0].id, "user_id": env.uid} for i in range(n)]).sudo(False)
    def operate(_s):
        for lead in leads:
            lead.write({"stage_id": stages[1].id})
        for lead in leads:
            lead.write({"stage_id": stages[2 % len(stages)].id})
    return None, operate


def product(env):
    return env["product.product"].sudo().create(
        {"name": "Bench Widget", "list_price": 12.5, "type": "consu"})


def op_orders(env, n, run):
    partners = made(env, 20, f"Order{run}")
    item = product(env)
    orders = env["sale.order"].create([
        {"partner_id": partners[i % 20].id,
         "order_line": [(0, 0, {"product_id": item.id, "product_uom_qty": 1 + i % 5}),
                        (0, 0, {"product_id": item.id, "product_uom_qty": 2})]}
        for i in range(n)])
    def operate(_s):
        for order in orders:
            order.action_confirm()
    return None, operate


def op_invoices(env, n, run):
    partners = made(env, 20, f"Invoice{run}")
    item = product(env)
    moves = env["account.move"].create([
        {"move_type": "out_invoice", "partner_id": partners[i % 20].id,
         "invoice_line_ids": [(0, 0, {"product_id": item.id, "quantity": 1 + i % 5,
                                      "price_unit": 100})]}
        for i in range(n)])
    def operate(_s):
        for move in moves:
            move.action_post()
    return None, operate


def op_tags(env, n, run):
    def operate(_s):
        for i in range(n):
            tag = env["crm.tag"].create({"name": f"Tag {run} {i}"})
            tag.write({"name": f"Tag {run} {i} renamed"})
    return None, operate


OPERATIONS = [
    ("import contacts (load)", op_import, 10000),
    ("create companies in one call", op_create_batch, 1000),
    ("create companies one by one", op_create_each, 400),
    ("write name, phone, address", op_write_contacts, 5000),
    ("post chatter notes", op_post, 1000),
    ("receive e-mails (message_process)", op_receive, 1000),
    ("create opportunities", op_leads, 1000),
    ("move opportunities' stages", op_stages, 1000),
    ("confirm sale orders", op_orders, 200),
    ("post invoices", op_invoices, 200),
    ("create and rename tags (untouched)", op_tags, 1000),
]

registries = {name: Registry(name) for name in databases}


def measure(database, operation, count, run):
    cr = registries[database].cursor()
    try:
        env = api.Environment(cr, SUPERUSER_ID, {})
        admin = env(user=env.ref("base.user_admin").id)
        state, operate = operation(admin, count, run)
        env.flush_all()
        cr.flush()
        queries, start = sql_db.sql_counter, time.perf_counter()
        operate(state)
        env.flush_all()
        cr.flush()  # what the commit would do: tracking, the facts
        return time.perf_counter() - start, sql_db.sql_counter - queries
    finally:
        cr.rollback()
        cr.close()


results = {name: {db: {"times": [], "queries": {}} for db in databases}
           for name, _o, _c in OPERATIONS}
# a first, small round: both registries' caches warm before any timing
for name, operation, count in OPERATIONS:
    for database in databases:
        measure(database, operation, max(size(count) // 20, 4), -1)
for run in range(runs):
    for name, operation, count in OPERATIONS:
        # the databases alternate, the first one changing every run
        order = databases if run % 2 == 0 else databases[::-1]
        for database in order:
            seconds, queries = measure(database, operation, size(count), run)
            results[name][database]["times"].append(seconds)
            results[name][database]["queries"][size(count)] = queries
for name, operation, count in OPERATIONS:
    half = size(count / 2)
    for database in databases:
        _seconds, queries = measure(database, operation, half, runs)
        results[name][database]["queries"][half] = queries
print(json.dumps({name: {db: {"median": statistics.median(r["times"]),
                              "queries": r["queries"]}
                         for db, r in by_db.items()}
                  for name, by_db in results.items()}))
"""


def odoo_dependencies():
    """The Odoo modules the five modules depend on, from their manifests."""
    modules = set(SFA_MODULES.split(","))
    found = set()
    for module in modules:
        manifest = ast.literal_eval((ROOT / module / "__manifest__.py").read_text())
        found.update(manifest.get("depends", []))
    return ",".join(sorted(found - modules))


@pytest.mark.skipif(not config["config"], reason="needs the Odoo configuration file")
def test_what_the_modules_cost_odoos_own_work():
    stamp = f"{int(time.time())}_{os.getpid()}"
    plain, ours = (f"sfa_overhead_{kind}_{stamp}" for kind in ("odoo", "sfa"))
    logs = Path(config["config"]).parent / "logs"
    logs.mkdir(exist_ok=True)
    try:
        db_service._create_empty_database(plain)  # noqa: SLF001
        for database_name, modules in (
            (plain, odoo_dependencies()),
            (ours, SFA_MODULES),
        ):
            if database_name == ours:
                sql_db.close_db(plain)  # a template has no session
                database(f'CREATE DATABASE "{ours}" TEMPLATE "{plain}"')
            subprocess.run(  # noqa: S603
                [
                    *odoo_command(),
                    "-c",
                    config["config"],
                    "-d",
                    database_name,
                    "-i",
                    modules,
                    "--stop-after-init",
                    "--log-level=warn",
                    "--http-port=0",
                ],
                check=True,
                capture_output=True,
            )
        figures = json.loads(
            run(WORK, f"{plain},{ours}", SCALE, RUNS, log=logs / "bench-overhead.log")
        )
    finally:
        for name in (plain, ours):
            sql_db.close_db(name)
            database(f'DROP DATABASE IF EXISTS "{name}"')
    print(
        f"\nOdoo's own work with and without the sfa modules (scale {SCALE:g}, "
        f"median of {RUNS} alternating runs, each rolled back)"
    )
    print(
        f"{'operation':<38}{'records':>8}{'Odoo':>9}{'+ sfa':>9}{'ratio':>7}"
        f"{'queries/record (Odoo, + sfa) at n and n/2':>46}"
    )
    over = []
    for name, by_db in figures.items():
        odoo, sfa = by_db[plain], by_db[ours]
        ratio = sfa["median"] / odoo["median"]
        sizes = sorted(map(int, odoo["queries"]), reverse=True)
        per_record = "  ".join(
            f"n={n}: {odoo['queries'][str(n)] / n:.1f}, "
            f"{sfa['queries'][str(n)] / n:.1f}"
            for n in sizes
        )
        target = 1.05 if "untouched" in name else 1.2
        flag = "" if ratio <= target else f"  over {target}"
        if flag:
            over.append(name)
        print(
            f"{name:<38}{sizes[0]:>8,}{odoo['median']:>8.2f}s{sfa['median']:>8.2f}s"
            f"{ratio:>7.2f}  {per_record}{flag}"
        )
    print(f"over target: {', '.join(over) or 'none'}")
