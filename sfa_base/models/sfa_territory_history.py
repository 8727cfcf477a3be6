from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

REASONS = [
    ("rule", "Assignment Rule"),
    ("manual", "By Hand"),
    ("realignment", "Realignment"),
    ("handover", "Hand-over"),
]


class SfaCustomerStay(models.AbstractModel):
    """A customer's stays in a classification (territory, category): one row
    per stay, ``date_from`` included and ``date_to`` excluded, the current
    stay open. Facts and reports of a past period read the stay of their day.
    """

    _name = "sfa.customer.stay"
    _description = "Customer Stay"
    _sfa_system_records = True
    _order = "partner_id, date_from desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    date_from = fields.Date(required=True, default=fields.Date.context_today)
    date_to = fields.Date()
    changed_by_id = fields.Many2one("res.users", default=lambda self: self.env.user)

    _dates_ordered = models.Constraint(
        "CHECK (date_to IS NULL OR date_to >= date_from)",
        "A stay cannot end before it starts.",
    )

    @api.model
    def _sfa_close_stays(self, partner_ids, date):
        """End the stays of ``partner_ids`` open on ``date`` (one date, or a
        date per partner id) and drop those
        recorded after it; return the date each new stay starts on: no stay
        starts before a customer's first one (a customer created after a
        back-dated move moves from its creation), and a same-day correction
        replaces the stay of that day instead of leaving a zero-length one."""
        dates = (
            {pid: fields.Date.to_date(day) for pid, day in date.items()}
            if isinstance(date, dict)
            else dict.fromkeys(partner_ids, fields.Date.to_date(date))
        )
        self.flush_model()
        table = SQL.identifier(self._table)
        first = dict(
            self.env.execute_query(
                SQL(
                    "SELECT partner_id, MIN(date_from) FROM %s"
                    " WHERE partner_id IN %s GROUP BY partner_id",
                    table,
                    tuple(partner_ids),
                )
            )
        )
        effective = {
            pid: max(dates[pid], first.get(pid, dates[pid])) for pid in partner_ids
        }
        moves = SQL(
            "unnest(%s::int[], %s::date[]) AS v(partner_id, date)",
            list(effective),
            list(effective.values()),
        )
        self.env.execute_query(
            SQL(
                "DELETE FROM %s h USING %s"
                " WHERE h.partner_id = v.partner_id AND h.date_from >= v.date",
                table,
                moves,
            )
        )
        self.env.execute_query(
            SQL(
                "UPDATE %s h SET date_to = v.date FROM %s"
                " WHERE h.partner_id = v.partner_id"
                " AND (h.date_to IS NULL OR h.date_to > v.date)",
                table,
                moves,
            )
        )
        self.invalidate_model()
        return effective

    @api.model
    def _sfa_record_stays(self, column, partners_by_value, date, extra=None):
        """Close the open stays of the given customers and open new ones:
        ``partners_by_value`` maps a value of ``column`` (or False) to
        partner ids; ``extra(partner_id)`` gives more values of a new stay."""
        partner_ids = [pid for ids in partners_by_value.values() for pid in ids]
        if not partner_ids:
            return self.browse()
        effective = self._sfa_close_stays(partner_ids, date)
        companies = dict(
            self.env["res.partner"]
            .sudo()
            .browse(partner_ids)
            .mapped(lambda p: (p.id, p.company_id.id or self.env.company.id))
        )
        return self.sudo().create(
            [  # sudo: history is written by the system on behalf of the change
                {
                    "partner_id": pid,
                    column: value or False,
                    "company_id": companies[pid],
                    "date_from": effective[pid],
                    **(extra(pid) if extra else {}),
                }
                for value, ids in partners_by_value.items()
                for pid in ids
            ]
        )

    @api.model
    def _sfa_stay_on_sql(self, column, partner, date):
        """A LATERAL subquery giving ``found`` and ``column`` of a customer's
        stay on a date: the earliest stay not ended by it (before its first
        stay, the first one; after no stay at all, nothing found)."""
        return SQL(
            """SELECT TRUE AS found, h.%(column)s
                 FROM %(table)s h
                WHERE h.partner_id = %(partner)s
                  AND (h.date_to IS NULL OR h.date_to > %(date)s)
                ORDER BY h.date_from, h.id LIMIT 1""",
            column=SQL.identifier(column),
            table=SQL.identifier(self._table),
            partner=partner,
            date=date,
        )


class SfaTerritoryHistory(models.Model):
    """Effective-dated territory of a customer.

    One row per stay of a customer in a territory, ``date_from`` included and
    ``date_to`` excluded; the current stay has no ``date_to`` and there is at
    most one such row per customer (enforced by a unique index). Reports of a
    past period join on this table to attribute customers and deals to the
    territory they were in at the time.
    """

    _name = "sfa.territory.history"
    _inherit = "sfa.customer.stay"
    _description = "Customer Territory History"

    territory_id = fields.Many2one(
        "sfa.territory",
        ondelete="restrict",
        index=True,
        help="Empty when the customer had no territory during that stay.",
    )
    reason = fields.Selection(REASONS, required=True, default="manual")
    rule_id = fields.Many2one("sfa.territory.rule", ondelete="set null")

    _one_open_stay = models.UniqueIndex(
        "(partner_id) WHERE date_to IS NULL",
        "A customer can only be in one territory at a time.",
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
        rule_by_partner = rule_by_partner or {}
        self._sfa_record_stays(
            "territory_id",
            partners_by_territory,
            date,
            lambda pid: {"reason": reason, "rule_id": rule_by_partner.get(pid, False)},
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


class SfaCategoryHistory(models.Model):
    """Effective-dated category of a customer, kept like its territory: facts
    carry the category the customer had on their day, so a customer promoted
    to key account in June leaves the first half of the year where it was."""

    _name = "sfa.category.history"
    _inherit = "sfa.customer.stay"
    _description = "Customer Category History"

    category_id = fields.Many2one(
        "sfa.customer.category",
        ondelete="restrict",
        index=True,
        help="Empty when the customer had no category during that stay.",
    )

    _one_open_stay = models.UniqueIndex(
        "(partner_id) WHERE date_to IS NULL",
        "A customer can only be in one category at a time.",
    )

    @api.model
    def _record_changes(self, partners, old_category):
        """Record today's category of the commercial ``partners``; a customer
        whose category is recorded for the first time keeps the one it had
        (``old_category``: partner id -> category id) from its creation."""
        if not partners:
            return
        today = fields.Date.context_today(self)
        known = {
            partner_id
            for [partner_id] in self.env.execute_query(
                SQL(
                    "SELECT DISTINCT partner_id FROM sfa_category_history"
                    " WHERE partner_id IN %s",
                    tuple(partners.ids),
                )
            )
        }
        first, created_on = defaultdict(list), {}
        for partner in partners:
            created = partner.create_date and partner.create_date.date()
            if partner.id not in known and created and created < today:
                first[old_category.get(partner.id) or False].append(partner.id)
                created_on[partner.id] = created
        # one set of statements for all of them, each from its creation day
        self._sfa_record_stays("category_id", first, created_on)
        by_category = defaultdict(list)
        for partner in partners:
            by_category[partner.sfa_category_id.id].append(partner.id)
        self._sfa_record_stays("category_id", by_category, today)
