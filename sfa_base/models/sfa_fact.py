import logging
import random
import time
from contextlib import nullcontext
from dataclasses import dataclass, field

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.service.model import (
    MAX_TRIES_ON_CONCURRENCY_FAILURE,
    PG_CONCURRENCY_EXCEPTIONS_TO_RETRY,
)
from odoo.tools import SQL
from odoo.tools.misc import format_date

from ..tools import foreign_keys_checked_once

_logger = logging.getLogger(__name__)

# Key of the pending refreshes in the transaction's precommit data.
PENDING = "sfa.fact"
PENDING_PATHS = "sfa.fact.paths"
# what the current _read_group makes alike (see SfaFact._read_group)
ALIKE = "sfa.fact.alike"
# A refresh may mark more facts (the flush before it, the last contacts
# after it): rounds before the transaction fails instead of dropping them.
SYNC_ROUNDS = 10
# Set while refreshes are applied: a read of facts inside does not start more.
SYNCING = "sfa.fact.syncing"
# Ids of the records created in the transaction, by model.
CREATED = "sfa.fact.created"
# The marks a member of the sales force made ({(metric, key): {id: uid}},
# {path key: {id: uid}}): the facts they move are checked (``_sfa_check``).
WATCHED = "sfa.fact.watched"
WATCHED_PATHS = "sfa.fact.paths.watched"
# What a member of the sales force may not move: the day, the owner, the
# customer, the company and the figures of a fact.
CHECKED = (
    "date",
    "user_id",
    "partner_id",
    "company_id",
    "currency_id",
    "amount_currency",
    "amount",
    "quantity",
)
UNITS = [
    ("amount", "Amount"),
    ("count", "Count"),
    ("days", "Days"),
    ("minutes", "Minutes"),
    ("points", "Points"),
]
# What a declaration may give, and the SQL type of each column.
COLUMNS = {
    "res_id": "int",
    "moment": "timestamp",
    "day": "date",
    "company_id": "int",
    "user_id": "int",
    "team_id": "int",
    "partner_id": "int",
    "lead_id": "int",
    "product_id": "int",
    "currency_id": "int",
    "amount_currency": "numeric",
    "amount": "numeric",
    "quantity": "numeric",
}
# The fields of a deal whose change moves its won facts (the customer, owner,
# team, company, stage, outcome and day): the metrics of won deals share them.
WON_DEAL_FIELDS = (
    "type",
    "stage_id",
    "won_status",
    "active",
    "date_closed",
    "company_id",
    "team_id",
    "user_id",
    "partner_id",
)
# Columns of the fact table a refresh can be narrowed to.
# ``rate_currency_id``: the facts a rate of these currencies converts (those
# in a foreign currency that is one of them, or whose company's currency is).
RATE_KEY = "rate_currency_id"
KEYS = (
    "res_id",
    "partner_id",
    "user_id",
    "lead_id",
    "currency_id",
    "company_id",
    RATE_KEY,
)
# The company of a fact whose document has none: the first one.
MAIN_COMPANY = "(SELECT MIN(id) FROM res_company)"
# Columns a refresh writes (besides metric, res_model and res_id).
WRITTEN = (
    "date",
    "company_id",
    "currency_id",
    "amount_currency",
    "amount",
    "quantity",
    "user_id",
    "team_id",
    "partner_id",
    "territory_id",
    "category_id",
    "lead_id",
)


def won_leads(leads):
    """The deals of ``leads`` that are won: those created won (an import)
    may give the facts of won deals at once."""
    return leads.filtered(lambda lead: lead.won_status == "won")


def closed_leads(leads):
    """The deals of ``leads`` that are won or lost."""
    return leads.filtered(lambda lead: lead.won_status != "pending")


@dataclass(frozen=True)
class FactSource:
    """How one metric's facts are read from the documents that make them.

    ``columns`` names the SQL expression of each column over ``tables`` (a
    ``FROM ... WHERE ...``): ``res_id`` (the document), ``company_id`` and
    either ``moment`` (a UTC timestamp: the fact is dated on the
    salesperson's day, else the company's) or ``day`` (already a calendar
    day); optionally ``user_id``, ``team_id``, ``partner_id`` (the customer,
    its commercial entity), ``lead_id``, ``product_id``, ``quantity``
    (default 1), and ``amount`` in the company's currency or
    ``amount_currency`` with ``currency_id`` (converted at the rate of the
    fact's day). ``sfa_clock.now`` is the moment of the refresh (UTC), for
    facts that depend on time passing. The fact layer adds the day, the
    conversion, and the customer's territory and category on that day:
    those rules are written once, in ``sfa.fact``.

    ``depends`` are the fields of ``model`` whose change changes the facts
    (empty: any field); ``triggers`` are other changes, as
    ``(model, fields, key, path)``: a change of those fields on records of
    that model refreshes the facts whose ``key`` column holds the records'
    ``path`` values. ``contact`` is the contact channel the facts are (a
    company chooses which count), ``purchase`` says the customer bought.
    ``created_if`` picks, among records of ``model`` just created, those
    that may give facts already (default: all): the others cost no refresh
    (a note, a tracking message, a new partner, an open deal), their facts
    come with a later change (a write of ``depends``, a trigger). A trigger
    may end with its own such function, for the records of its model.
    """

    metric: str
    label: str
    model: str
    columns: dict
    tables: SQL
    unit: str = "amount"
    depends: tuple = ()
    triggers: tuple = ()
    contact: str = ""
    purchase: bool = False
    target: bool = True
    owned_by_system: bool = False
    sequence: int = 100
    created_if: object = None
    extra: dict = field(default_factory=dict)

    @property
    def measure(self):
        """The column that sums the metric."""
        return "amount" if self.unit == "amount" else "quantity"


class SfaFact(models.Model):
    """One sales fact: a won deal, an order line, an invoice line, a done
    action, an e-mail or a meeting with a customer, a credit...

    Every figure of the SFA modules — target actuals, KPIs, scorecards,
    customer value, the dashboards, the alerts, lifecycle and last contact —
    is a sum of these rows, read with ``_read_group``: a figure is counted
    once, dated once (the salesperson's local day) and converted once (the
    company's currency at the rate of that day), whatever screen shows it.

    Each module declares its metrics in ``_sfa_fact_sources`` (one
    ``FactSource`` per metric, named SQL columns); a new metric is one
    declaration. The table is kept by set-based refreshes: a change of a
    source document marks its facts, and the marks are applied in a few
    grouped statements before anyone reads facts and before commit.
    A nightly rebuild catches what changed behind the ORM's back.
    """

    _name = "sfa.fact"
    _description = "Sales Fact"
    _inherit = ["sfa.visibility.mixin"]
    _sfa_system_records = True
    _sfa_territory_field = "territory_id"
    _order = "date desc, id desc"
    _rec_name = "metric"
    _log_access = False

    metric = fields.Selection(selection="_selection_metric", required=True, index=True)
    date = fields.Date(required=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one("res.currency")
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount_currency = fields.Monetary(
        "Amount in Currency", currency_field="currency_id"
    )
    amount = fields.Monetary(currency_field="company_currency_id")
    quantity = fields.Float(digits=(16, 2))
    user_id = fields.Many2one("res.users", "Salesperson", index=True)
    team_id = fields.Many2one("crm.team", "Sales Team", index=True)
    partner_id = fields.Many2one("res.partner", "Customer", index=True)
    territory_id = fields.Many2one("sfa.territory", index=True)
    category_id = fields.Many2one("sfa.customer.category", "Customer Category")
    lead_id = fields.Many2one("crm.lead", "Opportunity", index="btree_not_null")
    res_model = fields.Char("Source Model", required=True)
    res_id = fields.Many2oneReference("Source Document", model_field="res_model")

    sfa_team_owned = fields.Boolean(
        "Mine or My Team's",
        compute="_compute_sfa_team_owned",
        search="_search_sfa_team_owned",
        help="The salesperson is the current user or someone below them.",
    )

    _one_per_source = models.UniqueIndex(
        "(metric, res_id, COALESCE(partner_id, 0), company_id)",
        "A document gives a metric one fact per customer and company.",
    )
    _metric_date = models.Index("(metric, date, company_id)")

    @api.depends_context("uid")
    def _compute_sfa_team_owned(self):
        owners = self.env["res.partner"]._sfa_team_owner_ids()
        for fact in self:
            fact.sfa_team_owned = fact.user_id.id in owners

    def _search_sfa_team_owned(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = Domain("user_id", "in", self.env["res.partner"]._sfa_team_owner_ids())
        return domain if (operator == "in") == any(value) else ~domain

    def action_open_source(self):
        """The document this fact comes from, as the user may open it."""
        self.ensure_one()
        self.check_access("read")
        source = self.env[self.res_model].browse(self.res_id).exists()
        if not source:
            raise UserError(self.env._("The document of this fact no longer exists."))
        source.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": source._name,
            "res_id": source.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        """What the grouping or the domain already makes alike needs no check
        in each group (``_read_group_select``): one metric, or grouped by
        metric; grouped by company (one currency a group). Known before the
        query, at no query's cost; kept on the cursor for this call only, out
        of any client's reach."""
        groupby = tuple(groupby)
        alike = set()
        metrics = _domain_metrics(domain)
        if "metric" in groupby or (metrics is not None and len(metrics) <= 1):
            alike.add("metric")
        if "company_id" in groupby:
            alike.add("company_id")
        if "currency_id" in groupby:
            alike.add("currency_id")
        cache = self.env.cr.cache
        before = cache.get(ALIKE)
        cache[ALIKE] = alike
        try:
            return super()._read_group(
                domain, groupby, aggregates, having, offset, limit, order
            )
        finally:
            cache[ALIKE] = before

    def _read_group_select(self, aggregate_spec, query):
        """Totals never add unlike things: a sum over several metrics (won
        revenue and action costs), or amounts of several companies (and so
        currencies), is not given."""
        fname, __, func = aggregate_spec.partition(":")
        if func == "sum" and fname in ("amount", "quantity", "amount_currency"):
            same = ["metric"]
            if fname == "amount":
                same.append("company_id")
            elif fname == "amount_currency":
                same.append("currency_id")
            alike = self.env.cr.cache.get(ALIKE) or set()
            checked = [
                self._field_to_sql(self._table, name, query)
                for name in same
                if name not in alike
            ]
            if not checked:
                return super()._read_group_select(aggregate_spec, query)
            condition = SQL(" AND ").join(
                SQL("MIN(%s) = MAX(%s)", column, column) for column in checked
            )
            return SQL(
                "CASE WHEN %s THEN %s END",
                condition,
                super()._read_group_select(aggregate_spec, query),
            )
        return super()._read_group_select(aggregate_spec, query)

    # ------------------------------------------------------------------
    # Declarations
    # ------------------------------------------------------------------

    @api.model
    def _sfa_fact_sources(self):
        """{metric: FactSource} of the installed modules (extend it)."""
        _ = self.env._
        won = SQL(
            """
              FROM crm_lead l
              LEFT JOIN res_partner p ON p.id = l.partner_id
              LEFT JOIN crm_team tm ON tm.id = l.team_id
              LEFT JOIN res_users u ON u.id = l.user_id
             WHERE l.type = 'opportunity' AND l.won_status = 'won'
               AND l.date_closed IS NOT NULL
            """
        )
        won_columns = {
            "res_id": "l.id",
            "lead_id": "l.id",
            "moment": "l.date_closed",
            # a deal without a company is its team's, then its salesperson's
            "company_id": "COALESCE(l.company_id, tm.company_id, u.company_id)",
            "user_id": "l.user_id",
            "team_id": "l.team_id",
            "partner_id": "COALESCE(p.commercial_partner_id, l.partner_id)",
        }
        lead_fields = (
            *WON_DEAL_FIELDS,
            "probability",
            "expected_revenue",
            "create_date",
        )
        activity_on = SQL(
            """
              FROM mail_activity a
              LEFT JOIN crm_lead l ON a.res_model = 'crm.lead' AND l.id = a.res_id
              JOIN res_partner p
                ON p.id = CASE WHEN a.res_model = 'res.partner' THEN a.res_id
                               ELSE l.partner_id END
              JOIN res_partner cp ON cp.id = p.commercial_partner_id
              LEFT JOIN res_users u ON u.id = a.user_id
             WHERE NOT a.active AND a.date_done IS NOT NULL
               AND a.res_model IN ('res.partner', 'crm.lead')
               AND cp.sfa_is_customer AND %s
            """,
            self._sfa_activity_filter_sql(),
        )
        return {
            "won_revenue": FactSource(
                "won_revenue",
                _("Won Revenue"),
                "crm.lead",
                dict(won_columns, amount="COALESCE(l.expected_revenue, 0)"),
                won,
                depends=lead_fields,
                sequence=10,
                created_if=won_leads,
            ),
            "won_deals": FactSource(
                "won_deals",
                _("Won Deals"),
                "crm.lead",
                won_columns,
                won,
                unit="count",
                depends=lead_fields,
                purchase=True,
                sequence=20,
                created_if=won_leads,
            ),
            "won_cycle_days": FactSource(
                "won_cycle_days",
                _("Sales Cycle (days)"),
                "crm.lead",
                dict(
                    won_columns,
                    quantity="EXTRACT(EPOCH FROM l.date_closed - l.create_date)"
                    " / 86400.0",
                ),
                won,
                unit="days",
                depends=lead_fields,
                target=False,
                sequence=25,
                created_if=won_leads,
            ),
            "contact_activities": FactSource(
                "contact_activities",
                _("Done Activities"),
                "mail.activity",
                {
                    "res_id": "a.id",
                    "day": "a.date_done",
                    "company_id": "COALESCE(l.company_id, cp.company_id, u.company_id,"
                    f" {MAIN_COMPANY})",
                    "user_id": "a.user_id",
                    "team_id": "l.team_id",
                    "partner_id": "cp.id",
                    "lead_id": "l.id",
                },
                activity_on,
                unit="count",
                depends=("active", "date_done", "res_model", "res_id", "user_id"),
                contact="activity",
                sequence=60,
            ),
            # An e-mail or a message is a contact as the server saw it, never
            # as the client says: written by the user who created it (an
            # author given by the client is not counted), on the day it was
            # created; written by the customer only when it came in through
            # Odoo's mail gateway (sfa_inbound), on the day it arrived. The
            # system's own messages (data files, scheduled jobs) keep their
            # author and date.
            "contact_emails": FactSource(
                "contact_emails",
                _("E-mails Exchanged"),
                "mail.message",
                {
                    "res_id": "m.id",
                    "moment": "CASE WHEN m.sfa_inbound OR NOT sys.is_system"
                    " THEN m.create_date ELSE m.date END",
                    "company_id": "COALESCE(l.company_id, cp.company_id,"
                    f" au.company_id, ou.company_id, {MAIN_COMPANY})",
                    # who wrote it, or whose customer wrote in
                    "user_id": "CASE WHEN m.sfa_inbound OR sys.is_system"
                    " THEN COALESCE(au.id, ou.id) ELSE au.id END",
                    "team_id": "l.team_id",
                    "partner_id": "cp.id",
                    "lead_id": "l.id",
                },
                SQL(
                    """
                      FROM mail_message m
                      LEFT JOIN crm_lead l
                        ON m.model = 'crm.lead' AND l.id = m.res_id
                      JOIN res_partner p
                        ON p.id = CASE WHEN m.model = 'res.partner' THEN m.res_id
                                       ELSE l.partner_id END
                      JOIN res_partner cp ON cp.id = p.commercial_partner_id
                      LEFT JOIN mail_message_subtype st ON st.id = m.subtype_id
                      LEFT JOIN LATERAL (
                          SELECT au.id, au.company_id FROM res_users au
                           WHERE au.partner_id = m.author_id AND NOT au.share
                           ORDER BY au.id LIMIT 1) au ON TRUE
                      LEFT JOIN res_users ou
                        ON ou.id = COALESCE(l.user_id, cp.user_id)
                      CROSS JOIN LATERAL (
                          SELECT COALESCE(m.create_uid, %s) = %s AS is_system) sys
                     WHERE m.model IN ('res.partner', 'crm.lead')
                       AND cp.sfa_is_customer
                       AND (m.message_type IN ('email', 'email_outgoing')
                            OR (m.message_type = 'comment'
                                AND NOT COALESCE(st.internal, FALSE)
                                AND au.id IS NOT NULL))
                       AND (m.sfa_inbound OR sys.is_system
                            OR au.id = m.create_uid)
                    """,
                    SUPERUSER_ID,
                    SUPERUSER_ID,
                ),
                unit="count",
                depends=(
                    "model",
                    "res_id",
                    "message_type",
                    "subtype_id",
                    "date",
                    "author_id",
                    "sfa_inbound",
                ),
                contact="email",
                sequence=61,
                # a note, a log, a tracking message is no contact: posting
                # one costs no refresh
                created_if=lambda messages: messages.filtered(
                    lambda m: (
                        m.model in ("res.partner", "crm.lead")
                        and (
                            m.message_type in ("email", "email_outgoing")
                            or (
                                m.message_type == "comment"
                                and not m.subtype_id.internal
                            )
                        )
                    )
                ),
            ),
            "contact_meetings": FactSource(
                "contact_meetings",
                _("Meetings Held"),
                "calendar.event",
                {
                    "res_id": "e.id",
                    "moment": "e.start",
                    "company_id": "COALESCE(l.company_id, cp.company_id, u.company_id,"
                    f" {MAIN_COMPANY})",
                    "user_id": "e.user_id",
                    "team_id": "l.team_id",
                    "partner_id": "cp.id",
                    "lead_id": "l.id",
                },
                self._sfa_meetings_sql(),
                unit="count",
                depends=(
                    "start",
                    "stop",
                    "active",
                    "user_id",
                    "partner_ids",
                    "opportunity_id",
                ),
                contact="meeting",
                sequence=62,
            ),
        }

    @api.model
    def _sfa_meetings_sql(self):
        """Meetings that took place with a customer (or one of its contacts)
        among the attendees: one fact per meeting and customer."""
        return SQL(
            """
              FROM calendar_event e
              JOIN calendar_event_res_partner_rel r ON r.calendar_event_id = e.id
              JOIN res_partner p ON p.id = r.res_partner_id
              JOIN res_partner cp ON cp.id = p.commercial_partner_id
              LEFT JOIN crm_lead l ON l.id = e.opportunity_id
              LEFT JOIN res_users u ON u.id = e.user_id
             WHERE e.active AND e.stop <= (SELECT now FROM sfa_clock)
               AND cp.sfa_is_customer AND %s
            GROUP BY e.id, cp.id, l.id, u.id
            """,
            self._sfa_meeting_filter_sql(),
        )

    @api.model
    def _sfa_activity_filter_sql(self):
        """Hook: which done activities count (another module's record of the
        same contact is not counted twice)."""
        return SQL("TRUE")

    @api.model
    def _sfa_meeting_filter_sql(self):
        """Hook: which meetings count."""
        return SQL("TRUE")

    @api.model
    def _sfa_sources(self):
        """The declarations, in display order (cached per registry)."""
        cls = type(self)
        # while modules load, the same class gains declarations: the cache
        # holds for the class's bases of the moment
        bases, sources = cls.__dict__.get("_sfa_sources_cache", (None, None))
        if bases != cls.__bases__:
            sources = dict(
                sorted(
                    self.sudo().with_context(lang="en_US")._sfa_fact_sources().items(),
                    key=lambda item: (item[1].sequence, item[0]),
                )
            )
            cls._sfa_sources_cache = (cls.__bases__, sources)
        return sources

    @api.model
    def _sfa_forget_sources(self):
        """Forget the cached declarations (tests that declare a metric)."""
        type(self)._sfa_sources_cache = (None, None)

    @api.model
    def _sfa_layer_triggers(self):
        """What the layer adds to every fact, and the changes that move it,
        as (model, fields, key, path, on create): the customer's territory
        (a new stay moves facts) and category, the salesperson's time zone,
        the currency rates (a rate converts again the facts in a foreign
        currency that it rates, and those of the companies whose currency it
        rates). A new user or customer has no facts yet."""
        return [
            ("sfa.territory.history", (), "partner_id", "partner_id", True),
            ("sfa.category.history", (), "partner_id", "partner_id", True),
            (
                "res.partner",
                ("sfa_territory_id", "sfa_category_id"),
                "partner_id",
                "commercial_partner_id",
                False,
            ),
            # a customer that becomes a contact of another (or a contact that
            # becomes a customer), an internal user: its facts and those of
            # its old and new commercial entity move
            (
                "res.partner",
                ("parent_id", "is_company", "sfa_is_customer", "commercial_partner_id"),
                "partner_id",
                "id",
                False,
            ),
            (
                "res.partner",
                ("parent_id",),
                "partner_id",
                "parent_id.commercial_partner_id",
                False,
            ),
            (
                "res.partner",
                ("commercial_partner_id",),
                "partner_id",
                "commercial_partner_id",
                False,
            ),
            ("res.users", ("tz",), "user_id", "id", False),
            ("res.partner", ("tz",), "user_id", "user_ids", False),
            (
                "res.currency.rate",
                ("rate", "name", "currency_id", "company_id"),
                RATE_KEY,
                "currency_id",
                True,
            ),
        ]

    @api.model
    def _selection_metric(self):
        labels = self._sfa_fact_sources()
        return [(code, labels[code].label) for code in self._sfa_sources()]

    @api.model
    def _sfa_source(self, metric):
        """The declaration of ``metric``, or a clear error when no installed
        module measures it (e.g. after the module that did was removed)."""
        source = self._sfa_sources().get(metric)
        if source is None:
            raise UserError(
                self.env._("No installed module measures the metric %s.", metric or "?")
            )
        return source

    @api.model
    def _sfa_unit(self, metric):
        return self._sfa_source(metric).unit

    @api.model
    def _sfa_target_metrics(self):
        """[(code, label)] of the metrics a target can be set on."""
        labels = self._sfa_fact_sources()
        return [
            (code, labels[code].label)
            for code, source in self._sfa_sources().items()
            if source.target
        ]

    @api.model
    def _sfa_contact_metrics(self, company):
        """The metrics that count as a contact with a customer in ``company``
        (the channels it chose)."""
        return [
            code
            for code, source in self._sfa_sources().items()
            if source.contact and company[f"sfa_contact_{source.contact}"]
        ]

    @api.model
    def _sfa_purchase_metrics(self):
        return [code for code, source in self._sfa_sources().items() if source.purchase]

    # ------------------------------------------------------------------
    # Visibility
    # ------------------------------------------------------------------

    @api.model
    def _sfa_unowned_domain(self):
        """A fact without a salesperson is read through its customer's
        territory only, never by everyone."""
        return Domain.FALSE

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------

    @api.model
    def _search(
        self,
        domain,
        offset=0,
        limit=None,
        order=None,
        *,
        active_test=True,
        bypass_access=False,
    ):
        # what the transaction changed is in the facts before anyone reads
        # them: the metrics the domain reads, or all
        self._sfa_sync(_domain_metrics(domain))
        return super()._search(
            domain,
            offset=offset,
            limit=limit,
            order=order,
            active_test=active_test,
            bypass_access=bypass_access,
        )

    @api.model
    def _sfa_sums(self, domain, groupby, metrics):
        """{(group values..., metric): sum of the metric's measure} of the
        facts of ``domain``, one ``_read_group`` for all ``metrics``."""
        sources = {metric: self._sfa_source(metric) for metric in metrics}
        result = {}
        for *groups, metric, amount, quantity in self._read_group(
            Domain(domain) & Domain("metric", "in", list(sources)),
            [*groupby, "metric"],
            ["amount:sum", "quantity:sum"],
        ):
            measure = sources[metric].measure
            result[(*groups, metric)] = amount if measure == "amount" else quantity
        return result

    # ------------------------------------------------------------------
    # Refreshing
    # ------------------------------------------------------------------

    @api.model
    def _sfa_mark(self, metrics, key, ids, actor=False):
        """Refresh the facts of ``metrics`` whose ``key`` column is in ``ids``
        before the next read of facts, and before commit. ``actor``: who made
        the change and when (default: the current user, now; None: the
        system), whose marks are checked (``_sfa_check``)."""
        if key not in KEYS:
            raise ValueError(f"facts are not refreshed by {key}")
        precommit = self.env.cr.precommit
        if PENDING not in precommit.data:
            precommit.add(self.env["sfa.fact"]._sfa_sync_all)
        pending = precommit.data.setdefault(PENDING, {})
        ids = {i for i in ids if i}
        if not ids or not metrics:
            return
        if actor is False:
            actor = self._sfa_actor()
        watched = precommit.data.setdefault(WATCHED, {}) if actor else None
        for metric in metrics:
            pending.setdefault((metric, key), set()).update(ids)
            if actor:
                marks = watched.setdefault((metric, key), {})
                for i in ids:
                    marks.setdefault(i, actor)

    @api.model
    def _sfa_actor(self):
        """(user id, minute) of the change being made, whose marks are
        checked when they are applied: whether the user is bound by the
        check (a member of the sales force below director) is read then, so
        that marking costs no query. The system is not checked."""
        if self.env.uid == SUPERUSER_ID or self.env.cr.precommit.data.get(SYNCING):
            # what a refresh derives in turn (the credit of a won deal) is
            # the system's, whoever's read of facts ran it
            return None
        # the months closed when the change is made
        return (self.env.uid, fields.Datetime.now().replace(second=0, microsecond=0))

    @api.model
    def _sfa_sync_all(self):
        """Before commit: every pending refresh, until none is left. A
        refresh that fails (a refused change) fails the transaction: what was
        pending goes with it, and the next mark starts afresh."""
        try:
            self._sfa_sync()
        finally:
            data = self.env.cr.precommit.data
            for name in (PENDING, PENDING_PATHS, WATCHED, WATCHED_PATHS):
                data.pop(name, None)

    @api.model
    def _sfa_mark_path(self, model, path, metrics, key, ids):
        """Like ``_sfa_mark`` for the keys at ``path`` of records of
        ``model``: read when the marks are applied."""
        if not ids:
            return
        data = self.env.cr.precommit.data
        path_key = (model, path, tuple(metrics), key)
        data.setdefault(PENDING_PATHS, {}).setdefault(path_key, set()).update(ids)
        if actor := self._sfa_actor():
            marks = data.setdefault(WATCHED_PATHS, {}).setdefault(path_key, {})
            for i in ids:
                marks.setdefault(i, actor)
        self._sfa_mark(metrics, key, ())

    @api.model
    def _sfa_sync(self, metrics=None):
        """Apply the pending refreshes (of ``metrics``, default all): one
        statement per metric and key, in rounds until none is left (a
        refresh may mark more: the last contacts it moves...). Refreshes
        that keep marking more fail the transaction with a clear error:
        nothing is dropped. A read of facts during a refresh (a computed
        field the flush recomputes) reads them as they are."""
        data = self.env.cr.precommit.data
        if data.get(SYNCING):
            return
        data[SYNCING] = True
        try:
            for _round in range(SYNC_ROUNDS):
                if not self._sfa_sync_round(metrics):
                    # what the refreshes changed is computed now (a
                    # customer's lifecycle), before the commit's other
                    # hooks read it: Odoo's tracking would otherwise post
                    # the change a second time, from the stale value
                    self.env.flush_all()
                    if not self._sfa_pending(metrics):
                        return
        finally:
            data.pop(SYNCING, None)
        pending = sorted(
            {
                item[0]
                for item in data.get(PENDING) or ()
                if metrics is None or item[0] in metrics
            }
        )
        raise UserError(
            self.env._(
                "The sales facts could not be finished: the refreshes of %(metrics)s "
                "kept marking more after %(rounds)s rounds. Nothing was saved.",
                metrics=", ".join(pending) or "?",
                rounds=SYNC_ROUNDS,
            )
        )

    @api.model
    def _sfa_pending(self, metrics):
        """Whether refreshes of ``metrics`` (default all) are pending."""
        data = self.env.cr.precommit.data
        return any(
            metrics is None or set(item[2]) & metrics
            for item in data.get(PENDING_PATHS) or ()
        ) or any(
            metrics is None or item[0] in metrics for item in data.get(PENDING) or ()
        )

    @api.model
    def _sfa_sync_round(self, metrics):
        """One round of ``_sfa_sync``: returns whether it refreshed anything.
        The flush comes first: the stored computed fields it writes (a
        deal's team after its salesperson changed) mark their facts into
        this round, not the next one."""
        if not self._sfa_pending(metrics):
            return False
        self.env.flush_all()
        data = self.env.cr.precommit.data
        paths = data.get(PENDING_PATHS)
        watched_paths = data.get(WATCHED_PATHS) or {}
        for path_key in list(paths or ()):
            model, path, path_metrics, key = path_key
            if metrics is None or set(path_metrics) & metrics:
                ids = paths.pop(path_key)
                actors = watched_paths.pop(path_key, {})
                # sudo: the keys of facts only, never shown
                Model = self.env[model].sudo()
                for actor in set(actors.values()):
                    records = Model.browse(
                        [i for i in ids if actors.get(i) == actor]
                    ).exists()
                    self._sfa_mark(path_metrics, key, records.mapped(path).ids, actor)
                records = Model.browse([i for i in ids if i not in actors]).exists()
                self._sfa_mark(path_metrics, key, records.mapped(path).ids, None)
        pending = data.get(PENDING)
        todo = sorted(
            item for item in (pending or ()) if metrics is None or item[0] in metrics
        )
        if not todo:
            return False
        batch = {item: pending.pop(item) for item in todo}
        watched = data.get(WATCHED) or {}
        batch_watched = {item: watched.pop(item, {}) for item in todo}
        self.env.flush_all()  # what reading the paths recomputed
        sources = self._sfa_sources()
        touched = {}
        for (metric, key), ids in batch.items():
            if metric in sources:
                if marks := batch_watched[metric, key]:
                    self._sfa_check(sources[metric], key, marks)
                changed = self._sfa_refresh(sources[metric], key, sorted(ids))
                touched.setdefault(metric, set()).update(changed)
        self.invalidate_model()
        self._sfa_facts_changed(touched)
        return True

    @api.model
    def _sfa_rebuild(self, metrics=None):
        """Rebuild the facts of ``metrics`` (default all) from their
        documents: at install, every night, and on demand. Rows of metrics no
        installed module declares any more are removed."""
        sources = self._sfa_sources()
        self.env.flush_all()
        if metrics is None:
            self.env.execute_query(
                SQL("DELETE FROM sfa_fact WHERE metric != ALL(%s)", list(sources))
            )
        metrics = [metric for metric in metrics or sources if metric in sources]
        touched = {}
        with self._sfa_first_build(metrics):
            for metric in metrics:
                self._sfa_drop_pending(metric)
                start = time.monotonic()
                changed = self._sfa_refresh(sources[metric], None, None)
                touched[metric] = changed
                _logger.info(
                    "sfa.fact: %s rebuilt, %d customers changed, %.2f s",
                    metric,
                    len(changed),
                    time.monotonic() - start,
                )
        if sum(len(changed) for changed in touched.values()) > 1000:
            # many rows written: the statements that follow in this
            # transaction (an install's) plan with their statistics
            self.env.cr.execute("ANALYZE sfa_fact")
        self.invalidate_model()
        self._sfa_facts_changed(touched, bulk=True)

    @api.model
    def _sfa_first_build(self, metrics):
        """The first build of ``metrics``, by the install of their module
        (the registry is loading and no fact of theirs exists yet): the rows
        are all new, their foreign keys are checked once at the end. Else
        (the nightly rebuild, while people work; an upgrade) nothing
        special: the keys are checked row by row, no table is locked."""
        if self.pool.ready or not metrics:
            return nullcontext()
        [[built]] = self.env.execute_query(
            SQL(
                "SELECT EXISTS (SELECT 1 FROM sfa_fact WHERE metric = ANY(%s))",
                metrics,
            )
        )
        if built:
            return nullcontext()
        return foreign_keys_checked_once(self.env.cr, self._table)

    @api.model
    def _sfa_drop_pending(self, metric):
        """The refreshes of ``metric`` pending so far: a rebuild of the metric
        covers them (what they mark is flushed before it), so they are not
        run again after it. Marks its own writes make come after, and stay."""
        data = self.env.cr.precommit.data
        pending = data.get(PENDING) or {}
        watched = data.get(WATCHED) or {}
        for item in [item for item in pending if item[0] == metric]:
            del pending[item]
            watched.pop(item, None)
        paths = data.get(PENDING_PATHS) or {}
        watched_paths = data.get(WATCHED_PATHS) or {}
        for path_key in [key for key in paths if metric in key[2]]:
            model, path, path_metrics, key = path_key
            ids = paths.pop(path_key)
            actors = watched_paths.pop(path_key, {})
            rest = tuple(name for name in path_metrics if name != metric)
            if rest:
                paths.setdefault((model, path, rest, key), set()).update(ids)
                if actors:
                    watched_paths.setdefault((model, path, rest, key), {}).update(
                        actors
                    )

    @api.model
    def _cron_rebuild(self):
        """Nightly, while people may still work: one metric per transaction
        (the locks on its facts are held for that metric only), a metric
        that collides with a user's refresh of the same facts (deadlock,
        serialization failure) is tried again, as Odoo retries a request."""
        Facts = self.sudo()
        Facts._sfa_fill_timezones()
        metrics = list(Facts._sfa_sources())
        Facts.env.execute_query(
            SQL("DELETE FROM sfa_fact WHERE metric != ALL(%s)", metrics)
        )
        Cron = self.env["ir.cron"]
        Cron._commit_progress(remaining=len(metrics))
        for metric in metrics:
            for attempt in range(1, MAX_TRIES_ON_CONCURRENCY_FAILURE + 1):
                try:
                    with self.env.cr.savepoint():
                        Facts._sfa_rebuild([metric])
                    break
                except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as exc:
                    if attempt == MAX_TRIES_ON_CONCURRENCY_FAILURE:
                        raise
                    _logger.info("sfa.fact: %s rebuild tried again: %s", metric, exc)
                    time.sleep(random.uniform(0.5, 1.0) * 2**attempt)
            Cron._commit_progress(1)

    @api.model
    def _cron_meetings_held(self):
        """Hourly: a meeting becomes a contact once it has taken place,
        without anyone touching it. The meetings that ended in the last two
        days are refreshed (one statement)."""
        now = fields.Datetime.now()
        # sudo: the meetings of every user, for their customers' facts
        events = (
            self.env["calendar.event"]
            .sudo()
            .search(
                [
                    ("stop", ">=", fields.Datetime.subtract(now, days=2)),
                    ("stop", "<=", now),
                ]
            )
        )
        self._sfa_mark(["contact_meetings"], "res_id", events.ids)
        self._sfa_sync_all()

    @api.model
    def _sfa_facts_changed(self, touched, bulk=False):
        """Hook: the facts of these customers changed ({metric: partner
        ids}): their last contact follows the contacts, their lifecycle the
        contacts and purchases."""
        sources = self._sfa_sources()
        contacted, bought = set(), set()
        for metric, partner_ids in touched.items():
            if sources[metric].contact:
                contacted |= partner_ids
            if sources[metric].purchase:
                bought |= partner_ids
        Partner = self.env["res.partner"]
        if bulk:
            # a rebuild (the install, an upgrade, the nightly one): set-based
            # and silent, whatever the number of customers
            Partner.sudo().browse(
                sorted(contacted | bought)
            ).exists()._sfa_refresh_in_bulk()
            return
        if contacted:
            Partner.browse(contacted)._sfa_contacts_changed()
        if bought - contacted:
            Partner.browse(bought - contacted)._sfa_purchases_changed()

    @api.model
    def _sfa_source_sql(self, source):
        """The declaration as a query of named columns."""
        unknown = set(source.columns) - set(COLUMNS)
        if unknown or not {"res_id", "company_id"} <= set(source.columns):
            raise ValueError(f"bad columns for fact {source.metric}: {unknown}")
        select = []
        for name, sql_type in COLUMNS.items():
            expression = source.columns.get(name)
            if expression is None:
                expression = "1" if name == "quantity" else "NULL"
            if isinstance(expression, str):
                expression = SQL(expression)  # a declaration's own SQL text
            select.append(
                SQL("(%s)::%s AS %s", expression, SQL(sql_type), SQL.identifier(name))
            )
        return SQL("SELECT %s %s", SQL(", ").join(select), source.tables)

    @api.model
    def _sfa_refresh(self, source, key, ids):
        """Write the facts of ``source`` whose ``key`` is in ``ids`` (all
        when ``key`` is None) from their documents, and remove the ones no
        document gives any more: one statement. Returns the customers whose
        facts changed.

        Raw SQL: the facts are derived rows no user writes (no constraint,
        tracking or compute to run); rebuilding 100,000 won deals through the
        ORM took minutes where this takes seconds (tests/bench/bench_facts.py).
        """
        where, old_where = self._sfa_refresh_scope(key, ids)
        written = (*WRITTEN, *self._sfa_layer_columns())
        values = SQL(", ").join(SQL.identifier(name) for name in written)
        changed = SQL(", ").join(SQL("f.%s", SQL.identifier(name)) for name in written)
        excluded = SQL(", ").join(
            SQL("EXCLUDED.%s", SQL.identifier(name)) for name in written
        )
        rows = self.env.execute_query(
            SQL(
                """
                WITH %(facts)s,
                saved AS (
                    INSERT INTO sfa_fact AS f (metric, res_model, res_id, %(values)s)
                    SELECT %(metric)s, %(model)s, res_id, %(values)s FROM facts
                    ON CONFLICT (metric, res_id, COALESCE(partner_id, 0), company_id)
                    DO UPDATE SET (%(values)s) = (%(excluded)s)
                     WHERE (%(changed)s) IS DISTINCT FROM (%(excluded)s)
                    RETURNING f.partner_id
                ),
                gone AS (
                    DELETE FROM sfa_fact f
                     WHERE f.metric = %(metric)s AND %(old_where)s
                       AND NOT EXISTS (
                           SELECT 1 FROM facts
                            WHERE facts.res_id = f.res_id
                              AND COALESCE(facts.partner_id, 0)
                                  = COALESCE(f.partner_id, 0)
                              AND facts.company_id = f.company_id)
                    RETURNING f.partner_id
                )
                SELECT DISTINCT partner_id FROM saved WHERE partner_id IS NOT NULL
                 UNION
                SELECT DISTINCT partner_id FROM gone WHERE partner_id IS NOT NULL
                """,
                facts=self._sfa_facts_sql(source, where),
                old_where=old_where,
                values=values,
                changed=changed,
                excluded=excluded,
                metric=source.metric,
                model=source.model,
            )
        )
        return {partner_id for (partner_id,) in rows}

    @api.model
    def _sfa_facts_sql(self, source, where):
        """The common table expressions ``sfa_clock``, ``src`` and ``facts``:
        the facts of ``source`` its documents give now, where ``where``."""
        extra = self._sfa_layer_columns()
        extra_select = SQL("").join(
            SQL(", %s AS %s", expression, SQL.identifier(name))
            for name, expression in extra.items()
        )
        return SQL(
            """
            sfa_clock AS (SELECT %(now)s::timestamp AS now),
            src AS (%(source)s),
            facts AS (
                SELECT src.res_id, src.partner_id, d.date, src.company_id,
                       COALESCE(src.currency_id, c.currency_id) AS currency_id,
                       COALESCE(src.amount_currency, src.amount) AS amount_currency,
                       CASE
                           WHEN src.amount IS NOT NULL THEN src.amount
                           WHEN src.currency_id IS NULL
                             OR src.currency_id = c.currency_id
                           THEN src.amount_currency
                           ELSE src.amount_currency
                                * %(company_rate)s / %(rate)s
                       END AS amount,
                       src.quantity, src.user_id, src.team_id,
                       CASE WHEN th.found THEN th.territory_id
                            ELSE p.sfa_territory_id END AS territory_id,
                       CASE WHEN ch.found THEN ch.category_id
                            ELSE p.sfa_category_id END AS category_id,
                       src.lead_id %(extra_select)s
                  FROM src
                  JOIN res_company c ON c.id = src.company_id
                  LEFT JOIN res_partner cp ON cp.id = c.partner_id
                  LEFT JOIN res_users u ON u.id = src.user_id
                  LEFT JOIN res_partner up ON up.id = u.partner_id
                  -- the time zones PostgreSQL knows (sfa_timezone)
                  LEFT JOIN sfa_timezone uz ON uz.name = up.tz
                  LEFT JOIN sfa_timezone cz ON cz.name = cp.tz
                  LEFT JOIN res_partner p ON p.id = src.partner_id
                  %(extra_joins)s
                 CROSS JOIN LATERAL (
                       SELECT COALESCE(src.day, %(local_day)s) AS date) d
                  -- the customer's territory and category on that day
                  LEFT JOIN LATERAL (%(territory_on)s) th ON TRUE
                  LEFT JOIN LATERAL (%(category_on)s) ch ON TRUE
                 WHERE %(where)s AND d.date IS NOT NULL
            )
            """,
            source=self._sfa_source_sql(source),
            company_rate=self._sfa_rate_sql(SQL("c.currency_id")),
            rate=self._sfa_rate_sql(SQL("src.currency_id")),
            local_day=self._sfa_local_date_sql(
                SQL("src.moment"), SQL("uz.name"), SQL("cz.name")
            ),
            territory_on=self.env["sfa.territory.history"]._sfa_stay_on_sql(
                "territory_id", SQL("src.partner_id"), SQL("d.date")
            ),
            category_on=self.env["sfa.category.history"]._sfa_stay_on_sql(
                "category_id", SQL("src.partner_id"), SQL("d.date")
            ),
            where=where,
            extra_select=extra_select,
            extra_joins=self._sfa_layer_joins(),
            now=fields.Datetime.now(),
        )

    @api.model
    def _sfa_check(self, source, key, marks):
        """Refuse the change of a member of the sales force (``marks``:
        {key value: (uid, when)}) that would move facts of ``source`` dated
        in a month closed then (before the first day of their month), or
        owned by someone outside their team (themselves and everyone below
        them): whatever field, path or context made it, a rep cannot give
        himself last month's revenue or another rep's contacts. Directors
        and sales administrators change closed months."""
        if key not in COLUMNS:
            return  # the rates: not the sales force's to change
        checks = []
        Users = self.env["res.users"].sudo()
        for actor, moment in sorted(set(marks.values())):
            user = Users.browse(actor)
            # directors, sales administrators and users outside the sales
            # force (accounting dates invoices and payments) are not bound
            if not user._sfa_is_bound():
                continue
            closed = (
                fields.Datetime.context_timestamp(
                    user.with_context(tz=user.tz or "UTC"), moment
                )
                .date()
                .replace(day=1)
            )
            team = list(self.env["res.users"]._sfa_scope(actor)[0])
            ids = sorted(i for i, mark in marks.items() if mark == (actor, moment))
            owner = (
                SQL("FALSE")
                if source.owned_by_system
                else SQL(
                    "n.user_id <> ALL(%(team)s) OR o.user_id <> ALL(%(team)s)",
                    team=team,
                )
            )
            checks.append(
                SQL(
                    """
                    SELECT %(actor)s AS actor,
                           COALESCE(n.date, o.date) AS date,
                           CASE WHEN n.user_id <> ALL(%(team)s) THEN n.user_id
                                ELSE o.user_id END AS user_id,
                           COALESCE(n.date, o.date) < %(closed)s
                               OR o.date < %(closed)s AS closed
                      FROM (SELECT * FROM facts
                             WHERE %(new_key)s = ANY(%(ids)s)) n
                      FULL JOIN (SELECT * FROM before
                                  WHERE %(old_key)s = ANY(%(ids)s)) o
                        ON o.res_id = n.res_id
                       AND COALESCE(o.partner_id, 0) = COALESCE(n.partner_id, 0)
                       AND o.company_id = n.company_id
                     WHERE (%(new_row)s) IS DISTINCT FROM (%(old_row)s)
                       AND (n.date < %(closed)s OR o.date < %(closed)s OR %(owner)s)
                    """,
                    actor=actor,
                    team=team,
                    closed=closed,
                    new_key=SQL.identifier("facts", key),
                    old_key=SQL.identifier("before", key),
                    ids=ids,
                    new_row=SQL(", ").join(SQL.identifier("n", c) for c in CHECKED),
                    old_row=SQL(", ").join(SQL.identifier("o", c) for c in CHECKED),
                    owner=owner,
                )
            )
        if not checks:
            return
        where, old_where = self._sfa_refresh_scope(key, sorted(marks))
        rows = self.env.execute_query(
            SQL(
                """
                WITH %(facts)s,
                before AS (
                    SELECT f.res_id, f.lead_id, %(checked)s FROM sfa_fact f
                     WHERE f.metric = %(metric)s AND %(old_where)s)
                %(checks)s
                LIMIT 1
                """,
                facts=self._sfa_facts_sql(source, where),
                checked=SQL(", ").join(SQL.identifier("f", c) for c in CHECKED),
                metric=source.metric,
                old_where=old_where,
                checks=SQL(" UNION ALL ").join(checks),
            )
        )
        if not rows:
            return
        actor, day, user_id, closed = rows[0]
        _ = self.env._
        if closed:
            reason = _(
                "it would change the figures of %(month)s, a closed month",
                month=format_date(self.env, day, date_format="MMMM y"),
            )
        else:
            reason = _(
                "it would change the figures of %(user)s, who is not in your team",
                user=self.env["res.users"].sudo().browse(user_id).name,
            )
        raise UserError(
            _(
                "This change is refused: %(reason)s (%(metric)s of %(day)s). "
                "A director changes them.",
                reason=reason,
                metric=source.label,
                day=format_date(self.env, day),
            )
        )

    @api.model
    def _sfa_refresh_scope(self, key, ids):
        """(where over the new facts, where over the stored ones) of a refresh
        of the facts whose ``key`` is in ``ids``: the same facts on both
        sides, or a refresh would remove facts it never wrote again. The new
        facts' WHERE sees the declaration's row ``src`` and its company ``c``;
        a fact's currency is its document's, else its company's."""
        if key is None:
            return SQL("TRUE"), SQL("TRUE")
        if key == "currency_id":
            return (
                SQL("COALESCE(src.currency_id, c.currency_id) = ANY(%s)", ids),
                SQL("f.currency_id = ANY(%s)", ids),
            )
        if key == RATE_KEY:
            return (
                SQL(
                    """src.currency_id IS NOT NULL
                       AND src.currency_id <> c.currency_id
                       AND (src.currency_id = ANY(%(ids)s)
                            OR c.currency_id = ANY(%(ids)s))""",
                    ids=ids,
                ),
                SQL(
                    """EXISTS (
                        SELECT 1 FROM res_company rc
                         WHERE rc.id = f.company_id
                           AND f.currency_id <> rc.currency_id
                           AND (f.currency_id = ANY(%(ids)s)
                                OR rc.currency_id = ANY(%(ids)s)))""",
                    ids=ids,
                ),
            )
        return (
            SQL("%s = ANY(%s)", SQL.identifier("src", key), ids),
            SQL("%s = ANY(%s)", SQL.identifier("f", key), ids),
        )

    @api.model
    def _sfa_layer_columns(self):
        """Hook: {column: SQL expression} the layer adds to every fact, over
        the declaration's row ``src`` and ``_sfa_layer_joins``."""
        return {}

    @api.model
    def _sfa_layer_joins(self):
        return SQL()

    @api.model
    def _sfa_rate_sql(self, currency):
        """SQL of Odoo's rate of ``currency`` on the fact's day for the
        company (``res.currency._get_rates``): the company's own rate, else
        the shared one, else the oldest, else 1."""
        return SQL(
            """COALESCE(
                (SELECT r.rate FROM res_currency_rate r
                  WHERE r.currency_id = %(currency)s AND r.name <= d.date
                    AND (r.company_id IS NULL
                         OR r.company_id = split_part(c.parent_path, '/', 1)::int)
                  ORDER BY r.company_id, r.name DESC LIMIT 1),
                (SELECT r.rate FROM res_currency_rate r
                  WHERE r.currency_id = %(currency)s
                    AND (r.company_id IS NULL
                         OR r.company_id = split_part(c.parent_path, '/', 1)::int)
                  ORDER BY r.company_id, r.name LIMIT 1),
                1.0)""",
            currency=currency,
        )

    @api.model
    def _sfa_local_date_sql(self, timestamp, *tz_columns):
        """SQL of the local day of a UTC ``timestamp``, in the first of the
        ``tz_columns`` that is set, else UTC. The refresh gives the names of
        ``sfa_timezone`` joined on the user's and the company's time zones:
        a name PostgreSQL does not know is skipped rather than failing the
        whole statement."""
        return SQL(
            "((%s AT TIME ZONE 'UTC') AT TIME ZONE COALESCE(%s, 'UTC'))::date",
            timestamp,
            SQL(", ").join(tz_columns) if tz_columns else SQL("NULL"),
        )

    def init(self):
        """``sfa_timezone``: the time zone names this PostgreSQL server knows,
        joined by the refreshes (an index lookup or a hash join, where a list
        of every name in each statement made its planning most of its time).
        Filled at install and upgrade, and again before each nightly
        rebuild (the server's time zone data may change with its system)."""
        res = super().init()
        self.env.cr.execute(
            "CREATE TABLE IF NOT EXISTS sfa_timezone (name varchar PRIMARY KEY)"
        )
        self._sfa_fill_timezones()
        return res

    @api.model
    def _sfa_fill_timezones(self):
        self.env.execute_query(
            SQL(
                """
                DELETE FROM sfa_timezone
                 WHERE name NOT IN (SELECT name FROM pg_timezone_names);
                INSERT INTO sfa_timezone (name)
                SELECT name FROM pg_timezone_names
                ON CONFLICT DO NOTHING;
                ANALYZE sfa_timezone;
                """
            )
        )


def _domain_metrics(domain):
    """The metrics a search domain is limited to (a set), or None."""
    metrics = None
    if isinstance(domain, Domain):
        domain = list(domain)
    for leaf in domain if isinstance(domain, (list, tuple)) else ():
        if isinstance(leaf, str):
            if leaf != "&":
                return None  # an OR or a NOT: no safe limit
            continue
        if (
            isinstance(leaf, (list, tuple))
            and len(leaf) == 3
            and leaf[0] == "metric"
            and leaf[1] in ("=", "in")
        ):
            values = {leaf[2]} if leaf[1] == "=" else set(leaf[2])
            metrics = values if metrics is None else metrics & values
    return metrics


class Base(models.AbstractModel):
    """Changes of the documents facts come from mark those facts."""

    _inherit = "base"

    def _sfa_fact_triggers(self):
        """[(fields or None, metrics, key, path, on create)] of this model,
        once per registry."""
        cls = type(self)
        fact_cls = type(self.env["sfa.fact"]) if "sfa.fact" in self.env else None
        key = fact_cls and fact_cls.__bases__
        cached_key, triggers = cls.__dict__.get("_sfa_fact_trigger_cache", (0, None))
        if cached_key != key:
            triggers = []
            if fact_cls:
                by_trigger = {}
                Fact = self.env["sfa.fact"]
                layer = Fact._sfa_layer_triggers()
                for source in Fact._sfa_sources().values():
                    rules = [
                        (
                            source.model,
                            source.depends,
                            "res_id",
                            "id",
                            source.created_if or True,
                        )
                    ]
                    # a trigger may end with its own created_if
                    rules += [
                        (*rule[:4], rule[4] if len(rule) > 4 else True)
                        for rule in source.triggers
                    ] + layer
                    for model, depends, fact_key, path, on_create in rules:
                        if model == self._name:
                            entry = (
                                frozenset(depends) or None,
                                fact_key,
                                path,
                                on_create,
                            )
                            by_trigger.setdefault(entry, []).append(source.metric)
                triggers = [
                    (depends, metrics, fact_key, path, on_create)
                    for (
                        depends,
                        fact_key,
                        path,
                        on_create,
                    ), metrics in by_trigger.items()
                ]
            cls._sfa_fact_trigger_cache = (key, triggers)
        return triggers

    def _sfa_mark_facts(self, names=None, now=False, created=False, flushed=False):
        """Mark the facts these records give (``names``: the fields written).

        A key reached through a path (a deal's customer) is read when the
        marks are applied, not on every write; ``now`` reads the paths that
        start with a written field at once, before the write changes them.
        """
        if not self or not self._ids:
            return
        Fact = self.env["sfa.fact"]
        # a computed field Odoo writes at flush on a record created in this
        # transaction (a new customer's commercial entity): the layer's
        # triggers move no fact of it yet (a write by anyone still does)
        fresh = (
            self.env.cr.precommit.data.get(CREATED, {}).get(self._name, ())
            if flushed
            else ()
        )
        for depends, metrics, key, path, on_create in self._sfa_fact_triggers():
            if names is None and created and not on_create:
                continue
            if names is not None and depends is not None and not depends & names:
                continue
            ids = [
                i
                for i in self._ids
                if isinstance(i, int) and (on_create or i not in fresh)
            ]
            if callable(on_create) and (created or fresh):
                # records created in this transaction (marked at their
                # creation, or by what Odoo computes at flush): only those
                # that may give facts yet; sudo: which, not shown
                new = set(ids) if created else set(ids) & set(fresh)
                if new:
                    keep = set(on_create(self.browse(list(new)).sudo()).ids)
                    ids = [i for i in ids if i not in new or i in keep]
            if not ids:
                continue
            if path == "id":
                Fact._sfa_mark(metrics, key, ids)
            elif not now:
                Fact._sfa_mark_path(self._name, path, metrics, key, ids)
            elif names is None or path.split(".", 1)[0] in names:
                # sudo: the keys of facts only, never shown
                Fact._sfa_mark(metrics, key, self.browse(ids).sudo().mapped(path).ids)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if self._sfa_fact_triggers():
            created = self.env.cr.precommit.data.setdefault(CREATED, {})
            created.setdefault(self._name, set()).update(records.ids)
            records._sfa_mark_facts(created=True)
        return records

    def _write_multi(self, vals_list):
        # a stored computed field (an order's untaxed amount, a line's
        # subtotal) changes at flush, without write(): its facts follow (the
        # marks are applied later, after this write)
        if self._sfa_fact_triggers():
            fields_ = self._fields
            computed = {
                name
                for vals in vals_list
                for name in vals
                if name in fields_ and fields_[name].compute
            }
            if computed:
                self._sfa_mark_facts(computed, flushed=True)
        return super()._write_multi(vals_list)

    def write(self, vals):
        triggers = self._sfa_fact_triggers()
        if triggers:
            # the keys before the change: a deal moved to another customer
            # takes its facts away from the first one
            self._sfa_mark_facts(set(vals), now=True)
        res = super().write(vals)
        if triggers:
            self._sfa_mark_facts(set(vals))
        return res

    def unlink(self):
        if self._sfa_fact_triggers():
            self._sfa_mark_facts(now=True)
        return super().unlink()
