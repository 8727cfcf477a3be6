from odoo import api, fields, models
from odoo.tools import SQL

REASONS = [
    ("rule", "Assignment Rule"),
    ("manual", "By Hand"),
    ("realignment", "Realignment"),
    ("handover", "Hand-over"),
]


class SfaTerritoryHistory(models.Model):
    """Effective-dated territory of a customer.

    One row per stay of a customer in a territory, ``date_from`` included and
    ``date_to`` excluded; the current stay has no ``date_to`` and there is at
    most one such row per customer (enforced by a unique index). Reports of a
    past period join on this table to attribute customers and deals to the
    territory they were in at the time.
    """

    _name = "sfa.territory.history"
    _description = "Customer Territory History"
    _sfa_system_records = True
    _order = "partner_id, date_from desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="cascade", index=True
    )
    territory_id = fields.Many2one(
        "sfa.territory",
        ondelete="restrict",
        index=True,
        help="Empty when the customer had no territory during that stay.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    date_from = fields.Date(required=True, default=fields.Date.context_today)
    date_to = fields.Date()
    reason = fields.Selection(REASONS, required=True, default="manual")
    rule_id = fields.Many2one("sfa.territory.rule", ondelete="set null")
    changed_by_id = fields.Many2one("res.users", default=lambda self: self.env.user)

    _one_open_stay = models.UniqueIndex(
        "(partner_id) WHERE date_to IS NULL",
        "A customer can only be in one territory at a time.",
    )
    _dates_ordered = models.Constraint(
        "CHECK (date_to IS NULL OR date_to >= date_from)",
        "A territory stay cannot end before it starts.",
    )

    @api.model
    def _record_moves(self, partners_by_territory, date, reason, rule_by_partner=None):
        """Close the open stays of the given customers and open new ones.

        ``partners_by_territory`` maps a territory id (or False) to partner ids.
        A move dated in the past supersedes the stays recorded after it, and a
        same-day correction replaces the stay of that day instead of leaving a
        zero-length one behind. No stay starts before a customer's first one:
        a customer created after the move's date moves from its creation.
        """
        partner_ids = [pid for ids in partners_by_territory.values() for pid in ids]
        if not partner_ids:
            return
        rule_by_partner = rule_by_partner or {}
        date = fields.Date.to_date(date)
        self.flush_model()
        first = dict(
            self.env.execute_query(
                SQL(
                    "SELECT partner_id, MIN(date_from) FROM sfa_territory_history"
                    " WHERE partner_id IN %s GROUP BY partner_id",
                    tuple(partner_ids),
                )
            )
        )
        effective = {pid: max(date, first.get(pid, date)) for pid in partner_ids}
        moves = SQL(
            "unnest(%s::int[], %s::date[]) AS v(partner_id, date)",
            list(effective),
            list(effective.values()),
        )
        self.env.execute_query(
            SQL(
                "DELETE FROM sfa_territory_history h USING %s"
                " WHERE h.partner_id = v.partner_id AND h.date_from >= v.date",
                moves,
            )
        )
        self.env.execute_query(
            SQL(
                "UPDATE sfa_territory_history h SET date_to = v.date FROM %s"
                " WHERE h.partner_id = v.partner_id"
                " AND (h.date_to IS NULL OR h.date_to > v.date)",
                moves,
            )
        )
        self.invalidate_model()
        companies = dict(
            self.env["res.partner"]
            .sudo()
            .browse(partner_ids)
            .mapped(lambda p: (p.id, p.company_id.id or self.env.company.id))
        )
        self.sudo().create(
            [  # sudo: history is written on behalf of the move
                {
                    "partner_id": pid,
                    "territory_id": territory_id or False,
                    "company_id": companies[pid],
                    "date_from": effective[pid],
                    "reason": reason,
                    "rule_id": rule_by_partner.get(pid, False),
                }
                for territory_id, ids in partners_by_territory.items()
                for pid in ids
            ]
        )

    @api.model
    def _territory_at_sql(self, partner_alias, date_sql):
        """SQL of the territory id a customer was in on a date, for reports."""
        return SQL(
            """(SELECT h.territory_id FROM sfa_territory_history h
                 WHERE h.partner_id = %(partner)s AND h.date_from <= %(date)s
                   AND (h.date_to IS NULL OR h.date_to > %(date)s)
                 ORDER BY h.date_from DESC LIMIT 1)""",
            partner=partner_alias,
            date=date_sql,
        )

    @api.model
    def _territory_at(self, partner_ids, date):
        """Map partner id -> territory id on ``date`` (one query)."""
        rows = self.env.execute_query(
            SQL(
                """SELECT DISTINCT ON (partner_id) partner_id, territory_id
                     FROM sfa_territory_history
                    WHERE partner_id IN %(ids)s AND date_from <= %(date)s
                      AND (date_to IS NULL OR date_to > %(date)s)
                    ORDER BY partner_id, date_from DESC""",
                ids=tuple(partner_ids) or (None,),
                date=date,
            )
        )
        return dict(rows)
