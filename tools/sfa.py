#!/usr/bin/env python3
"""Developer and CI entry point of the Odoo SFA addons repository.

Commands::

    python3 tools/sfa.py serve [--no-serve]  demo database + Odoo on port 8069
    python3 tools/sfa.py test [--quiet]      Odoo tests, pytest, ruff, pylint, wheels
    python3 tools/sfa.py bench [FILE ...]    benchmarks of tests/bench (pytest)
    python3 tools/sfa.py probe               the side-door matrix over XML-RPC
    python3 tools/sfa.py stop                stop the private PostgreSQL cluster
    python3 tools/sfa.py clean               drop leftover test/bench databases

Everything this script generates lives in ``.sfa/`` at the repository root
(PostgreSQL cluster, Odoo config, filestore, logs).  Only the standard library
is imported at start-up; Odoo and psycopg2 are imported lazily.

Environment variables (all optional):

    SFA_MODULES           comma-separated modules to install/test instead of
                          every ``sfa_*`` module found at the repository root
    SFA_EXTRA_ADDONS      comma-separated extra addons directories
    SFA_EXTRA_TEST_TAGS   extra Odoo test tags for ``test`` (e.g. ``/mail``)
    SFA_NO_ODOO_TESTS=1   skip the tests of Odoo's crm, sales_team and
                          web_hierarchy that ``test`` runs with ours installed
    SFA_DB                demo database name for ``serve`` (default sfa_demo)
    SFA_HTTP_PORT         HTTP port for ``serve`` (default 8069)
    SFA_HTTP_INTERFACE    HTTP interface for ``serve`` (default 0.0.0.0)
    SFA_PGDATA            private cluster data directory (default .sfa/pgdata,
                          relative paths are taken from the repository root)
    SFA_PGPORT            private cluster port (default: 5439, or the next free)
    SFA_DB_HOST, SFA_DB_PORT, SFA_DB_USER, SFA_DB_PASSWORD
                          use this PostgreSQL server instead of a private cluster
    SFA_KEEP_DB=1         keep the database created by ``test``/``bench``/``probe``
    SFA_NO_APT=1          never install system packages with apt-get
    SFA_QUIET=1           same as ``test --quiet``
    SFA_STOP_CLUSTER=1    stop the private cluster after ``test`` if that run
                          started it (the default when CI is set)
"""

from __future__ import annotations

import argparse
import datetime
import glob
import importlib.metadata
import importlib.util
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Odoo modules whose own tests run with ours installed (see run_odoo_tests).
EXTENDED_ODOO_MODULES = ("crm", "sales_team", "web_hierarchy")
# Odoo's own post-install tests of views we extend, run with ours installed:
# mail's composer tours open a contact as a user outside sales, contacts'
# tour opens the contact form, calendar's tours open meetings.
ODOO_VIEW_TEST_TAGS = (
    "/mail:TestMailComposerUI",
    "/contacts",
    "/calendar:TestCalendarTours",
)
# Odoo modules the test database gets besides ours, for those tests
ODOO_TEST_MODULES = ("contacts",)
STATE = REPO / ".sfa"
LOG_DIR = STATE / "logs"
ODOO_CONF = STATE / "odoo.conf"
CREATED_DBS = STATE / "created_dbs"
FILESTORE = STATE / "filestore"
REQUIREMENTS = REPO / "requirements.txt"
TESTS_DIR = REPO / "tests"
BENCH_DIR = TESTS_DIR / "bench"
PROBE = TESTS_DIR / "security" / "rpc_probe.py"

DEFAULT_DB = "sfa_demo"
DEFAULT_PGPORT = 5439
DEFAULT_HTTP_PORT = 8069
PG_SUPERUSER = "sfa"
PG_SYSTEM_USER = "postgres"
CLUSTER_CONF = "sfa.conf"
BROWSERS = ("chromium", "google-chrome", "chromium-browser", "google-chrome-stable")
TEMP_DB_PATTERN = re.compile(r"^sfa_(?:test|bench|probe|wheels)_\d{14}_(?P<pid>\d+)$")

ODOO_INSTALL_HELP = """\
Odoo 19 community must be importable as `odoo` by this Python
({python}).  Install it from source, for example:

    git clone --depth 1 --branch 19.0 https://github.com/odoo/odoo.git
    cd odoo
    {python} -m pip install -r requirements.txt
    {python} -m pip install -e .

then run this command again."""


class SfaError(Exception):
    """A problem the user has to fix: reported without a traceback."""


def say(message: str) -> None:
    """Print a progress message of this tool."""
    print(f"[sfa] {message}", flush=True)


def env_flag(name: str) -> bool:
    """Tell whether the environment variable ``name`` is set to a true value."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def is_root() -> bool:
    """Tell whether this process runs as root."""
    return os.geteuid() == 0


def timestamp() -> str:
    """Return the current local time as ``YYYYmmddHHMMSS``."""
    return datetime.datetime.now().strftime("%Y%m%d%H%M%S")


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Tell whether nothing listens on ``port`` of 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def child_env() -> dict[str, str]:
    """Environment for Odoo and pytest: PostgreSQL/Odoo variables would
    override the generated config file, so they are removed."""
    env = dict(os.environ)
    for name in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"):
        env.pop(name, None)
    env.pop("ODOO_RC", None)
    env.pop("OPENERP_SERVER", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


# ---------------------------------------------------------------------------
# (a) Odoo itself, (b) Python requirements, (c) system tools
# ---------------------------------------------------------------------------


def check_odoo():
    """Stop unless Odoo 19 is importable as ``odoo``; return ``odoo.release``."""
    try:
        import odoo.release as release  # noqa: PLC0415
    except ImportError as exc:
        message = ODOO_INSTALL_HELP.format(python=sys.executable)
        raise SfaError(f"cannot import odoo.release ({exc}).\n{message}") from exc
    if release.version_info[0] != 19:
        message = ODOO_INSTALL_HELP.format(python=sys.executable)
        raise SfaError(f"found Odoo {release.version}, not 19.\n{message}")
    return release


def odoo_root() -> Path:
    """Directory of the ``odoo`` package (it holds Odoo's ``addons``)."""
    import odoo.release  # noqa: PLC0415

    return Path(odoo.release.__file__).resolve().parent


def odoo_command() -> list[str]:
    """Command line prefix that runs Odoo's CLI with this Python."""
    if importlib.util.find_spec("odoo.__main__") is not None:
        return [sys.executable, "-m", "odoo"]
    script = shutil.which("odoo")
    if script:
        return [script]
    raise SfaError("Odoo is importable but neither `python3 -m odoo` nor `odoo` runs")


def _requirement_lines(path: Path) -> list[str]:
    """Requirement specifiers of a requirements file, comments stripped."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if line and not line.startswith("-"):
            lines.append(line)
    return lines


def missing_requirements(path: Path) -> list[str]:
    """Requirements of ``path`` that are not installed (or not satisfied)."""
    try:
        from packaging.requirements import Requirement  # noqa: PLC0415
    except ImportError:
        Requirement = None  # noqa: N806
    missing = []
    for line in _requirement_lines(path):
        if Requirement is None:
            name, req = re.match(r"[A-Za-z0-9._-]+", line).group(0), None
        else:
            req = Requirement(line)
            if req.marker and not req.marker.evaluate():
                continue
            name = req.name
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(line)
            continue
        if req and req.specifier and not req.specifier.contains(version, True):
            missing.append(line)
    return missing


def ensure_requirements() -> None:
    """``pip install -r requirements.txt`` when something in it is missing."""
    if not REQUIREMENTS.is_file():
        return
    missing = missing_requirements(REQUIREMENTS)
    if not missing:
        return
    say(f"installing Python requirements ({', '.join(missing)})")
    cmd = [sys.executable, "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)]
    if subprocess.run(cmd, check=False).returncode != 0:
        raise SfaError(f"`{' '.join(cmd)}` failed")


def ensure_odoo_packages(names: tuple[str, ...]) -> None:
    """Install packages of Odoo's own requirements.txt, at Odoo's pins, that
    a command needs beyond importing Odoo (gevent for the multi-process
    server's longpolling process)."""
    wanted = {name.lower() for name in names}
    source = odoo_root().parent / "requirements.txt"
    if not source.is_file():
        say(f"no {source}: cannot install {', '.join(names)} at Odoo's versions")
        return
    lines = [
        line
        for line in missing_requirements(source)
        if re.match(r"[A-Za-z0-9._-]+", line).group(0).lower() in wanted
    ]
    if "gevent" in wanted:
        # gevent loads its plugins through pkg_resources, which before
        # setuptools 70 cannot find zope.interface under its normalized
        # distribution name: the longpolling process then dies at start
        try:
            version = importlib.metadata.version("setuptools")
        except importlib.metadata.PackageNotFoundError:
            version = "0"
        if int(version.split(".")[0]) < 70:
            lines.append("setuptools>=70")
    if not lines:
        return
    say(f"installing {', '.join(lines)}")
    cmd = [sys.executable, "-m", "pip", "install", "-q", *lines]
    if subprocess.run(cmd, check=False).returncode != 0:
        raise SfaError(f"`{' '.join(cmd)}` failed")


def _pg_major(bindir: Path) -> int | None:
    """Major version of the ``initdb`` in ``bindir`` (None if it does not run)."""
    try:
        out = subprocess.run(
            [str(bindir / "initdb"), "--version"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else None


def find_pg_bindirs() -> list[tuple[int, Path]]:
    """PostgreSQL server bin directories (with initdb and pg_ctl), newest
    major version first; searched on PATH and in /usr/lib/postgresql/*/bin."""
    candidates = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent)
    candidates += [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")]
    found = {}
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            major = _pg_major(bindir)
            if major is not None:
                found.setdefault(bindir.resolve(), major)
    return sorted(((m, d) for d, m in found.items()), reverse=True)


def find_browser() -> str | None:
    """Path of a Chrome/Chromium executable as Odoo's tours look for it."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


# wanted but not required: Odoo prints PDF reports (the rep's agenda...)
# with it, and shows them as HTML pages without it
OPTIONAL_TOOLS = {"wkhtmltopdf (PDF reports)": "wkhtmltopdf"}


def _missing_system_tools(need_postgres: bool) -> dict[str, str]:
    """Missing system tools, mapped to the Debian package that provides them."""
    missing = {}
    if need_postgres and not find_pg_bindirs():
        missing["PostgreSQL server (initdb, pg_ctl)"] = "postgresql"
    if not find_browser():
        missing["Chromium (chromium or google-chrome)"] = "chromium"
    if not shutil.which("wkhtmltopdf"):
        missing.update(OPTIONAL_TOOLS)
    return missing


def ensure_system_tools(need_postgres: bool) -> None:
    """Install PostgreSQL, Chromium and wkhtmltopdf with apt-get when missing
    (as root only, unless SFA_NO_APT is set); otherwise stop with a message,
    or only warn when what is missing is optional."""
    missing = _missing_system_tools(need_postgres)
    if not missing:
        return
    names = ", ".join(missing)
    if not (is_root() and shutil.which("apt-get") and not os.environ.get("SFA_NO_APT")):
        hint = (
            f"Install them (Debian/Ubuntu: apt-get install "
            f"{' '.join(missing.values())})"
        )
        if set(missing) <= set(OPTIONAL_TOOLS):
            say(f"note: {names} missing: reports print as HTML pages. {hint}.")
            return
        raise SfaError(f"missing system tools: {names}. {hint} and run again.")
    say(f"installing {names} with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", *sorted(set(missing.values()))],
    ):
        if subprocess.run(cmd, env=env, check=False).returncode != 0:
            raise SfaError(f"`{' '.join(cmd)}` failed")
    still = _missing_system_tools(need_postgres)
    if still:
        raise SfaError(f"still missing after apt-get: {', '.join(still)}")


# ---------------------------------------------------------------------------
# (d) PostgreSQL: private cluster or given server
# ---------------------------------------------------------------------------


@dataclass
class DbServer:
    """Where Odoo's databases live, and how to connect to it."""

    host: str
    port: int
    user: str
    password: str = ""
    key: str = ""  # identifies the server in the list of created databases

    def connect(self, dbname: str = "postgres"):
        """An autocommit psycopg2 connection to ``dbname``."""
        import psycopg2  # noqa: PLC0415  (comes with Odoo)

        conn = psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=dbname,
            connect_timeout=10,
        )
        conn.autocommit = True
        return conn

    def database_exists(self, name: str) -> bool:
        """Tell whether database ``name`` exists."""
        conn = self.connect()
        try:
            with conn.cursor() as cr:
                cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                return cr.fetchone() is not None
        finally:
            conn.close()

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, closing its connections first."""
        from psycopg2 import sql  # noqa: PLC0415

        conn = self.connect()
        try:
            with conn.cursor() as cr:
                cr.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                )
                cr.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
                )
        finally:
            conn.close()


class Cluster:
    """The private PostgreSQL cluster of this checkout.

    It listens on 127.0.0.1 only (no Unix socket), trusts local connections
    and has the superuser role ``sfa``.  As root, every PostgreSQL program
    runs as the ``postgres`` system user, since PostgreSQL refuses root.
    """

    def __init__(self, datadir: Path, port: int | None):
        self.datadir = datadir
        self.requested_port = port
        self.started_here = False
        self._bindir: Path | None = None

    # -- helpers ----------------------------------------------------------

    @property
    def bindir(self) -> Path:
        """Bin directory matching the cluster's major version (or newest)."""
        if self._bindir is None:
            bindirs = find_pg_bindirs()
            if not bindirs:
                raise SfaError("PostgreSQL server programs (initdb) not found")
            version_file = self.datadir / "PG_VERSION"
            if version_file.is_file():
                major = int(version_file.read_text().strip().split(".")[0])
                matching = [d for m, d in bindirs if m == major]
                if not matching:
                    raise SfaError(
                        f"{self.datadir} is a PostgreSQL {major} cluster but only "
                        f"versions {sorted({m for m, _ in bindirs})} are installed;"
                        f" install PostgreSQL {major} or remove the directory"
                    )
                self._bindir = matching[0]
            else:
                self._bindir = bindirs[0][1]
        return self._bindir

    def _owner(self) -> pwd.struct_passwd | None:
        """The ``postgres`` account when running as root, else None."""
        if not is_root():
            return None
        try:
            return pwd.getpwnam(PG_SYSTEM_USER)
        except KeyError:
            raise SfaError(
                "running as root, but there is no `postgres` system user to run "
                "PostgreSQL as (apt-get install postgresql creates it)"
            ) from None

    def _run(self, program: str, *args: str, check: bool = True):
        """Run a PostgreSQL program, as ``postgres`` when root."""
        cmd = [str(self.bindir / program), *args]
        if self._owner() is not None:
            cmd = ["runuser", "-u", PG_SYSTEM_USER, "--", *cmd]
        result = subprocess.run(
            cmd, cwd="/", capture_output=True, text=True, check=False
        )
        if check and result.returncode != 0:
            raise SfaError(
                f"`{' '.join(cmd)}` failed:\n{result.stdout}{result.stderr}".rstrip()
            )
        return result

    def _make_accessible(self) -> None:
        """Create the data directory, owned by ``postgres`` when root, and
        make its parent directories traversable for that user."""
        self.datadir.mkdir(parents=True, exist_ok=True)
        owner = self._owner()
        if owner is None:
            return
        os.chown(self.datadir, owner.pw_uid, owner.pw_gid)
        os.chmod(self.datadir, 0o700)
        for parent in self.datadir.parents:
            mode = parent.stat().st_mode
            if parent.stat().st_uid != owner.pw_uid and not mode & stat.S_IXOTH:
                say(f"making {parent} traversable (o+x) for the postgres user")
                os.chmod(parent, mode | stat.S_IXOTH)

    def _write_conf(self, port: int) -> None:
        """Write the settings of this tool to ``sfa.conf`` in the data dir."""
        conf = self.datadir / CLUSTER_CONF
        conf.write_text(
            "# Written by tools/sfa.py: private development cluster.\n"
            f"port = {port}\n"
            "listen_addresses = '127.0.0.1'\n"
            "unix_socket_directories = ''\n"
            "synchronous_commit = off\n",
            encoding="utf-8",
        )
        owner = self._owner()
        if owner is not None:
            os.chown(conf, owner.pw_uid, owner.pw_gid)

    def configured_port(self) -> int | None:
        """Port written in ``sfa.conf`` (None if there is no such file)."""
        conf = self.datadir / CLUSTER_CONF
        if not conf.is_file():
            return None
        match = re.search(r"^port = (\d+)", conf.read_text(), re.MULTILINE)
        return int(match.group(1)) if match else None

    def _pick_port(self, start: int) -> int:
        """The requested port, or the first free one from ``start`` on."""
        if self.requested_port:
            if not port_is_free(self.requested_port):
                raise SfaError(f"port {self.requested_port} (SFA_PGPORT) is in use")
            return self.requested_port
        for port in range(start, start + 100):
            if port_is_free(port):
                return port
        raise SfaError(f"no free port for PostgreSQL in {start}-{start + 99}")

    # -- life cycle -------------------------------------------------------

    def is_running(self) -> bool:
        """Tell whether the cluster runs (``pg_ctl status``)."""
        if not (self.datadir / "PG_VERSION").is_file():
            return False
        result = self._run("pg_ctl", "status", "-D", str(self.datadir), check=False)
        return result.returncode == 0

    def running_port(self) -> int:
        """Port of the running cluster, read from ``postmaster.pid``."""
        lines = (self.datadir / "postmaster.pid").read_text().splitlines()
        return int(lines[3])

    def init(self) -> None:
        """``initdb`` a new cluster with the ``sfa`` superuser role."""
        self._make_accessible()
        locale = "C.UTF-8" if _has_c_utf8_locale() else "C"
        say(f"creating PostgreSQL cluster in {self.datadir}")
        options = ("--auth=trust", "-E", "UTF8", f"--locale={locale}")
        self._run("initdb", "-D", str(self.datadir), "-U", PG_SUPERUSER, *options)
        main_conf = self.datadir / "postgresql.conf"
        with main_conf.open("a", encoding="utf-8") as handle:
            handle.write(f"\ninclude_if_exists = '{CLUSTER_CONF}'\n")
        self._write_conf(self._pick_port(self.requested_port or DEFAULT_PGPORT))

    def start(self) -> int:
        """Start the cluster (initialising it first if needed); return its port."""
        if not (self.datadir / "PG_VERSION").is_file():
            self.init()
        self._make_accessible()
        port = self.configured_port()
        if port is None or (self.requested_port and port != self.requested_port):
            port = self._pick_port(self.requested_port or DEFAULT_PGPORT)
            self._write_conf(port)
        elif not port_is_free(port):
            new_port = self._pick_port(port + 1)
            say(f"port {port} is in use, moving the cluster to port {new_port}")
            port = new_port
            self._write_conf(port)
        say(f"starting PostgreSQL on 127.0.0.1:{port}")
        log = self.datadir / "server.log"
        args = ("start", "-w", "-t", "120", "-D", str(self.datadir), "-l", str(log))
        result = self._run("pg_ctl", *args, check=False)
        if result.returncode != 0:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise SfaError(f"PostgreSQL did not start:\n{result.stderr}\n{tail}")
        self.started_here = True
        return port

    def stop(self) -> None:
        """Stop the cluster if it runs."""
        if self.is_running():
            say(f"stopping PostgreSQL ({self.datadir})")
            self._run("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.datadir))
        else:
            say("PostgreSQL cluster is not running")


def _has_c_utf8_locale() -> bool:
    """Tell whether the C.UTF-8 locale exists on this system."""
    try:
        out = subprocess.run(
            ["locale", "-a"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return False
    return any(name.lower() in {"c.utf8", "c.utf-8"} for name in out.split())


def private_cluster() -> Cluster:
    """The private cluster configured by SFA_PGDATA and SFA_PGPORT."""
    datadir = Path(os.environ.get("SFA_PGDATA") or STATE / "pgdata")
    if not datadir.is_absolute():
        datadir = REPO / datadir
    port = os.environ.get("SFA_PGPORT")
    return Cluster(datadir.resolve(), int(port) if port else None)


def ensure_db_server() -> tuple[DbServer, Cluster | None]:
    """Start or reuse the private cluster, or use the SFA_DB_HOST server."""
    if os.environ.get("SFA_DB_HOST"):
        server = DbServer(
            host=os.environ["SFA_DB_HOST"],
            port=int(os.environ.get("SFA_DB_PORT") or 5432),
            user=os.environ.get("SFA_DB_USER") or os.environ.get("USER") or "odoo",
            password=os.environ.get("SFA_DB_PASSWORD", ""),
        )
        if server.user == "postgres":
            raise SfaError("Odoo refuses the database user `postgres`: set SFA_DB_USER")
        server.key = f"{server.host}:{server.port}"
        say(f"using PostgreSQL at {server.host}:{server.port} as {server.user}")
        return server, None
    cluster = private_cluster()
    if cluster.is_running():
        port = cluster.running_port()
        say(f"reusing running PostgreSQL on 127.0.0.1:{port}")
    else:
        port = cluster.start()
    server = DbServer("127.0.0.1", port, PG_SUPERUSER, key=str(cluster.datadir))
    _wait_for_server(server)
    return server, cluster


def _wait_for_server(server: DbServer, timeout: float = 60.0) -> None:
    """Wait until ``server`` accepts connections."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            server.connect().close()
            return
        except Exception as exc:  # psycopg2.OperationalError
            if time.monotonic() > deadline:
                raise SfaError(f"cannot connect to PostgreSQL: {exc}") from exc
            time.sleep(0.5)


# ---------------------------------------------------------------------------
# Databases created by this tool
# ---------------------------------------------------------------------------


def _created_entries() -> list[str]:
    """Lines of ``.sfa/created_dbs``: ``<server key>|<database>``."""
    if not CREATED_DBS.is_file():
        return []
    return [line for line in CREATED_DBS.read_text().splitlines() if line.strip()]


def was_created_here(server: DbServer, name: str) -> bool:
    """Tell whether this tool created database ``name`` on ``server``."""
    return f"{server.key}|{name}" in _created_entries()


def record_created(server: DbServer, name: str) -> None:
    """Remember that this tool creates database ``name`` on ``server``."""
    if not was_created_here(server, name):
        STATE.mkdir(parents=True, exist_ok=True)
        with CREATED_DBS.open("a", encoding="utf-8") as handle:
            handle.write(f"{server.key}|{name}\n")


def drop_created_database(server: DbServer, name: str) -> None:
    """Drop a database this tool created (never any other), and its filestore."""
    if not was_created_here(server, name):
        raise SfaError(f"refusing to drop database {name!r}: not created by this tool")
    say(f"dropping database {name}")
    server.drop_database(name)
    shutil.rmtree(FILESTORE / "filestore" / name, ignore_errors=True)
    entry = f"{server.key}|{name}"
    kept = [line for line in _created_entries() if line != entry]
    CREATED_DBS.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")


def _pid_alive(pid: int) -> bool:
    """Tell whether process ``pid`` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drop_stale_temp_databases(server: DbServer, *, all_of_them: bool = False) -> None:
    """Drop test/bench databases left by runs that are gone (or all of them)."""
    prefix = f"{server.key}|"
    for entry in _created_entries():
        if not entry.startswith(prefix):
            continue
        name = entry[len(prefix) :]
        match = TEMP_DB_PATTERN.match(name)
        if match and (all_of_them or not _pid_alive(int(match.group("pid")))):
            drop_created_database(server, name)


# ---------------------------------------------------------------------------
# Modules and Odoo configuration
# ---------------------------------------------------------------------------


def repo_modules() -> list[str]:
    """``sfa_*`` module directories (with a manifest) at the repository root."""
    return sorted(
        path.parent.name
        for path in REPO.glob("sfa_*/__manifest__.py")
        if path.is_file()
    )


def selected_modules() -> list[str]:
    """Modules to install and test: SFA_MODULES, or every ``sfa_*`` module."""
    override = os.environ.get("SFA_MODULES", "").strip()
    if override:
        return [name.strip() for name in override.split(",") if name.strip()]
    return repo_modules()


def addons_paths() -> list[str]:
    """Odoo's own addons directories, the repository, and SFA_EXTRA_ADDONS."""
    root = odoo_root()
    paths = [root / "addons", root.parent / "addons"]
    if repo_modules():
        paths.append(REPO)
    for extra in os.environ.get("SFA_EXTRA_ADDONS", "").split(","):
        if extra.strip():
            paths.append(Path(extra.strip()).resolve())
    unique = []
    for path in paths:
        if path.is_dir() and str(path) not in unique:
            unique.append(str(path))
    return unique


def write_odoo_config(server: DbServer) -> Path:
    """Write ``.sfa/odoo.conf`` (rewritten on every run)."""
    options = {
        "addons_path": ",".join(addons_paths()),
        "data_dir": str(FILESTORE),
        "db_host": server.host,
        "db_port": str(server.port),
        "db_user": server.user,
        "db_password": server.password or None,
        "db_name": os.environ.get("SFA_DB") or DEFAULT_DB,
        "list_db": "False",
        "http_interface": os.environ.get("SFA_HTTP_INTERFACE") or "0.0.0.0",
        "http_port": os.environ.get("SFA_HTTP_PORT") or str(DEFAULT_HTTP_PORT),
        "workers": "0",
    }
    lines = ["; Generated by tools/sfa.py on every run: do not edit.", "[options]"]
    lines += [f"{key} = {value}" for key, value in options.items() if value]
    STATE.mkdir(parents=True, exist_ok=True)
    FILESTORE.mkdir(parents=True, exist_ok=True)
    ODOO_CONF.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ODOO_CONF.chmod(0o600)
    return ODOO_CONF


def prepare() -> tuple[DbServer, Cluster | None]:
    """Steps (a)-(d) shared by ``serve``, ``test`` and ``bench``: check Odoo,
    install requirements and system tools, start the database server and
    write the Odoo config.  Return the server and the private cluster."""
    check_odoo()
    ensure_requirements()
    ensure_system_tools(need_postgres=not os.environ.get("SFA_DB_HOST"))
    server, cluster = ensure_db_server()
    write_odoo_config(server)
    return server, cluster


# ---------------------------------------------------------------------------
# Running processes and reading their logs
# ---------------------------------------------------------------------------


def run_logged(cmd: list[str], log_path: Path, on_line=None, echo=None) -> int:
    """Run ``cmd`` from the repository root, writing its output to
    ``log_path`` and to stdout (only lines ``echo`` accepts, if given);
    ``on_line`` sees every line.  Return the exit code."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        log_path.open("w", encoding="utf-8") as log,
        subprocess.Popen(
            cmd,
            cwd=REPO,
            env=child_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            bufsize=1,
        ) as proc,
    ):
        for line in proc.stdout:
            log.write(line)
            if echo is None or echo(line):
                sys.stdout.write(line)
                sys.stdout.flush()
            if on_line is not None:
                on_line(line.rstrip("\n"))
        return proc.wait()


LOG_RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ (?P<level>\S+) (?P<db>\S+) "
    r"(?P<logger>\S+): (?P<message>.*)$"
)
TEST_RESULT = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests"
)
TEST_SKIP = re.compile(r"^skipped (?P<test>.+?) : (?P<reason>.*)$")
TEST_FAILURE = re.compile(r"^(?:FAIL|ERROR): ")
TOOL_SKIP = re.compile(r"chrom|browser|websocket", re.IGNORECASE)
# ERROR lines that only summarise test failures already counted
NOT_COUNTED_ERRORS = re.compile(
    r"^(?:Test suite halted: max failed tests"
    r"|Module \S+: \d+ failures, \d+ errors of \d+ tests"
    r"|At least one test failed when loading the modules)"
)


@dataclass
class OdooLogReport:
    """What an Odoo test run logged, read line by line."""

    tests_run: int = 0
    failures: int = 0
    errors: int = 0
    result_lines: int = 0
    skips: list[str] = field(default_factory=list)
    tool_skips: list[str] = field(default_factory=list)
    failed_tests: list[str] = field(default_factory=list)
    other_errors: list[list[str]] = field(default_factory=list)
    warnings: int = 0
    _current: list[str] | None = None

    def feed(self, line: str) -> None:
        """Account for one line of Odoo's output."""
        match = LOG_RECORD.match(line)
        if not match:
            if self._current is not None:
                self._current.append(line)
            return
        self._current = None
        level, message = match["level"], match["message"].rstrip()
        result = TEST_RESULT.search(message)
        if result and "when loading database" in message:
            self.result_lines += 1
            self.failures += int(result["failed"])
            self.errors += int(result["errors"])
            self.tests_run += int(result["run"])
        elif skip := TEST_SKIP.match(message):
            entry = f"{match['logger']}: {skip['test']} : {skip['reason']}"
            self.skips.append(entry)
            if TOOL_SKIP.search(skip["reason"]):
                self.tool_skips.append(entry)
        elif level in {"ERROR", "CRITICAL"}:
            if TEST_FAILURE.match(message):
                self.failed_tests.append(f"{match['logger']}: {message}")
            elif not NOT_COUNTED_ERRORS.match(message):
                self._current = [line]
                self.other_errors.append(self._current)
        elif level == "WARNING":
            self.warnings += 1

    @property
    def passed(self) -> int:
        """Tests that ran and neither failed, errored nor were skipped."""
        return max(0, self.tests_run - self.failures - self.errors - len(self.skips))


class QuietFilter:
    """Decides which Odoo output lines quiet mode shows: warnings and worse,
    test results and skips, each with its continuation lines (tracebacks)."""

    def __init__(self):
        self.showing = True

    def __call__(self, line: str) -> bool:
        match = LOG_RECORD.match(line)
        if match:
            message = match["message"]
            self.showing = match["level"] in {"WARNING", "ERROR", "CRITICAL"} or bool(
                TEST_RESULT.search(message) or TEST_SKIP.match(message)
            )
        return self.showing


PYTEST_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")
PYTEST_DURATION = re.compile(r"\bin \d+(?:\.\d+)?s\b")


def parse_pytest_summary(lines: list[str]) -> dict[str, int]:
    """Counts of pytest's closing line (``3 passed, 1 failed in 0.1s``)."""
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    for line in reversed(lines):
        if PYTEST_DURATION.search(line) and (
            PYTEST_COUNT.search(line) or "no tests ran" in line
        ):
            for number, word in PYTEST_COUNT.findall(line):
                key = {"error": "errors", "xpassed": "passed"}.get(word, word)
                if key in counts:
                    counts[key] += int(number)
            break
    return counts


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def install_database(
    server: DbServer,
    name: str,
    modules: list[str],
    *,
    demo: bool,
    log_name: str,
    quiet: bool = False,
    test_tags: str = "",
) -> tuple[int, OdooLogReport]:
    """Create (or update, if it exists) database ``name`` with ``modules``;
    run the Odoo tests selected by ``test_tags`` if any."""
    exists = server.database_exists(name)
    if exists and not was_created_here(server, name):
        raise SfaError(
            f"database {name!r} exists on {server.host}:{server.port} but was not "
            "created by this tool: refusing to touch it (set SFA_DB to another "
            "name, or drop it yourself)"
        )
    record_created(server, name)
    mods = ",".join(modules or ["base"])
    cmd = [*odoo_command(), "-c", str(ODOO_CONF), "-d", name, "-i", mods]
    if exists:
        cmd += ["-u", mods]
    elif demo:
        cmd.append("--with-demo")
    if test_tags:
        cmd += ["--test-enable", "--test-tags", test_tags, "--log-level=test"]
    cmd += [
        "--stop-after-init",
        "--http-interface=127.0.0.1",
        f"--http-port={free_port()}",
        "--max-cron-threads=0",
    ]
    verb = "updating" if exists else "creating"
    say(f"{verb} database {name} with {mods}: {' '.join(cmd[len(odoo_command()) :])}")
    report = OdooLogReport()
    code = run_logged(
        cmd,
        LOG_DIR / log_name,
        on_line=report.feed,
        echo=QuietFilter() if quiet else None,
    )
    return code, report


def cmd_serve(args: argparse.Namespace) -> int:
    """Set up the demo database and serve Odoo in the foreground."""
    server, _cluster = prepare()
    modules = selected_modules()
    if not modules:
        say("no sfa_* module found at the repository root: installing base only")
    name = os.environ.get("SFA_DB") or DEFAULT_DB
    code, report = install_database(
        server, name, modules, demo=True, log_name="odoo-serve-setup.log"
    )
    if code != 0:
        raise SfaError(
            f"Odoo could not set up {name} (exit code {code}); "
            f"see {(LOG_DIR / 'odoo-serve-setup.log').relative_to(REPO)}"
        )
    for record in report.other_errors:
        say(f"warning: setup logged: {record[0]}")
    port = os.environ.get("SFA_HTTP_PORT") or str(DEFAULT_HTTP_PORT)
    if args.no_serve:
        say(f"database {name} is ready; `python3 tools/sfa.py serve` serves it")
        return 0
    say(f"serving {name} on http://localhost:{port} (demo login: admin / admin)")
    cmd = [*odoo_command(), "-c", str(ODOO_CONF), "-d", name, f"--http-port={port}"]
    os.chdir(REPO)
    os.execvpe(cmd[0], cmd, child_env())
    return 0  # not reached


@dataclass
class Outcome:
    """Pass/fail counts of one stage of ``test``."""

    name: str
    passed: int = 0
    failed: int = 0
    detail: str = ""


def run_odoo_tests(server: DbServer, db: str, quiet: bool) -> Outcome:
    """Install the modules in ``db`` with tests enabled and read the log."""
    modules = selected_modules()
    tags = [f"/{module}" for module in modules]
    # Odoo's own tests of the modules we extend must still pass with ours
    # installed (their post-install tests run with our rules in place).
    odoo_tests = bool(modules) and not env_flag("SFA_NO_ODOO_TESTS")
    if odoo_tests:
        tags += [f"/{module}" for module in EXTENDED_ODOO_MODULES]
        tags += ODOO_VIEW_TEST_TAGS
    extra = os.environ.get("SFA_EXTRA_TEST_TAGS", "")
    tags += [tag.strip() for tag in extra.split(",") if tag.strip()]
    if not modules:
        say("no sfa_* module found: the database gets `base` only, no Odoo tests")
    code, report = install_database(
        server,
        db,
        [*modules, *ODOO_TEST_MODULES] if odoo_tests else modules,
        demo=False,
        log_name="odoo-test.log",
        quiet=quiet,
        test_tags=",".join(tags) if modules else "",
    )
    failed = report.failures + report.errors + len(report.tool_skips)
    failed += len(report.other_errors)
    if code != 0 and failed == 0:
        failed = 1
    for test in report.failed_tests:
        say(f"failed test: {test.splitlines()[0]}")
    for skip in report.tool_skips:
        say(f"FAILED (browser tool missing): skipped {skip}")
    for record in report.other_errors:
        say("unexpected log line: " + "\n    ".join(record[:25]))
    if modules and report.result_lines == 0:
        say("Odoo printed no test result line (it stopped before running tests)")
    detail = (
        f"{report.tests_run} run, {report.failures} failed, {report.errors} errors, "
        f"{len(report.skips)} skipped ({len(report.tool_skips)} for a missing "
        f"browser tool), {len(report.other_errors)} other ERROR/CRITICAL lines, "
        f"{report.warnings} warnings, exit code {code}"
    )
    return Outcome("odoo tests", report.passed, failed, detail)


def pytest_command(db: str, *args: str) -> list[str]:
    """pytest-odoo command line running against database ``db``."""
    odoo_options = ["--odoo-database", db, "--odoo-config", str(ODOO_CONF)]
    common = ["-p", "no:cacheprovider", "-q"]
    return [sys.executable, "-m", "pytest", *args, *odoo_options, *common]


def run_pytest(db: str, *paths: str, name: str = "pytest") -> Outcome:
    """Run pytest-odoo over ``paths`` (default ``tests/`` without
    ``tests/bench``, ``tests/load`` and ``tests/demo``) against ``db``."""
    if not TESTS_DIR.is_dir():
        return Outcome(name, detail="no tests/ directory")
    args = paths or (
        "tests",
        "--ignore=tests/bench",
        "--ignore=tests/load",
        "--ignore=tests/demo",
    )
    cmd = pytest_command(db, *args)
    say("running " + " ".join(cmd[1:]))
    lines: list[str] = []
    log = LOG_DIR / ("pytest.log" if name == "pytest" else f"pytest-{name}.log")
    code = run_logged(cmd, log, on_line=lines.append)
    counts = parse_pytest_summary(lines)
    failed = counts["failed"] + counts["errors"]
    if code not in (0, 5) and failed == 0:
        failed = 1
    if paths and counts["passed"] == 0 and failed == 0:
        failed = 1  # the demo checks ran nothing: a failure, not a pass
    detail = (
        f"{counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['errors']} errors, {counts['skipped']} skipped, exit code {code}"
    )
    return Outcome(name, counts["passed"], failed, detail)


def run_demo_checks(server: DbServer, quiet: bool) -> Outcome:
    """Install the modules with the demo data in a database of their own, as
    ``serve`` does, and run ``tests/demo`` against it: the demo's fact table
    equals a rebuild and no screen of the sales force is empty."""
    modules = selected_modules()
    if not modules or not (TESTS_DIR / "demo").is_dir():
        return Outcome("demo", detail="no sfa_* module or no tests/demo")
    db = f"sfa_demo_test_{timestamp()}_{os.getpid()}"
    try:
        code, report = install_database(
            server, db, modules, demo=True, log_name="odoo-demo.log", quiet=quiet
        )
        if code != 0 or report.other_errors:
            detail = f"installing the demo failed (exit code {code})"
            for record in report.other_errors:
                say("unexpected log line: " + "\n    ".join(record[:25]))
            return Outcome("demo", failed=1, detail=detail)
        return run_pytest(db, "tests/demo", name="demo")
    finally:
        if was_created_here(server, db) and not env_flag("SFA_KEEP_DB"):
            drop_created_database(server, db)


def run_check(name: str, cmd: list[str]) -> Outcome:
    """Run one lint command; it counts as one passed or failed check."""
    say(f"running {' '.join(cmd[2:] if cmd[0] == sys.executable else cmd)}")
    code = subprocess.run(cmd, cwd=REPO, env=child_env(), check=False).returncode
    if code == 0:
        return Outcome(name, passed=1, detail="ok")
    return Outcome(name, failed=1, detail=f"exit code {code}")


def run_linters() -> list[Outcome]:
    """ruff check, ruff format --check and pylint-odoo on the modules."""
    python = sys.executable
    outcomes = [
        run_check("ruff check", [python, "-m", "ruff", "check", "."]),
        run_check("ruff format", [python, "-m", "ruff", "format", "--check", "."]),
    ]
    modules = repo_modules()
    if modules:
        cmd = [python, "-m", "pylint", "--rcfile=.pylintrc", *modules]
        outcomes.append(run_check("pylint", cmd))
    else:
        outcomes.append(Outcome("pylint", detail="no sfa_* module to lint"))
    return outcomes


def print_summary(outcomes: list[Outcome]) -> int:
    """Print the stage summary and the closing ``N passed, N failed`` line;
    return the exit code."""
    passed = sum(outcome.passed for outcome in outcomes)
    failed = sum(outcome.failed for outcome in outcomes)
    print("\n[sfa] summary:", flush=True)
    for outcome in outcomes:
        status = "FAILED" if outcome.failed else "ok"
        print(f"  {outcome.name:<12} {status:<6} {outcome.detail}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


def _clean_up_after_test(server: DbServer | None, cluster: Cluster | None, db: str):
    """After ``test``: drop its database unless SFA_KEEP_DB is set; stop the
    private cluster if this run started it and SFA_STOP_CLUSTER (by default
    on when CI is set) asks for it."""
    if server is not None and was_created_here(server, db):
        if env_flag("SFA_KEEP_DB"):
            say(f"keeping database {db} (SFA_KEEP_DB)")
        else:
            drop_created_database(server, db)
    wanted = os.environ.get("SFA_STOP_CLUSTER")
    stop = env_flag("SFA_STOP_CLUSTER") if wanted else env_flag("CI")
    if cluster is not None and cluster.started_here and stop:
        cluster.stop()


WHEELS = STATE / "wheels"


def run_wheels(server: DbServer) -> Outcome:
    """Build every module into a wheel (whool, from its manifest), install the
    wheels into a new virtualenv that sees Odoo from source, and install the
    modules in a new database from there, with no addons path of ours: how an
    integrator installs OCA addons."""
    modules = selected_modules()
    if not modules:
        return Outcome("wheels", detail="no sfa_* module")
    shutil.rmtree(WHEELS, ignore_errors=True)
    dist, venv = WHEELS / "dist", WHEELS / "venv"
    dist.mkdir(parents=True)
    log = LOG_DIR / "wheels.log"
    steps = [
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(dist),
            *(str(REPO / name) for name in modules),
        ],
        [sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
    ]
    for cmd in steps:
        if run_logged(cmd, log) != 0:
            return Outcome("wheels", failed=1, detail=f"`{' '.join(cmd[1:4])}` failed")
    wheels = sorted(dist.glob("odoo_addon_sfa_*.whl"))
    python = str(venv / "bin" / "python")
    # --no-deps: the wheels' own requirements (Odoo, xlsxwriter) are there
    # already; pip would otherwise upgrade packages Odoo pins
    cmd = [python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet"]
    if run_logged([*cmd, *map(str, wheels)], WHEELS / "install.log") != 0:
        return Outcome("wheels", failed=1, detail="pip install of the wheels failed")
    found = subprocess.run(
        [
            python,
            "-c",
            "import importlib, sys; print(importlib.import_module("
            "'odoo.addons.' + sys.argv[1]).__file__)",
            modules[0],
        ],
        cwd="/",
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not found.startswith(str(venv)):
        return Outcome(
            "wheels", failed=1, detail=f"{modules[0]} is not imported from the wheel"
        )
    # Odoo's own addons only: the modules come from the virtualenv
    root = odoo_root()
    conf = WHEELS / "odoo.conf"
    conf.write_text(
        ODOO_CONF.read_text(encoding="utf-8").replace(
            f"addons_path = {','.join(addons_paths())}",
            "addons_path = "
            + ",".join(str(p) for p in (root / "addons", root.parent / "addons")),
        ),
        encoding="utf-8",
    )
    paths = [
        line.split("=", 1)[1].strip().split(",")
        for line in conf.read_text(encoding="utf-8").splitlines()
        if line.startswith("addons_path")
    ]
    if not paths or str(REPO) in paths[0]:
        return Outcome(
            "wheels", failed=1, detail="the repository is on the addons path"
        )
    db = f"sfa_wheels_{timestamp()}_{os.getpid()}"
    record_created(server, db)
    try:
        say(f"installing {len(wheels)} wheels' modules in {db} from {venv.name}")
        code = run_logged(
            [
                python,
                "-m",
                "odoo",
                "-c",
                str(conf),
                "-d",
                db,
                "-i",
                ",".join(modules),
                "--stop-after-init",
                "--http-interface=127.0.0.1",
                f"--http-port={free_port()}",
                "--max-cron-threads=0",
            ],
            log,
            echo=lambda _line: False,
        )
        conn = server.connect(db) if server.database_exists(db) else None
        installed = []
        if conn:
            with conn, conn.cursor() as cr:
                cr.execute(
                    "SELECT name FROM ir_module_module"
                    " WHERE name = ANY(%s) AND state = 'installed'",
                    (modules,),
                )
                installed = [row[0] for row in cr.fetchall()]
            conn.close()
    finally:
        if server.database_exists(db):
            drop_created_database(server, db)
    missing = sorted(set(modules) - set(installed))
    if code != 0 or missing:
        return Outcome(
            "wheels",
            failed=1,
            detail=f"exit code {code}, not installed: {', '.join(missing) or '-'}",
        )
    return Outcome(
        "wheels",
        passed=1,
        detail=f"{len(wheels)} wheels built, installed and their modules installed",
    )


def cmd_test(args: argparse.Namespace) -> int:
    """Odoo tests, pytest and linters against a fresh database."""
    quiet = args.quiet or env_flag("SFA_QUIET")
    outcomes: list[Outcome] = []
    server = cluster = None
    db = f"sfa_test_{timestamp()}_{os.getpid()}"
    try:
        server, cluster = prepare()
        drop_stale_temp_databases(server)
        outcomes.append(run_odoo_tests(server, db, quiet))
        outcomes.append(run_pytest(db))
        outcomes.append(run_demo_checks(server, quiet))
        outcomes.extend(run_linters())
        outcomes.append(run_wheels(server))
    except SfaError as exc:
        say(f"error: {exc}")
        outcomes.append(Outcome("setup", failed=1, detail=str(exc).splitlines()[0]))
    except Exception as exc:  # a bug here must still end with the summary line
        traceback.print_exc()
        outcomes.append(Outcome("internal", failed=1, detail=repr(exc)))
    finally:
        try:
            _clean_up_after_test(server, cluster, db)
        except (SfaError, OSError) as exc:
            say(f"error while cleaning up: {exc}")
            outcomes.append(Outcome("cleanup", failed=1, detail=str(exc)))
    return print_summary(outcomes)


def _run_on_fresh_database(kind: str, cmd_for, log_name: str) -> int:
    """Install the modules (without demo data) in a new database
    ``sfa_<kind>_...``, run the command ``cmd_for(db)`` against it, then
    drop it (unless SFA_KEEP_DB)."""
    server, _cluster = prepare()
    drop_stale_temp_databases(server)
    db = f"sfa_{kind}_{timestamp()}_{os.getpid()}"
    try:
        code, _report = install_database(
            server,
            db,
            selected_modules(),
            demo=False,
            log_name=f"odoo-{kind}.log",
            quiet=True,
        )
        if code != 0:
            raise SfaError(f"installing the modules failed (exit code {code})")
        cmd = cmd_for(db)
        say("running " + " ".join(cmd[1:]))
        return run_logged(cmd, LOG_DIR / log_name)
    finally:
        if env_flag("SFA_KEEP_DB"):
            say(f"keeping database {db} (SFA_KEEP_DB)")
        elif was_created_here(server, db):
            drop_created_database(server, db)


def cmd_bench(args: argparse.Namespace) -> int:
    """Run benchmark files of ``tests/bench`` with pytest against a fresh
    database that has the modules installed (without demo data)."""
    files = args.files or sorted(str(p) for p in BENCH_DIR.glob("bench_*.py"))
    if not files:
        raise SfaError("no benchmark given and no tests/bench/bench_*.py found")
    return _run_on_fresh_database(
        "bench",
        lambda db: pytest_command(db, *files, "-o", "addopts=", "-s"),
        "bench.log",
    )


def cmd_probe(_args: argparse.Namespace) -> int:
    """Install the modules in a fresh database and replay the side-door
    matrix over XML-RPC against it, served with two workers."""
    check_odoo()
    ensure_odoo_packages(("gevent", "greenlet"))
    return _run_on_fresh_database(
        "probe",
        lambda db: [sys.executable, str(PROBE), "-c", str(ODOO_CONF), "-d", db],
        "probe.log",
    )


def cmd_stop(_args: argparse.Namespace) -> int:
    """Stop the private PostgreSQL cluster."""
    if os.environ.get("SFA_DB_HOST"):
        say("SFA_DB_HOST is set: there is no private cluster to stop")
        return 0
    private_cluster().stop()
    return 0


def cmd_clean(_args: argparse.Namespace) -> int:
    """Drop every test/bench database this tool created and left behind."""
    check_odoo()
    server, _cluster = ensure_db_server()
    drop_stale_temp_databases(server, all_of_them=True)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Command line interface."""
    parser = argparse.ArgumentParser(
        prog="tools/sfa.py",
        description="Serve, test and benchmark the Odoo SFA modules.",
        epilog="Environment variables" + __doc__.split("Environment variables")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="demo database + Odoo on port 8069")
    serve.add_argument(
        "--no-serve", action="store_true", help="only set up, do not start Odoo"
    )
    serve.set_defaults(func=cmd_serve)
    test = commands.add_parser("test", help="Odoo tests, pytest, ruff, pylint, wheels")
    test.add_argument(
        "--quiet", action="store_true", help="show only warnings/errors of Odoo"
    )
    test.set_defaults(func=cmd_test)
    bench = commands.add_parser("bench", help="run tests/bench files")
    bench.add_argument("files", nargs="*", help="default: tests/bench/bench_*.py")
    bench.set_defaults(func=cmd_bench)
    commands.add_parser(
        "probe", help="the side-door matrix over XML-RPC, 2 workers"
    ).set_defaults(func=cmd_probe)
    commands.add_parser("stop", help="stop the private cluster").set_defaults(
        func=cmd_stop
    )
    commands.add_parser("clean", help="drop leftover test databases").set_defaults(
        func=cmd_clean
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SfaError as exc:
        print(f"[sfa] error: {exc}", file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
