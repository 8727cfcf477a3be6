"""Caches that follow a change on every worker of every server, without
clearing anybody else's.

``registry.clear_cache()`` empties Odoo's whole default cache (record rules,
access rights, views' data, every module's cached methods) in this worker,
and through the database's signaling in every worker of every server: each
then recomputes all of it on its next requests.  The SFA caches instead put
a *generation* in their keys: a change makes a new generation of the caches
it affects, and nothing else is cleared.

A generation is a row of ``sfa_cache_generation``, written in the changing
transaction: other transactions see the new one exactly when they see the
change (a replica too, in the same snapshot), so a worker never keeps a value
computed from the old data under the new generation.  Values come from one
sequence, so a generation undone by a rollback is never reused.
"""

import functools

from odoo import api, models
from odoo.tools import SQL

MEMO = "sfa.cache.generations"
# the caches of sfa_base: whose records a user sees (reporting line and
# territories), and what is shared with them
SCOPE_CACHE = "sfa_scope"
SHARE_CACHE = "sfa_share"
# which territory rules are in force, per company
RULE_CACHE = "sfa_territory_rules"


class SfaCache(models.AbstractModel):
    _name = "sfa.cache"
    _description = "Generations of the SFA caches"

    def init(self):
        self.env.cr.execute(
            """
            CREATE SEQUENCE IF NOT EXISTS sfa_cache_generation_seq;
            CREATE TABLE IF NOT EXISTS sfa_cache_generation (
                name varchar PRIMARY KEY,
                value bigint NOT NULL
            )
            """
        )

    def _sfa_memo(self):
        """The generations read in this transaction (forgotten at its end)."""
        cr = self.env.cr
        memo = cr.cache.get(MEMO)
        if memo is None:
            memo = cr.cache[MEMO] = {}
            forget = functools.partial(cr.cache.pop, MEMO, None)
            cr.postcommit.add(forget)
            cr.postrollback.add(forget)
        return memo

    @api.model
    def _sfa_generation(self, name):
        """The current generation of cache ``name`` (one query per transaction)."""
        memo = self._sfa_memo()
        if name not in memo:
            rows = self.env.execute_query(
                SQL("SELECT value FROM sfa_cache_generation WHERE name = %s", name)
            )
            memo[name] = rows[0][0] if rows else 0
        return memo[name]

    @api.model
    def _sfa_invalidate(self, *names):
        """Start a new generation of caches ``names``: their values computed
        before this change are not used any more, by any worker."""
        memo = self._sfa_memo()
        for name in names:
            rows = self.env.execute_query(
                SQL(
                    """
                    INSERT INTO sfa_cache_generation (name, value)
                    VALUES (%s, nextval('sfa_cache_generation_seq'))
                    ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value
                    RETURNING value
                    """,
                    name,
                )
            )
            memo[name] = rows[0][0]


class SfaCachedMixin(models.AbstractModel):
    """Records a cache of ``sfa.cache`` is computed from (territory rules,
    stage norms): creating, changing or deleting one starts a new
    generation of the caches named in ``_sfa_caches``."""

    _name = "sfa.cached.mixin"
    _description = "Records an SFA Cache Follows"
    _sfa_caches = ()

    @api.model_create_multi
    def create(self, vals_list):
        self.env["sfa.cache"]._sfa_invalidate(*self._sfa_caches)
        return super().create(vals_list)

    def write(self, vals):
        self.env["sfa.cache"]._sfa_invalidate(*self._sfa_caches)
        return super().write(vals)

    def unlink(self):
        self.env["sfa.cache"]._sfa_invalidate(*self._sfa_caches)
        return super().unlink()
