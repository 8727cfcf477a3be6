"""Several Odoo servers on one replicated database, and a load test on it.

    python3 tests/load/stack.py up        # everything, built on first use
    python3 tests/load/stack.py down      # stops everything (data kept)
    python3 tests/load/stack.py run       # locust, 50 users, 10 minutes
    python3 tests/load/stack.py baseline  # the same on a copy without sfa_*
    python3 tests/load/stack.py faults    # a run with a worker, a server
                                          # and the standby killed

See tests/load/README.md.  The set-up lives in ``.sfa/load``:

* a PostgreSQL primary (port 5451) and a hot standby made from it with
  ``pg_basebackup -R`` (port 5452), ``pg_stat_statements`` on both;
* two Odoo servers with 2 workers each (ports 8171 and 8172, websocket
  8181 and 8182) on the primary, both given the standby as
  ``db_replica_host``, sharing one filestore (``data_dir``);
* nginx (Debian package) on port 8170 in front of both, configured as
  Odoo's deployment documentation shows;
* locust in its own virtualenv (it needs a newer gevent than Odoo's).

The database ``sfa_load`` is built on first use by ``build_data.py``.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))

import sfa as tool  # noqa: E402  (tools/sfa.py)

HERE = Path(__file__).resolve().parent
STATE = tool.STATE / "load"
LOGS = STATE / "logs"
RESULTS = STATE / "results"
DATA_DIR = STATE / "data"  # the shared filestore and sessions
LOCUST_VENV = STATE / "venv"
PRIMARY_PORT = 5451
STANDBY_PORT = 5452
NGINX_PORT = 8170
SERVERS = {1: (8171, 8181), 2: (8172, 8182)}
DB = "sfa_load"
BASELINE_DB = "sfa_load_base"
MODULES = [
    "sfa_base",
    "sfa_pipeline",
    "sfa_targets",
    "sfa_performance",
    "sfa_knowledge",
]
PG_SETTINGS = """\
# Written by tests/load/stack.py: primary and standby of the load test.
shared_buffers = 2GB
effective_cache_size = 8GB
work_mem = 32MB
maintenance_work_mem = 512MB
max_connections = 300
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
wal_level = replica
max_wal_senders = 5
hot_standby = on
hot_standby_feedback = on
synchronous_commit = on
track_io_timing = on
log_min_duration_statement = 5000
"""


def say(message):
    print(f"[load] {message}", flush=True)


# ---------------------------------------------------------------------------
# PostgreSQL: primary and standby
# ---------------------------------------------------------------------------


def primary():
    return tool.Cluster(STATE / "primary", PRIMARY_PORT)


def standby():
    return tool.Cluster(STATE / "standby", STANDBY_PORT)


def db_server(port=PRIMARY_PORT):
    return tool.DbServer("127.0.0.1", port, tool.PG_SUPERUSER)


def write_pg_settings(cluster):
    conf = cluster.datadir / "postgresql.conf"
    text = conf.read_text()
    if "load.conf" not in text:
        conf.write_text(text + "include_if_exists = 'load.conf'\n")
    (cluster.datadir / "load.conf").write_text(PG_SETTINGS)
    owner = cluster._owner()
    if owner is not None:
        os.chown(cluster.datadir / "load.conf", owner.pw_uid, owner.pw_gid)


def start_databases():
    """Start the primary (created on first use), then the standby (made from
    the primary with pg_basebackup -R on first use)."""
    main = primary()
    if not (main.datadir / "PG_VERSION").is_file():
        main.init()
        write_pg_settings(main)
    if not main.is_running():
        main.start()
    tool._wait_for_server(db_server())
    replica = standby()
    if not (replica.datadir / "PG_VERSION").is_file():
        say("making the standby with pg_basebackup -R")
        replica._make_accessible()
        main._run(
            "pg_basebackup",
            *("-D", str(replica.datadir), "-R", "-X", "stream", "-c", "fast"),
            *("-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", tool.PG_SUPERUSER),
        )
    if not replica.is_running():
        replica.start()
    tool._wait_for_server(db_server(STANDBY_PORT))
    with db_server(STANDBY_PORT).connect() as conn, conn.cursor() as cr:
        cr.execute("SELECT pg_is_in_recovery()")
        if not cr.fetchone()[0]:
            raise tool.SfaError(
                "the standby is not in recovery: remove .sfa/load/standby"
            )
    for server in (db_server(), db_server(STANDBY_PORT)):
        with server.connect() as conn, conn.cursor() as cr:
            if server.port == PRIMARY_PORT:
                cr.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")


# ---------------------------------------------------------------------------
# Odoo servers
# ---------------------------------------------------------------------------


def odoo_conf(number, db):
    http_port, gevent_port = SERVERS[number]
    path = STATE / f"odoo{number}.conf"
    options = {
        "addons_path": ",".join(tool.addons_paths()),
        "data_dir": DATA_DIR,
        "db_host": "127.0.0.1",
        "db_port": PRIMARY_PORT,
        "db_user": tool.PG_SUPERUSER,
        "db_replica_host": "127.0.0.1",
        "db_replica_port": STANDBY_PORT,
        "db_maxconn": 24,
        "db_name": db,
        "dbfilter": f"^{db}$",
        "list_db": False,
        "proxy_mode": True,
        "http_interface": "127.0.0.1",
        "http_port": http_port,
        "gevent_port": gevent_port,
        "workers": 2,
        "max_cron_threads": 1,
        "limit_time_cpu": 600,
        "limit_time_real": 1200,
        "limit_request": 100000,
        "logfile": LOGS / f"odoo{number}.log",
    }
    lines = ["[options]"] + [f"{key} = {value}" for key, value in options.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def pid_file(name):
    return STATE / f"{name}.pid"


def running_pid(name):
    path = pid_file(name)
    if not path.is_file():
        return None
    pid = int(path.read_text())
    return pid if tool._pid_alive(pid) else None


def start_odoo(number, db):
    name = f"odoo{number}"
    if running_pid(name):
        return
    conf = odoo_conf(number, db)
    process = subprocess.Popen(  # noqa: S603
        [*tool.odoo_command(), "-c", str(conf)],
        cwd=REPO,
        env=tool.child_env(),
        stdout=subprocess.DEVNULL,
        stderr=(LOGS / f"{name}.err").open("ab"),
        start_new_session=True,
    )
    pid_file(name).write_text(str(process.pid))
    say(f"Odoo server {number} (pid {process.pid}) on port {SERVERS[number][0]}")


def stop_odoo(number, sig=signal.SIGTERM):
    name = f"odoo{number}"
    pid = running_pid(name)
    if pid:
        os.killpg(pid, sig)
        for _ in range(100):
            if not tool._pid_alive(pid):
                break
            time.sleep(0.2)
        else:
            os.killpg(pid, signal.SIGKILL)
    pid_file(name).unlink(missing_ok=True)


def wait_http(port, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/web/login", timeout=10
            ):
                return
        except OSError:
            time.sleep(1)
    raise tool.SfaError(f"nothing answers on port {port}: see {LOGS}")


# ---------------------------------------------------------------------------
# nginx
# ---------------------------------------------------------------------------

NGINX_CONF = """\
# Written by tests/load/stack.py, after Odoo's deployment documentation.
worker_processes 2;
error_log {state}/logs/nginx-error.log;
pid {state}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
  client_body_temp_path {state}/nginx/body;
  proxy_temp_path {state}/nginx/proxy;
  fastcgi_temp_path {state}/nginx/fastcgi;
  uwsgi_temp_path {state}/nginx/uwsgi;
  scgi_temp_path {state}/nginx/scgi;
  log_format timed '$remote_addr [$time_local] "$request" $status '
                   '$body_bytes_sent $request_time $upstream_addr';
  access_log {state}/logs/nginx-access.log timed;
  client_max_body_size 64m;

  upstream odoo {{
{odoo}
  }}
  upstream odoochat {{
{chat}
  }}
  map $http_upgrade $connection_upgrade {{
    default upgrade;
    ''      close;
  }}
  server {{
    listen 127.0.0.1:{port};
    proxy_read_timeout 720s;
    proxy_connect_timeout 720s;
    proxy_send_timeout 720s;

    location /websocket {{
      proxy_pass http://odoochat;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Real-IP $remote_addr;
    }}
    location / {{
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_redirect off;
      proxy_pass http://odoo;
    }}
    gzip_types text/css text/scss text/plain text/xml application/xml
               application/json application/javascript;
    gzip on;
  }}
}}
"""


def start_nginx():
    if running_pid("nginx"):
        return
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (STATE / "nginx" / sub).mkdir(parents=True, exist_ok=True)
        (STATE / "nginx" / sub).chmod(0o777)
    conf = STATE / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            state=STATE,
            port=NGINX_PORT,
            odoo="\n".join(f"    server 127.0.0.1:{h};" for h, _ in SERVERS.values()),
            chat="\n".join(f"    server 127.0.0.1:{g};" for _, g in SERVERS.values()),
        )
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    result = subprocess.run(
        [nginx, "-c", str(conf), "-p", str(STATE)], capture_output=True, text=True
    )
    if result.returncode:
        raise tool.SfaError(f"nginx did not start: {result.stderr}")
    for _ in range(50):
        if running_pid("nginx"):
            break
        time.sleep(0.1)
    say(f"nginx on http://127.0.0.1:{NGINX_PORT}")


def stop_nginx():
    pid = running_pid("nginx")
    if pid:
        os.kill(pid, signal.SIGQUIT)
        for _ in range(50):
            if not tool._pid_alive(pid):
                break
            time.sleep(0.1)


# ---------------------------------------------------------------------------
# Tools: nginx from Debian, locust from PyPI
# ---------------------------------------------------------------------------


def ensure_tools():
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        if not (tool.is_root() and shutil.which("apt-get")):
            raise tool.SfaError("nginx is missing: apt-get install nginx-light")
        say("installing nginx with apt-get")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "nginx-light"]):
            subprocess.run(cmd, env=env, check=True)
    locust = LOCUST_VENV / "bin" / "locust"
    if not locust.exists():
        say("installing locust into its own virtualenv")
        subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
        pip = [str(LOCUST_VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "-r", str(HERE / "requirements.txt")], check=True)


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def install_modules(db, log, update=False):
    cmd = [
        *tool.odoo_command(),
        *("-c", str(odoo_conf(1, db)), "-d", db),
        *("-u" if update else "-i", ",".join(MODULES)),
        *("--stop-after-init", "--workers=0", "--max-cron-threads=0"),
        "--http-port=0",
        f"--logfile={LOGS / log}",
    ]
    say(f"{'updating' if update else 'installing'} {', '.join(MODULES)} in {db}")
    subprocess.run(cmd, cwd=REPO, env=tool.child_env(), check=True)


def build_database(db):
    """Create ``db`` with the modules and the volume (first use)."""
    if db_server().database_exists(db):
        return
    start = time.monotonic()
    install_modules(db, f"install-{db}.log")
    say("building the data (build_data.py)")
    cmd = [sys.executable, str(HERE / "build_data.py"), str(odoo_conf(1, db)), db]
    subprocess.run(cmd, cwd=REPO, env=tool.child_env(), check=True)
    say(f"database {db} ready in {time.monotonic() - start:.0f} s")


def cmd_up(args):
    tool.check_odoo()
    tool.ensure_odoo_packages(("gevent",))
    ensure_tools()
    for path in (STATE, LOGS, RESULTS, DATA_DIR):
        path.mkdir(parents=True, exist_ok=True)
    start_databases()
    db = args.db or DB
    if db != BASELINE_DB:
        build_database(db)
    if args.update:
        for number in SERVERS:
            stop_odoo(number)
        install_modules(db, f"update-{db}.log", update=True)
    for number in SERVERS:
        start_odoo(number, db)
    for http_port, _gevent in SERVERS.values():
        wait_http(http_port)
    start_nginx()
    wait_http(NGINX_PORT)
    say(f"up: {db} served by 2 Odoo servers behind http://127.0.0.1:{NGINX_PORT}")
    return 0


def cmd_down(_args):
    stop_nginx()
    for number in SERVERS:
        stop_odoo(number)
    for cluster in (standby(), primary()):
        if cluster.is_running():
            cluster.stop()
    say("down")
    return 0


def cmd_status(_args):
    for name in ("nginx", "odoo1", "odoo2"):
        say(f"{name}: {'running' if running_pid(name) else 'stopped'}")
    for label, cluster in (("primary", primary()), ("standby", standby())):
        say(f"{label}: {'running' if cluster.is_running() else 'stopped'}")
    return 0


# ---------------------------------------------------------------------------
# The load run and what it is measured by
# ---------------------------------------------------------------------------


def served_db():
    conf = STATE / "odoo1.conf"
    for line in conf.read_text().splitlines() if conf.is_file() else []:
        if line.startswith("db_name = "):
            return line.split(" = ", 1)[1]
    return DB


def sql(port, db, query, params=None):
    """Run ``query`` in autocommit (no ``with conn``: psycopg2 would open a
    transaction, which CREATE DATABASE refuses)."""
    conn = db_server(port).connect(db)
    try:
        with conn.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else None
    finally:
        conn.close()


STATEMENTS = """
    SELECT coalesce(sum(calls) FILTER (WHERE is_read), 0),
           coalesce(sum(calls) FILTER (WHERE NOT is_read), 0),
           coalesce(sum(total_exec_time) FILTER (WHERE is_read), 0)
      FROM (SELECT *, query ~* '^\\s*(WITH|SELECT)' AS is_read
              FROM pg_stat_statements) s
      JOIN pg_database d ON d.oid = s.dbid
     WHERE d.datname = %s
"""


def statement_counts(db):
    """(selects, other statements, select ms) on the primary and the standby."""
    return {
        label: sql(port, "postgres", STATEMENTS, [db])[0]
        for label, port in (("primary", PRIMARY_PORT), ("standby", STANDBY_PORT))
    }


def reset_statements():
    sql(PRIMARY_PORT, "postgres", "SELECT pg_stat_statements_reset()")
    sql(STANDBY_PORT, "postgres", "SELECT pg_stat_statements_reset()")


def cursor_modes(since):
    """Requests per cursor mode (ro, rw, ro->rw) in the Odoo logs after
    ``since`` (the werkzeug line ends with the mode)."""
    modes = {"ro": 0, "rw": 0, "ro->rw": 0}
    warnings = {"serialization": 0, "errors": 0}
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(since))
    for number in SERVERS:
        log = LOGS / f"odoo{number}.log"
        if not log.is_file():
            continue
        with log.open(errors="replace") as handle:
            for line in handle:
                if line[:19] < stamp:
                    continue
                if "werkzeug" in line and '"' in line:
                    mode = line.rsplit(None, 1)[-1]
                    if mode in modes:
                        modes[mode] += 1
                elif "could not serialize" in line or "SerializationFailure" in line:
                    warnings["serialization"] += 1
                elif " ERROR " in line:
                    warnings["errors"] += 1
    return modes, warnings


def integrity(db):
    """What a crash may not leave behind."""
    checks = {
        "active deals without exactly one open stay": """
            SELECT count(*) FROM crm_lead l
             WHERE l.active AND l.type = 'opportunity' AND l.stage_id IS NOT NULL
               AND (SELECT count(*) FROM sfa_stage_history h
                     WHERE h.lead_id = l.id AND h.date_out IS NULL) <> 1""",
        "open stays in another stage than the deal's": """
            SELECT count(*) FROM sfa_stage_history h JOIN crm_lead l ON l.id = h.lead_id
             WHERE h.date_out IS NULL AND h.stage_id <> l.stage_id""",
        "deals whose history does not end in their stage": """
            SELECT count(*) FROM crm_lead l
             WHERE l.active AND l.type = 'opportunity'
               AND l.stage_id <> (SELECT h.stage_id FROM sfa_stage_history h
                                   WHERE h.lead_id = l.id
                                   ORDER BY h.date_in DESC, h.id DESC LIMIT 1)""",
        "done actions without their done date": """
            SELECT count(*) FROM sfa_action
             WHERE state = 'done' AND date_done IS NULL""",
    }
    return {
        label: sql(PRIMARY_PORT, db, query)[0][0] for label, query in checks.items()
    }


def locust_command(label, users, minutes, baseline):
    return (
        [
            str(LOCUST_VENV / "bin" / "locust"),
            *("-f", str(HERE / "locustfile.py"), "--headless"),
            *("-u", str(users), "-r", "5", "-t", f"{int(minutes * 60)}s"),
            *("-H", f"http://127.0.0.1:{NGINX_PORT}"),
            *("--csv", str(RESULTS / label), "--only-summary"),
        ],
        dict(
            os.environ,
            SFA_LOAD_MODE="baseline" if baseline else "sfa",
            SFA_LOAD_DB=served_db(),
        ),
    )


def number(text):
    return float(text) if text not in ("", "N/A") else 0.0


def read_stats(label):
    import csv  # noqa: PLC0415

    with (RESULTS / f"{label}_stats.csv").open() as handle:
        return [
            {
                "name": row["Name"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": number(row["50%"]),
                "p95": number(row["95%"]),
            }
            for row in csv.DictReader(handle)
        ]


def start_crons(db):
    """The SFA jobs due now, so that they run during the load (those running
    already are left to run); Odoo's own keep their schedule."""
    sql(
        PRIMARY_PORT,
        db,
        """UPDATE ir_cron SET nextcall = now()
            WHERE id IN (SELECT c.id FROM ir_cron c
                           JOIN ir_model_data d ON d.model = 'ir.cron'
                                               AND d.res_id = c.id
                          WHERE c.active AND d.module LIKE 'sfa\\_%%'
                            FOR NO KEY UPDATE OF c SKIP LOCKED)""",
    )


def run_load(label, users, minutes, baseline=False, during=None):
    db = served_db()
    if not running_pid("nginx"):
        raise tool.SfaError("the set-up is down: run `stack.py up` first")
    reset_statements()
    start_crons(db)
    since = time.time()
    cmd, env = locust_command(label, users, minutes, baseline)
    say(f"locust: {users} users for {minutes} min on {db} ({label})")
    with (LOGS / f"locust-{label}.log").open("w") as log:
        process = subprocess.Popen(cmd, cwd=HERE, env=env, stdout=log, stderr=log)
        if during:
            during(since)
        process.wait()
    modes, warnings = cursor_modes(since)
    counts = statement_counts(db)
    selects = counts["primary"][0] + counts["standby"][0]
    result = {
        "label": label,
        "db": db,
        "users": users,
        "minutes": minutes,
        "stats": read_stats(label),
        "cursor_modes": modes,
        "log": warnings,
        "statements": {
            k: [int(v[0]), int(v[1]), float(v[2])] for k, v in counts.items()
        },
        "standby_share_of_selects": (
            float(counts["standby"][0] / selects) if selects else 0.0
        ),
        "integrity": integrity(db) if not baseline else {},
        "since": int(since),
    }
    (RESULTS / f"{label}.json").write_text(json.dumps(result, indent=2))
    print_result(result)
    return result


def print_result(result):
    say(f"{result['label']}: {result['users']} users, {result['minutes']} min")
    print(
        f"{'request':<36}{'count':>8}{'fail':>6}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
    )
    for row in result["stats"]:
        print(
            f"{row['name'][:36]:<36}{row['requests']:>8}{row['failures']:>6}"
            f"{row['rps']:>8.2f}{row['p50']:>9.0f}{row['p95']:>9.0f}"
        )
    statements = result["statements"]
    print(
        f"SELECTs: primary {statements['primary'][0]}, standby "
        f"{statements['standby'][0]} ({result['standby_share_of_selects']:.0%} on the "
        f"standby); other statements on the primary {statements['primary'][1]}, on "
        f"the standby {statements['standby'][1]}"
    )
    print(f"requests by cursor: {result['cursor_modes']}; log: {result['log']}")
    for label, count in result["integrity"].items():
        print(f"{label}: {count}")


def make_baseline():
    """A copy of the database with the sfa_* modules uninstalled."""
    for number in SERVERS:
        stop_odoo(number)
    say(f"copying {DB} to {BASELINE_DB}")
    sql(
        PRIMARY_PORT,
        "postgres",
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
        [DB],
    )
    sql(PRIMARY_PORT, "postgres", f'CREATE DATABASE "{BASELINE_DB}" TEMPLATE "{DB}"')
    filestore = DATA_DIR / "filestore"
    if (filestore / DB).is_dir():
        shutil.copytree(filestore / DB, filestore / BASELINE_DB, dirs_exist_ok=True)
    conf = odoo_conf(1, BASELINE_DB)
    cmd = [sys.executable, str(HERE / "build_data.py"), str(conf), BASELINE_DB]
    subprocess.run([*cmd, "--baseline"], cwd=REPO, env=tool.child_env(), check=True)


def serve(db):
    """Restart both Odoo servers on ``db``."""
    for number in SERVERS:
        stop_odoo(number)
    for number in SERVERS:
        start_odoo(number, db)
    for http_port, _gevent in SERVERS.values():
        wait_http(http_port)


def cmd_baseline(args):
    if not db_server().database_exists(BASELINE_DB):
        make_baseline()
    serve(BASELINE_DB)
    try:
        run_load("baseline", args.users, args.minutes, baseline=True)
    finally:
        serve(DB)
    return 0


def children(pid):
    """Child processes of ``pid``, by pid, without the websocket (gevent) one."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"gevent" not in cmdline:
            found.append(int(entry.name))
    return sorted(found)


def kill_worker():
    """kill -9 the first HTTP worker of server 1 (the master spawns a new one)."""
    workers = children(running_pid("odoo1"))
    os.kill(workers[0], signal.SIGKILL)
    return f"kill -9 worker {workers[0]} of server 1"


def kill_server():
    pid = running_pid("odoo2")
    os.killpg(pid, signal.SIGKILL)
    pid_file("odoo2").unlink(missing_ok=True)
    return f"kill -9 server 2 (master {pid} and its workers)"


def restart_server():
    start_odoo(2, served_db())
    wait_http(SERVERS[2][0])
    return "server 2 started again"


def stop_standby():
    standby()._run("pg_ctl", "stop", "-m", "immediate", "-D", str(standby().datadir))
    return "standby stopped (pg_ctl stop -m immediate)"


def start_standby():
    standby().start()
    return "standby started again"


FAULTS = [
    (60, kill_worker),
    (120, kill_server),
    (180, restart_server),
    (240, stop_standby),
    (330, start_standby),
]


def failures_by_window(label, events, since):
    """Requests and failures of the run between the faults (locust's
    per-second history of the aggregated row)."""
    import csv  # noqa: PLC0415

    marks = [0, *(at for at, _label in events)]
    windows = []
    history = list(csv.DictReader((RESULTS / f"{label}_stats_history.csv").open()))
    rows = [row for row in history if row["Name"] == "Aggregated"]
    totals = [
        (
            int(row["Timestamp"]) - since,
            int(row["Total Request Count"]),
            int(row["Total Failure Count"]),
        )
        for row in rows
    ]
    for start, end in zip(marks, [*marks[1:], 10**9]):
        inside = [t for t in totals if start <= t[0] < end]
        if inside:
            first = [t for t in totals if t[0] < start]
            base = first[-1] if first else (0, 0, 0)
            windows.append(
                {
                    "from_s": start,
                    "requests": inside[-1][1] - base[1],
                    "failures": inside[-1][2] - base[2],
                }
            )
    return windows


def cmd_faults(args):
    events = []

    def during(since):
        for at, action in FAULTS:
            time.sleep(max(0.0, since + at - time.time()))
            label = action()
            events.append((round(time.time() - since), label))
            say(f"t+{events[-1][0]} s: {label}")

    result = run_load("faults", args.users, args.minutes, during=during)
    result["events"] = events
    result["windows"] = failures_by_window("faults", events, result["since"])
    (RESULTS / "faults.json").write_text(json.dumps(result, indent=2))
    for window in result["windows"]:
        print(
            f"from t+{window['from_s']} s: {window['requests']} requests, "
            f"{window['failures']} failed"
        )
    return 0


class Reorganizer:
    """The director moves a rep between two supervisors every ``every``
    seconds during the run (web client's RPC, through nginx): a change of the
    reporting line, which invalidates the visibility caches.  With
    ``full_clear``, each move also signals a clear of Odoo's whole default
    cache to every worker, as ``registry.clear_cache()`` did before sfa.cache
    (the same row Odoo inserts in ``orm_signaling_default``)."""

    def __init__(self, every, full_clear):
        import http.cookiejar  # noqa: PLC0415
        import threading  # noqa: PLC0415

        self.every, self.full_clear = every, full_clear
        self.moves = 0
        self.stop = threading.Event()
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar)
        )
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def rpc(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params})
        request = urllib.request.Request(
            f"http://127.0.0.1:{NGINX_PORT}{path}",
            body.encode(),
            {"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=120) as response:
            payload = json.loads(response.read())
        if "error" in payload:
            raise tool.SfaError(f"{path}: {payload['error']}")
        return payload["result"]

    def call(self, model, method, args, kwargs=None):
        params = {"model": model, "method": method, "args": args}
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}", dict(params, kwargs=kwargs or {})
        )

    def loop(self):
        db = served_db()
        self.rpc(
            "/web/session/authenticate",
            {"db": db, "login": "load_1_director_0", "password": "load"},
        )
        logins = ["load_6_rep_0", "load_5_supervisor_0", "load_5_supervisor_1"]
        users = self.call(
            "res.users", "search_read", [[["login", "in", logins]], ["login"]]
        )
        ids = {row["login"]: row["id"] for row in users}
        rep = ids[logins[0]]
        bosses = [ids[logins[1]], ids[logins[2]]]
        while not self.stop.wait(self.every):
            boss = bosses[self.moves % 2]
            self.call("res.users", "write", [[rep], {"sfa_manager_id": boss}])
            if self.full_clear:
                sql(
                    PRIMARY_PORT, db, "INSERT INTO orm_signaling_default DEFAULT VALUES"
                )
            self.moves += 1

    def __call__(self, _since):
        self.thread.start()


def cmd_run(args):
    during = Reorganizer(args.churn, args.full_clear) if args.churn else None
    result = run_load(args.label or "sfa", args.users, args.minutes, during=during)
    if during:
        during.stop.set()
        result["reorganizations"] = during.moves
        result["full_clear"] = args.full_clear
        label = result["label"]
        (RESULTS / f"{label}.json").write_text(json.dumps(result, indent=2))
        say(f"{during.moves} reorganizations during the run")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start everything (building it on first use)")
    up.add_argument("--db", help=f"database to serve (default {DB})")
    up.add_argument(
        "--update", action="store_true", help="update the modules in it first (-u)"
    )
    up.set_defaults(func=cmd_up)
    sub.add_parser("down", help="stop everything").set_defaults(func=cmd_down)
    sub.add_parser("status", help="what runs").set_defaults(func=cmd_status)
    run = sub.add_parser("run", help="the load test on the database served")
    run.add_argument("--users", type=int, default=50)
    run.add_argument("--minutes", type=float, default=10)
    run.add_argument("--label", help="name of the results (default sfa)")
    run.add_argument(
        "--churn",
        type=float,
        default=0,
        help="the director changes the reporting line every CHURN seconds",
    )
    run.add_argument(
        "--full-clear",
        action="store_true",
        help="each change also clears Odoo's default cache on every worker",
    )
    run.set_defaults(func=cmd_run)
    base = sub.add_parser(
        "baseline", help="the same load on a copy without the sfa_* modules"
    )
    base.add_argument("--users", type=int, default=50)
    base.add_argument("--minutes", type=float, default=10)
    base.set_defaults(func=cmd_baseline)
    faults = sub.add_parser(
        "faults", help="a run with a worker, a server and the standby killed"
    )
    faults.add_argument("--users", type=int, default=50)
    faults.add_argument("--minutes", type=float, default=7)
    faults.set_defaults(func=cmd_faults)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except tool.SfaError as exc:
        say(f"error: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
