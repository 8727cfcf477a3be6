"""Data builders shared by the benchmarks of this folder.

The benchmarks import this module as ``_benchdata``: ``tests/bench`` has no
``__init__.py``, so pytest puts the folder at the front of ``sys.path`` when it
imports a ``bench_*.py`` file.  The leading underscore keeps the module out of
``python3 tools/sfa.py bench`` (which runs ``tests/bench/bench_*.py``).

Opportunities are inserted with one ``INSERT ... SELECT`` over
``generate_series(1, count) n``: column values are SQL expressions of ``n``.
"""

from odoo import Command
from odoo.tools import SQL

# What a benchmark turns off before building its volume: mail tracking,
# followers and invitation mails cost time and are not what is measured.
BENCH_CONTEXT = {
    "tracking_disable": True,
    "no_reset_password": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}

# Expressions of ``n`` for insert_leads(): amounts of 0 to 99,900 and creation
# dates spread over the last year.
AMOUNT = SQL("(n %% 1000) * 100")
CREATED_LAST_YEAR = SQL("now() - (n %% 365) * interval '1 day'")


def bench_env(env):
    """``env`` with BENCH_CONTEXT added to its context."""
    return env(context=dict(env.context, **BENCH_CONTEXT))


def create_users(env, group, count, name, login, managers=None):
    """Create ``count`` internal users of ``env.company`` in the group of XML id
    ``group``, named ``"<name> #<i>"`` with login ``"<login>_<i>"``.  With
    ``managers``, user ``i`` reports to ``managers[i % len(managers)]``."""
    group = env.ref(group)
    company = env.company
    return env["res.users"].create(
        [
            {
                "name": f"{name} #{i}",
                "login": f"{login}_{i}",
                "group_ids": [Command.set(group.ids)],
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "sfa_manager_id": managers[i % len(managers)].id if managers else False,
            }
            for i in range(count)
        ]
    )


def build_levels(env, levels, name, login):
    """Create a sales organization in reporting levels and return one recordset
    of users per level, top first.

    ``levels`` lists ``(role, size)`` top first, ``role`` naming the group
    ``sfa_base.group_sfa_<role>``; the users of a level report round-robin to
    those of the level above (the top level to nobody).  ``name`` and ``login``
    are prefixes for create_users(), formatted with ``level`` (1 for the top)
    and ``role``.
    """
    result = []
    above = None
    for level, (role, size) in enumerate(levels, start=1):
        above = create_users(
            env,
            f"sfa_base.group_sfa_{role}",
            size,
            name.format(level=level, role=role),
            login.format(level=level, role=role),
            above,
        )
        result.append(above)
    return result


def create_territories(env, count, name, code, managers, parents=None):
    """Create ``count`` territories; ``name`` and ``code`` are formatted with
    their index ``i``, territory ``i`` is managed by
    ``managers[i % len(managers)]`` and, with ``parents``, lies in
    ``parents[i % len(parents)]``."""
    vals_list = []
    for i in range(count):
        vals = {
            "name": name.format(i=i),
            "code": code.format(i=i),
            "manager_id": managers[i % len(managers)].id,
        }
        if parents:
            vals["parent_id"] = parents[i % len(parents)].id
        vals_list.append(vals)
    return env["sfa.territory"].create(vals_list)


def pick(ids, index):
    """SQL expression: element ``index % len(ids)`` (0-based) of the list of
    ``ids``, ``index`` being an SQL expression, for spreading rows round-robin
    over records."""
    return SQL("(%s::int[])[1 + (%s) %% %s]", list(ids), index, len(ids))


def insert_leads(
    env, count, values, name="Bench deal", joins=None, returning=False, analyze=True
):
    """Insert ``count`` opportunities into ``crm_lead`` in one statement.

    ``values`` maps columns to SQL expressions of ``n`` (1 to ``count``) or to
    plain values; it completes or overrides the defaults: an active, pending
    opportunity of ``env.company`` named ``"<name> <n>"``, probability 10,
    priority ``'0'``, forecast category ``pipeline`` (its ORM default, with
    sfa_pipeline installed), created and written now by user 1.  ``joins`` (SQL
    starting with a comma) adds items to the FROM clause after
    ``generate_series(1, count) n``.

    Pending ORM writes are flushed first.  With ``analyze``, the table is
    analyzed and the cache invalidated afterwards.  Return the new ids with
    ``returning``, else None.
    """
    env.flush_all()
    columns = {
        "name": SQL("%s || n", f"{name} "),
        "type": "opportunity",
        "active": True,
        "company_id": env.company.id,
        "probability": 10,
        "won_status": "pending",
        "priority": "0",
        "create_date": SQL("now()"),
        "write_date": SQL("now()"),
        "create_uid": 1,
        "write_uid": 1,
    }
    if "sfa_forecast_category" in env["crm.lead"]._fields:
        # a required column: SQL does not apply the ORM default
        columns["sfa_forecast_category"] = "pipeline"
    columns.update(values)
    env.cr.execute(
        SQL(
            "INSERT INTO crm_lead (%s) SELECT %s FROM generate_series(1, %s) n%s%s",
            SQL(", ").join(SQL.identifier(column) for column in columns),
            SQL(", ").join(
                value if isinstance(value, SQL) else SQL("%s", value)
                for value in columns.values()
            ),
            count,
            joins or SQL(),
            SQL(" RETURNING id") if returning else SQL(),
        )
    )
    ids = [row[0] for row in env.cr.fetchall()] if returning else None
    if analyze:
        env.cr.execute("ANALYZE crm_lead")
        env.invalidate_all()
    return ids
