"""Replay the side-door matrix over XML-RPC against a served database.

The interface integrators and mobile clients use is XML-RPC: this probe
builds the two teams of ``side_doors.World`` in a database with the SFA
modules installed, serves it with Odoo's multi-process server
(``--workers 2``), sends every case of the matrix as the attacker would,
from several clients at once, and judges each answer as the in-process test
does. After a refused write it reads the record back: nothing may have been
written. Then, one call at a time, the forged figures (``generate_forge_cases``:
the fields that feed each metric, written by a rep for another rep or a closed
month, and forged messages): the facts of others and of closed months must not
move. It prints one line ``N cases, M leaks`` and exits non-zero on any leak.

Run it with ``python3 tools/sfa.py probe`` (which creates and drops the
database), or by hand on a database of your own::

    python3 tests/security/rpc_probe.py -c .sfa/odoo.conf -d DB
"""

import argparse
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CLEAR_FAULTS = {2, 3, 4}  # warning (user and validation errors), denied, access


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_world(config, db):
    """Build the two teams in ``db`` (committed) and return the cases, the
    passwords and the superuser's reader of values."""
    import side_doors  # noqa: PLC0415

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config as odoo_config  # noqa: PLC0415

    odoo_config.parse_config(["-c", config, "-d", db])
    registry = Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        world = side_doors.World(env).build()
        cases = side_doors.generate_cases(world)
        # after every other case: they change what the facts watch
        forged = side_doors.generate_forge_cases(world)
        for number, case in enumerate(forged, start=len(cases) + 1):
            case["id"] = number
        cases += forged
        passwords = {user.login: f"{user.login}_pw" for user in world.users.values()}
        for case in cases:
            case["before"] = read_state(env, case)
        cr.commit()
    return registry, cases, passwords


def read_state(env, case):
    """What a refused case must leave as it was: the fields it wrote, or the
    number of records of its model."""
    model = env[case["model"]].sudo().with_context(active_test=False)
    if "unchanged" in case:
        spec = case["unchanged"]
        records = model.browse(spec["ids"]).exists()
        names = [f for f in spec["fields"] if f != "id"]
        values = records.read(names) if names else []
        return json.loads(json.dumps(values, default=str)) + [sorted(records.ids)]
    if "count" in case:
        return model.search_count([])
    return None


def serve(config, db, port):
    """Odoo's multi-process server on ``db``, until stopped."""
    # the odoo script rather than `python -m odoo`: the multi-process server
    # starts its longpolling process by running its own command again (that
    # process needs gevent, which the probe does not use)
    script = shutil.which("odoo")
    cmd = [
        *([script] if script else [sys.executable, "-m", "odoo"]),
        "-c",
        config,
        "-d",
        db,
        f"--db-filter=^{db}$",
        "--workers=2",
        "--max-cron-threads=0",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        "--gevent-port=0",
        "--limit-time-real=600",
        "--limit-time-cpu=600",
        "--log-level=warn",
        # Odoo 19 logs a deprecation notice for every XML-RPC call
        "--log-handler=odoo.addons.rpc.controllers.xmlrpc:ERROR",
    ]
    log = open(Path(config).parent / "logs" / "rpc-probe-server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            common = xmlrpc.client.ServerProxy(
                f"http://127.0.0.1:{port}/xmlrpc/2/common"
            )
            common.version()
            return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("the Odoo server did not start: see logs/rpc-probe-server.log")


class Client:
    """One XML-RPC client per thread, logged in as each attacker once."""

    local = threading.local()

    def __init__(self, url, db, passwords):
        self.url, self.db, self.passwords = url, db, passwords
        self.uids = {}
        self.lock = threading.Lock()

    def uid(self, login):
        with self.lock:
            if login not in self.uids:
                common = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common")
                self.uids[login] = common.authenticate(
                    self.db, login, self.passwords[login], {}
                )
            return self.uids[login]

    def proxy(self):
        if not hasattr(self.local, "proxy"):
            self.local.proxy = xmlrpc.client.ServerProxy(
                f"{self.url}/xmlrpc/2/object", allow_none=False
            )
        return self.local.proxy

    def call(self, case):
        login = case["user"]
        kwargs = dict(case["kwargs"], context=case["context"])
        try:
            result = self.proxy().execute_kw(
                self.db,
                self.uid(login),
                self.passwords[login],
                case["model"],
                case["method"],
                case["args"],
                kwargs,
            )
        except xmlrpc.client.Fault as fault:
            kind = "clear" if fault.faultCode in CLEAR_FAULTS else "raw"
            message = str(fault.faultString).strip().splitlines()
            return ("error", kind, message[-1] if message else "")
        return ("ok", result)


def bad_value_written(env, case):
    """{"changed": ...} when the refused bad number is in the record."""
    spec = case["not_written"]
    value = case["args"][1][spec["field"]]
    if not isinstance(value, (int, float)):
        return None  # a text: refused is what the answer says
    model = env[case["model"]].sudo().with_context(active_test=False)
    for record in model.browse(spec["ids"]).exists():
        stored = record[spec["field"]]
        if stored == value or (math.isnan(value) and math.isnan(stored or 0)):
            return {"changed": f"{spec['field']} = {stored!r}"}
    return None


def judged(side_doors, case, outcome, state):
    """[the leak] of a case, or []."""
    problem = side_doors.judge(case, outcome, state)
    if not problem:
        return []
    return [
        f"#{case['id']} {case['user']} {case['model']}."
        f"{case['method']} [{case['variant']}]: {problem}"
    ]


def main(argv=None):
    import side_doors  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args(argv)

    started = time.time()
    registry, cases, passwords = build_world(args.config, args.database)
    print(f"[probe] world built, {len(cases)} cases ({time.time() - started:.0f} s)")
    port = free_port()
    server = serve(args.config, args.database, port)
    leaks = []
    try:
        client = Client(f"http://127.0.0.1:{port}", args.database, passwords)
        started = time.time()
        plain = [case for case in cases if case["expect"] != "facts_unmoved"]
        forged = [case for case in cases if case["expect"] == "facts_unmoved"]
        with ThreadPoolExecutor(args.clients) as pool:
            outcomes = list(pool.map(client.call, plain))
        elapsed = time.time() - started
        import odoo  # noqa: PLC0415

        # the refused writes read back before the forged figures change
        # anything
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            for case, outcome in zip(plain, outcomes, strict=True):
                state = None
                if case["expect"] == "refused" and case.get("before") is not None:
                    env.invalidate_all()
                    after = read_state(env, case)
                    if after != case["before"]:
                        state = {"changed": f"{case['before']} -> {after}"}
                elif "not_written" in case:
                    state = bad_value_written(env, case)
                leaks += judged(side_doors, case, outcome, state)
        # a forged figure, one call at a time: the facts read before and
        # after it (committed by the server, as the rep's client left them)
        for case in forged:
            with registry.cursor() as cr:
                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                before = side_doors.fact_state(env, case["watch"])
            outcome = client.call(case)
            with registry.cursor() as cr:
                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                after = side_doors.fact_state(env, case["watch"])
            changed = [row for row in after if row not in before]
            changed += [row for row in before if row not in after]
            state = {"changed": str(changed[:3])} if changed else None
            leaks += judged(side_doors, case, outcome, state)
    finally:
        server.terminate()
        server.wait(timeout=60)
    for leak in leaks[:50]:
        print(f"  LEAK {leak}")
    calls = len(plain) / elapsed if elapsed else 0
    print(
        f"[probe] {args.clients} clients on 2 workers: {elapsed:.0f} s, "
        f"{calls:.0f} calls/s"
    )
    print(f"{len(cases)} cases, {len(leaks)} leaks")
    return 1 if leaks else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
