"""Helpers of the SFA modules that are not models."""

from contextlib import contextmanager
from contextvars import ContextVar

from odoo.exceptions import UserError
from odoo.tools import SQL


class CallScope:
    """A value that server code sets for the duration of a call, where Odoo
    code would pass a context key.

    The context is the client's: any RPC caller can send any key. What only
    the system may do (record a realignment with its effective date, mirror
    an action on its calendar event without checking it twice) is told to
    the code below through a scope the client cannot reach::

        TERRITORY_MOVE = CallScope("sfa_territory_move")

        with TERRITORY_MOVE({"date": ..., "reason": "realignment"}):
            partners.sudo().write({"sfa_territory_id": territory.id})

        # in res.partner.write
        move = TERRITORY_MOVE.get()
    """

    def __init__(self, name):
        self._var = ContextVar(name, default=None)

    @contextmanager
    def __call__(self, value):
        token = self._var.set(value)
        try:
            yield value
        finally:
            self._var.reset(token)

    def get(self):
        """The value of the innermost scope, or None outside any."""
        return self._var.get()


def record_ids(env, value):
    """The ids a wizard got from the client (a Json field), checked: a list
    of record ids, or a clear error instead of a raw one."""
    if not isinstance(value, list) or not all(
        type(item) is int and 0 < item < 2**31 for item in value
    ):
        raise UserError(env._("The records to act on must be given by their ids."))
    return value


def done_notice(message, title=None, then=None):
    """What a button that recomputes or saves answers: Odoo's notification
    saying what was done, then ``then`` (default: the screen reloaded, so
    the new figures show)."""
    params = {
        "type": "success",
        "message": message,
        "next": then or {"type": "ir.actions.client", "tag": "soft_reload"},
    }
    if title:
        params["title"] = title
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": params,
    }


@contextmanager
def bulk_changes(env, company=None):
    """The environment in which the system changes many records at once (a
    realignment, a category's norm, the company's contact channels).

    Such a change is summarized once by the code that makes it (on the
    territory, the category, in the log), not written into the chatter of
    every record it touches: tracking and the "you have been assigned"
    notifications are off for the records written, and for the fields
    computed again, inside the block. Unless the company asks for them
    (``sfa_track_bulk_changes``): then the block runs in ``env`` as it is.
    What was pending before the block is computed first, in ``env``, and
    tracked as usual::

        with bulk_changes(self.env, company) as env:
            partners.with_env(env).write({"sfa_territory_id": territory.id})
    """
    company = company or env.company
    if company.sudo().sfa_track_bulk_changes:
        yield env
        env.flush_all()
        return
    env.flush_all()
    quiet = env(
        context=dict(env.context, mail_notrack=True, mail_auto_subscribe_no_notify=True)
    )
    yield quiet
    quiet.flush_all()


@contextmanager
def foreign_keys_checked_once(cr, table):
    """Fill ``table`` with many rows, its foreign keys checked once at the
    end instead of row by row: they are dropped, then added back as they
    were, each checked in one pass over the table (PostgreSQL's advice for
    populating a table: a row-by-row check also locks each referenced row).
    For a table created by the install it fills: adding a key back checks
    every row of the table, and ALTER TABLE locks it until the commit."""
    cr.execute(
        SQL(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'f'",
            table,
        )
    )
    keys = cr.fetchall()
    for name, _definition in keys:
        cr.execute(
            SQL(
                "ALTER TABLE %s DROP CONSTRAINT %s",
                SQL.identifier(table),
                SQL.identifier(name),
            )
        )
    yield
    for name, definition in keys:
        # the definition is PostgreSQL's own text of the key just dropped
        cr.execute(
            SQL(
                "ALTER TABLE %s ADD CONSTRAINT %s %s",
                SQL.identifier(table),
                SQL.identifier(name),
                SQL(definition),  # pylint: disable=sql-injection
            )
        )
