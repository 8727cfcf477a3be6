import logging
import re
import time
import unicodedata
from collections import Counter
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from ..tools import CallScope

_logger = logging.getLogger(__name__)

LIFECYCLE_STAGES = [
    ("suspect", "Suspect"),
    ("prospect", "Prospect"),
    ("customer", "Customer"),
    ("key_account", "Key Account"),
    ("dormant", "Dormant"),
    ("lost", "Lost"),
]

# Legal forms dropped before comparing company names: at the end of a name
# (Western and Chinese forms), or at its start (Vietnamese forms), after case,
# accents and dots are removed. Multi-word forms are matched as phrases.
LEGAL_SUFFIXES = (
    "co ltd",
    "coltd",
    "company limited",
    "limited",
    "ltd",
    "llc",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "company",
    "co",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "kk",
    "pte",
    "pty",
    "pte ltd",
    "pty ltd",
    "jsc",
    "jsc co",
    "tnhh",
    "co phan",
)
LEGAL_PREFIXES = (
    "cong ty tnhh mtv",
    "cong ty tnhh",
    "cong ty co phan",
    "cong ty cp",
    "cong ty",
    "cty tnhh",
    "cty",
    "tnhh",
    "co phan",
)
CJK_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "集团",
    "集團",
    "公司",
)
FREE_MAIL_DOMAINS = {
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "icloud.com",
    "aol.com",
    "qq.com",
    "163.com",
    "126.com",
    "sina.com",
    "yeah.net",
    "foxmail.com",
    "protonmail.com",
    "gmx.com",
    "mail.ru",
}
# The territory moves the system is applying (rules, realignment): their
# effective date, reason and rules, for the history. Not a context key: with
# one, a rep rewrote a customer's territory history from its first stay.
TERRITORY_MOVE = CallScope("sfa_territory_move")
TERRITORY_ADDRESS_FIELDS = {
    "country_id",
    "state_id",
    "zip",
    "industry_id",
    "category_id",
}


def normalize_name(name):
    """Company name without legal form, accents, punctuation, case or spaces."""
    value = (name or "").lower().replace("đ", "d").replace(".", "")
    value = unicodedata.normalize("NFKD", value)
    value = "".join(c for c in value if not unicodedata.combining(c))
    for suffix in CJK_SUFFIXES:
        if value.endswith(suffix) and len(value) > len(suffix):
            value = value[: -len(suffix)]
    value = " ".join(re.sub(r"[^\w]+", " ", value).split())
    stripped = True
    while stripped:
        stripped = False
        for prefix in LEGAL_PREFIXES:
            if value.startswith(prefix + " "):
                value, stripped = value[len(prefix) + 1 :], True
                break
        for suffix in sorted(LEGAL_SUFFIXES, key=len, reverse=True):
            if value.endswith(" " + suffix):
                value, stripped = value[: -len(suffix) - 1], True
                break
    return value.replace(" ", "") or False


def phone_key(phone):
    """Last nine digits: the same number with or without country code."""
    digits = re.sub(r"\D", "", phone or "")
    return digits[-9:] if len(digits) >= 6 else False


def email_domain(email):
    if not email or "@" not in email:
        return False
    domain = email.strip().rsplit("@", 1)[1].lower().strip("> ")
    return False if domain in FREE_MAIL_DOMAINS else domain or False


def vat_key(vat):
    value = re.sub(r"[^0-9A-Za-z]", "", vat or "").upper()
    return value or False


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "sfa.visibility.mixin"]
    _sfa_shareable = True
    _sfa_open_to_internal_users = True

    sfa_territory_id = fields.Many2one(
        "sfa.territory",
        string="Territory",
        index="btree_not_null",
        tracking=True,
        domain="[('company_id', 'in', "
        "[company_id] if company_id else allowed_company_ids)]",
    )
    sfa_territory_locked = fields.Boolean(
        "Territory Locked",
        help="Assignment rules and realignments leave a locked customer where it is.",
    )
    # the histories are the sales force's (their models' access rights)
    sfa_territory_history_ids = fields.One2many(
        "sfa.territory.history",
        "partner_id",
        string="Territory History",
        groups="sales_team.group_sale_salesman",
    )
    sfa_category_history_ids = fields.One2many(
        "sfa.category.history",
        "partner_id",
        string="Category History",
        groups="sales_team.group_sale_salesman",
    )
    sfa_category_id = fields.Many2one(
        "sfa.customer.category",
        string="Customer Category",
        tracking=True,
        index="btree_not_null",
    )
    sfa_is_customer = fields.Boolean(
        "Is a Customer Record",
        compute="_compute_sfa_is_customer",
        store=True,
        help="A company or individual the sales force sells to: not a contact "
        "person of another partner, not a user.",
    )
    sfa_lifecycle_override = fields.Selection(
        LIFECYCLE_STAGES,
        string="Lifecycle Override",
        help="Set to force the lifecycle stage instead of computing it.",
    )
    sfa_lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES,
        string="Lifecycle Stage",
        compute="_compute_sfa_lifecycle_stage",
        store=True,
        tracking=True,
        index=True,
    )
    sfa_last_contact_date = fields.Date(
        "Last Contact",
        readonly=True,
        help="The last exchange with this customer that counts as a contact in "
        "its company (done actions and activities, e-mails, meetings held, "
        "confirmed orders): recorded by the system, not typed in.",
    )
    sfa_days_overdue = fields.Integer(
        "Days Overdue",
        compute="_compute_sfa_days_overdue",
        help="Days since the next visit was due (0 when it is not yet).",
    )
    sfa_next_visit_date = fields.Date(
        "Next Visit Due", compute="_compute_sfa_next_visit_date", store=True, index=True
    )
    sfa_name_key = fields.Char(
        "Normalized Name", compute="_compute_sfa_duplicate_keys", store=True, index=True
    )
    sfa_email_domain = fields.Char(
        "Email Domain Key",
        compute="_compute_sfa_duplicate_keys",
        store=True,
        index=True,
    )
    sfa_phone_key = fields.Char(
        "Phone Key", compute="_compute_sfa_duplicate_keys", store=True, index=True
    )
    sfa_vat_key = fields.Char(
        "Tax ID Key", compute="_compute_sfa_duplicate_keys", store=True, index=True
    )
    sfa_team_owned = fields.Boolean(
        "Mine or My Team's",
        compute="_compute_sfa_team_owned",
        search="_search_sfa_team_owned",
        help="Owned by the current user or by someone below them.",
    )
    sfa_duplicate_warning = fields.Char(
        "Duplicate Warning", compute="_compute_sfa_duplicate_warning"
    )

    @api.depends_context("uid")
    def _compute_sfa_team_owned(self):
        owners = self._sfa_team_owner_ids()
        for partner in self:
            partner.sfa_team_owned = partner.user_id.id in owners

    def _search_sfa_team_owned(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = Domain("user_id", "in", self._sfa_team_owner_ids())
        return domain if (operator == "in") == any(value) else ~domain

    @api.model
    def _sfa_team_owner_ids(self):
        """The current user and everyone below them."""
        user = self.env.user
        return [user.id, *user._sfa_subordinates_map().get(user.id, [])]

    def _sfa_without_unchanged(self, vals):
        """``vals`` without the SFA commercial fields every partner of
        ``self`` already has. Odoo's sync of commercial fields writes them
        all on each contact of a company (a contact created under it, an
        import): an unchanged territory or category would still make Odoo
        look for the deals and actions that follow them, a query per write.
        A territory written alone stays: it locks the customer."""
        fnames = [
            fname
            for fname in ("sfa_category_id", "sfa_territory_locked", "sfa_territory_id")
            if fname in vals
        ]
        if not fnames or not self:
            return vals
        unchanged = set()
        for fname in fnames:
            if fname == "sfa_territory_id" and "sfa_territory_locked" not in unchanged:
                continue
            field = self._fields[fname]
            value = field.convert_to_cache(vals[fname], self, validate=False)
            if all(field.convert_to_cache(p[fname], p) == value for p in self):
                unchanged.add(fname)
        if not unchanged:
            return vals
        return {key: value for key, value in vals.items() if key not in unchanged}

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + [
            "sfa_territory_id",
            "sfa_territory_locked",
            "sfa_category_id",
        ]

    # ------------------------------------------------------------------
    # Visibility
    # ------------------------------------------------------------------

    @api.model
    def _sfa_unowned_domain(self):
        """Besides partners without a salesperson, the partners of internal
        users (colleagues, not customers) are everyone's: Odoo's chatter reads
        the author of every message, and a colleague's partner with a
        salesperson set would otherwise make a customer's form fail."""
        return super()._sfa_unowned_domain() | Domain("partner_share", "=", False)

    @api.model
    def _sfa_extra_access_domains(self, mode):
        """A shared customer comes with its contacts; a shared deal lets the
        colleague read its customer and contacts."""
        Share = self.env["sfa.share"]
        domains = []
        if partner_ids := Share._sfa_shared_res_ids("res.partner", self.env.uid, mode):
            domains.append(Domain("commercial_partner_id", "in", partner_ids))
        if mode != "read":
            return domains
        lead_ids = Share._sfa_shared_res_ids("crm.lead", self.env.uid, "read")
        if not lead_ids:
            return domains
        rows = self.env.execute_query(
            SQL(
                """SELECT DISTINCT p.commercial_partner_id FROM crm_lead l
                     JOIN res_partner p ON p.id = l.partner_id
                    WHERE l.id IN %s""",
                tuple(lead_ids),
            )
        )
        return domains + [Domain("commercial_partner_id", "in", [r[0] for r in rows])]

    # ------------------------------------------------------------------
    # Customer, lifecycle and visits
    # ------------------------------------------------------------------

    @api.depends("parent_id", "user_ids.share", "user_ids.active")
    def _compute_sfa_is_customer(self):
        """Customers are commercial partners that are neither employees (internal
        users, archived ones and bots such as OdooBot included) nor one of our
        own companies; portal customers stay customers."""
        company_partners = set(self.env["res.company"]._get_company_partner_ids())
        for partner in self:
            users = partner.with_context(active_test=False).user_ids
            partner.sfa_is_customer = (
                not partner.parent_id
                and not users.filtered(lambda u: not u.share)
                and partner._origin.id not in company_partners
            )

    @api.depends(
        "sfa_lifecycle_override",
        "sfa_category_id.is_key_account",
        "sfa_last_contact_date",
        "opportunity_ids.won_status",
        "opportunity_ids.date_closed",
        "child_ids.opportunity_ids.won_status",
        "child_ids.opportunity_ids.date_closed",
    )
    def _compute_sfa_lifecycle_stage(self):
        computed = self._sfa_lifecycle_computed()
        for partner in self:
            partner.sfa_lifecycle_stage = (
                partner.sfa_lifecycle_override or computed.get(partner.id, "suspect")
            )

    def _sfa_lifecycle_facts(self):
        """Per commercial partner: {'bought': last purchase day (a won deal, a
        confirmed order: sfa.fact's purchase metrics), 'open': open deals,
        'lost': lost deals}. Two grouped queries for the whole set."""
        facts = {pid: {"bought": False, "open": 0, "lost": 0} for pid in self.ids}
        ids = [pid for pid in self.ids if pid]
        if not ids:
            return facts
        # sudo: dates and counts only, for the customer's own stage
        Fact = self.env["sfa.fact"].sudo()
        for partner, last in Fact._read_group(
            [
                ("partner_id", "in", ids),
                ("metric", "in", Fact._sfa_purchase_metrics()),
            ],
            ["partner_id"],
            ["date:max"],
        ):
            facts[partner.id]["bought"] = last
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        for partner, status, count in Lead._read_group(
            [
                ("partner_id.commercial_partner_id", "in", ids),
                ("type", "=", "opportunity"),
                ("won_status", "in", ("pending", "lost")),
            ],
            ["partner_id", "won_status"],
            ["__count"],
        ):
            fact = facts.get(partner.commercial_partner_id.id)
            if fact is not None:
                fact["lost" if status == "lost" else "open"] += count
        return facts

    def _sfa_lifecycle_computed(self):
        facts = self._origin._sfa_lifecycle_facts()
        today = fields.Date.context_today(self)
        result = {}
        for partner in self:
            fact = facts.get(partner._origin.id, {})
            dormant_after = timedelta(
                days=partner.company_id.sfa_dormant_days
                or self.env.company.sfa_dormant_days
                or 365
            )
            recent = [
                d for d in (fact.get("bought"), partner.sfa_last_contact_date) if d
            ]
            if fact.get("bought"):
                # an open deal with a past buyer keeps them active
                if fact.get("open") or max(recent) >= today - dormant_after:
                    key = partner.sfa_category_id.is_key_account
                    result[partner.id] = "key_account" if key else "customer"
                else:
                    result[partner.id] = "dormant"
            elif fact.get("open"):
                result[partner.id] = "prospect"
            elif fact.get("lost"):
                result[partner.id] = "lost"
            else:
                result[partner.id] = "suspect"
        return result

    @api.model
    def _sfa_contacts_arrived(self):
        """The customers whose contacts dated ahead (an order dated in the
        coming days) have now come: their last contact follows. One grouped
        read of the contact facts of the last three days."""
        Fact = self.env["sfa.fact"].sudo()
        companies = self.env["res.company"].sudo().search([])
        domain = Domain.OR(
            Domain("company_id", "=", company.id)
            & Domain("metric", "in", Fact._sfa_contact_metrics(company))
            & Domain("date", ">=", company._sfa_company_today() - timedelta(days=2))
            & Domain("date", "<=", company._sfa_company_today())
            for company in companies
        )
        partners = {p.id for [p] in Fact._read_group(domain, ["partner_id"]) if p}
        # and a last contact still ahead of today (set before contacts dated
        # ahead stopped counting) is set again
        partners.update(
            self.sudo()
            .search([("sfa_last_contact_date", ">", fields.Date.today())])
            .ids
        )
        if partners:
            self.browse(sorted(partners))._sfa_contacts_changed()

    @api.model
    def _cron_update_lifecycle(self, batch_size=5000):
        """Daily: contacts dated ahead count when their day comes; customers
        become dormant as time passes, without any write."""
        self._sfa_contacts_arrived()
        partners = self.search(
            [("sfa_is_customer", "=", True), ("sfa_lifecycle_override", "=", False)],
            order="id",
        )
        for start in range(0, len(partners), batch_size):
            batch = partners[start : start + batch_size]
            computed = batch._sfa_lifecycle_computed()
            stale = batch.filtered(lambda p: p.sfa_lifecycle_stage != computed[p.id])
            if stale:
                self.env.add_to_compute(self._fields["sfa_lifecycle_stage"], stale)
                stale.flush_recordset(["sfa_lifecycle_stage"])
            self.env.invalidate_all()

    @api.depends("sfa_next_visit_date")
    @api.depends_context("uid")
    def _compute_sfa_days_overdue(self):
        today = self._sfa_today()
        for partner in self:
            due = partner.sfa_next_visit_date
            partner.sfa_days_overdue = max((today - due).days, 0) if due else 0

    @api.depends(
        "sfa_is_customer",
        "sfa_last_contact_date",
        "sfa_category_id.visit_frequency_days",
        "create_date",
    )
    def _compute_sfa_next_visit_date(self):
        for partner in self:
            days = partner.sfa_category_id.visit_frequency_days
            if not partner.sfa_is_customer or not days:
                partner.sfa_next_visit_date = False
            elif partner.sfa_last_contact_date:
                partner.sfa_next_visit_date = partner.sfa_last_contact_date + timedelta(
                    days=days
                )
            else:
                partner.sfa_next_visit_date = (
                    partner.create_date.date()
                    if partner.create_date
                    else fields.Date.context_today(partner)
                )

    def _sfa_contacts_changed(self):
        """The contact facts of these customers changed: their last contact
        (the latest contact fact of a channel their company counts) and
        their lifecycle follow. One grouped read, one write per date."""
        partners = self.sudo().exists()  # sudo: derived dates, not shown
        if not partners:
            return
        Fact = self.env["sfa.fact"].sudo()
        # a contact dated after today (an order dated ahead) is not one yet:
        # the daily job counts it when its day comes
        channels = Domain.OR(
            Domain("company_id", "=", company.id)
            & Domain("metric", "in", Fact._sfa_contact_metrics(company))
            & Domain("date", "<=", company._sfa_company_today())
            for company in self.env["res.company"].sudo().search([])
        )
        last = dict(
            Fact._read_group(
                channels & Domain("partner_id", "in", partners.ids),
                ["partner_id"],
                ["date:max"],
            )
        )
        for day, group in partners.grouped(lambda p: last.get(p) or False).items():
            stale = group.filtered(lambda p, d=day: p.sfa_last_contact_date != d)
            if stale:
                stale.write({"sfa_last_contact_date": day})
        partners._sfa_purchases_changed()

    def _sfa_purchases_changed(self):
        """The purchases of these customers changed: their lifecycle is
        computed again (it reads the facts)."""
        computed = self.sudo().exists().filtered(lambda p: not p.sfa_lifecycle_override)
        if computed:
            self.env.add_to_compute(self._fields["sfa_lifecycle_stage"], computed)

    # ------------------------------------------------------------------
    # In bulk: install, upgrade, rebuilds
    # ------------------------------------------------------------------

    def _auto_init(self):
        """Installed into a populated database, the columns this module adds
        to partners are filled set-based before Odoo would compute them
        partner by partner: a constant number of queries whatever the number
        of partners, and nothing written into any chatter (a first value is
        not a change anyone made)."""
        cr = self.env.cr
        start = time.monotonic()
        added = {
            name: not column_exists(cr, self._table, name)
            for name in (
                "sfa_is_customer",
                "sfa_lifecycle_stage",
                "sfa_next_visit_date",
                "sfa_name_key",
            )
        }
        if added["sfa_is_customer"]:
            create_column(cr, self._table, "sfa_is_customer", "boolean")
            cr.execute(
                """
                UPDATE res_partner p
                   SET sfa_is_customer = p.parent_id IS NULL
                       AND NOT EXISTS (SELECT 1 FROM res_users u
                                        WHERE u.partner_id = p.id AND NOT u.share)
                       AND NOT EXISTS (SELECT 1 FROM res_company c
                                        WHERE c.partner_id = p.id)
                """
            )
            _logger.info(
                "sfa_base: %d partners, customers found in %.1f s",
                cr.rowcount,
                time.monotonic() - start,
            )
        if added["sfa_name_key"]:
            self._sfa_fill_duplicate_keys()
        has = {
            name: column_exists(cr, self._table, name)
            for name in (
                "sfa_category_id",
                "sfa_last_contact_date",
                "sfa_lifecycle_override",
            )
        }
        if added["sfa_next_visit_date"]:
            # at install no customer has a category yet: no visit is due
            create_column(cr, self._table, "sfa_next_visit_date", "date")
            if has["sfa_category_id"]:
                cr.execute(
                    SQL(
                        """
                        UPDATE res_partner p
                           SET sfa_next_visit_date = COALESCE(
                                   %s + c.visit_frequency_days, p.create_date::date)
                          FROM sfa_customer_category c
                         WHERE c.id = p.sfa_category_id
                           AND c.visit_frequency_days > 0 AND p.sfa_is_customer
                        """,
                        SQL("p.sfa_last_contact_date")
                        if has["sfa_last_contact_date"]
                        else SQL("NULL::date"),
                    )
                )
        if added["sfa_lifecycle_stage"]:
            # the stage from the deals (the purchases follow with the facts)
            create_column(cr, self._table, "sfa_lifecycle_stage", "varchar")
            cr.execute(
                SQL(
                    """
                UPDATE res_partner p
                   SET sfa_lifecycle_stage = COALESCE(%s, d.stage, 'suspect')
                  FROM res_partner p2
                  LEFT JOIN (
                      SELECT lp.commercial_partner_id AS id,
                             CASE WHEN bool_or(l.won_status = 'pending')
                                  THEN 'prospect' ELSE 'lost' END AS stage
                        FROM crm_lead l
                        JOIN res_partner lp ON lp.id = l.partner_id
                       WHERE l.type = 'opportunity'
                         AND l.won_status IN ('pending', 'lost')
                       GROUP BY lp.commercial_partner_id) d ON d.id = p2.id
                 WHERE p2.id = p.id
                """,
                    SQL("p.sfa_lifecycle_override")
                    if has["sfa_lifecycle_override"]
                    else SQL("NULL"),
                )
            )
            _logger.info(
                "sfa_base: lifecycle stage of %d partners from their deals, %.1f s",
                cr.rowcount,
                time.monotonic() - start,
            )
        return super()._auto_init()

    def _sfa_fill_duplicate_keys(self):
        """The normalized name, e-mail domain, phone and tax id of every
        partner, in one read and one write."""
        cr = self.env.cr
        start = time.monotonic()
        for name in (
            "sfa_name_key",
            "sfa_email_domain",
            "sfa_phone_key",
            "sfa_vat_key",
        ):
            if not column_exists(cr, self._table, name):
                create_column(cr, self._table, name, "varchar")
        cr.execute("SELECT id, parent_id, name, email, phone, vat FROM res_partner")
        rows = cr.fetchall()
        keys = [
            (
                pid,
                normalize_name(name) if not parent else None,
                email_domain(email) or None,
                phone_key(phone) or None,
                vat_key(vat) or None,
            )
            for pid, parent, name, email, phone, vat in rows
        ]
        keys = [row for row in keys if any(row[1:])]
        if keys:
            cr.execute(
                SQL(
                    """
                    UPDATE res_partner p
                       SET sfa_name_key = k.name, sfa_email_domain = k.domain,
                           sfa_phone_key = k.phone, sfa_vat_key = k.vat
                      FROM unnest(%s::int[], %s::varchar[], %s::varchar[],
                                  %s::varchar[], %s::varchar[])
                           AS k(id, name, domain, phone, vat)
                     WHERE p.id = k.id
                    """,
                    *(list(column) for column in zip(*keys, strict=True)),
                )
            )
        _logger.info(
            "sfa_base: duplicate keys of %d partners, %.1f s",
            len(rows),
            time.monotonic() - start,
        )

    def _sfa_derived_sql(self):
        """(id, last contact, next visit due, lifecycle stage) of these
        partners from the facts and the deals, in one query for any number
        of them: the values the ORM's computes give (a test holds them equal),
        for what the system changes in bulk (an install, a rebuild)."""
        Fact = self.env["sfa.fact"].sudo()
        companies = self.env["res.company"].sudo().search([])
        channels = SQL(" OR ").join(
            SQL(
                "(f.company_id = %s AND f.metric = ANY(%s) AND f.date <= %s)",
                company.id,
                list(Fact._sfa_contact_metrics(company)) or [""],
                company._sfa_company_today(),
            )
            for company in companies
        )
        return SQL(
            """
            WITH contact AS (
                SELECT f.partner_id, MAX(f.date) AS day FROM sfa_fact f
                 WHERE f.partner_id = ANY(%(ids)s) AND (%(channels)s)
                 GROUP BY f.partner_id),
            bought AS (
                SELECT f.partner_id, MAX(f.date) AS day FROM sfa_fact f
                 WHERE f.partner_id = ANY(%(ids)s) AND f.metric = ANY(%(purchases)s)
                 GROUP BY f.partner_id),
            deals AS (
                SELECT lp.commercial_partner_id AS partner_id,
                       COUNT(*) FILTER (WHERE l.won_status = 'pending') AS open,
                       COUNT(*) FILTER (WHERE l.won_status = 'lost') AS lost
                  FROM crm_lead l
                  JOIN res_partner lp ON lp.id = l.partner_id
                 WHERE l.type = 'opportunity' AND l.won_status IN ('pending', 'lost')
                   AND lp.commercial_partner_id = ANY(%(ids)s)
                 GROUP BY lp.commercial_partner_id)
            SELECT p.id, contact.day,
                   CASE WHEN NOT COALESCE(p.sfa_is_customer, FALSE)
                          OR COALESCE(cat.visit_frequency_days, 0) = 0 THEN NULL
                        WHEN contact.day IS NOT NULL
                        THEN contact.day + cat.visit_frequency_days
                        ELSE COALESCE(p.create_date::date, %(today)s) END,
                   COALESCE(p.sfa_lifecycle_override, CASE
                       WHEN bought.day IS NOT NULL THEN CASE
                           WHEN COALESCE(deals.open, 0) > 0
                             OR GREATEST(bought.day, contact.day)
                                >= %(today)s::date - COALESCE(
                                    NULLIF(pc.sfa_dormant_days, 0),
                                    %(dormant)s)
                           THEN CASE WHEN cat.is_key_account THEN 'key_account'
                                     ELSE 'customer' END
                           ELSE 'dormant' END
                       WHEN COALESCE(deals.open, 0) > 0 THEN 'prospect'
                       WHEN COALESCE(deals.lost, 0) > 0 THEN 'lost'
                       ELSE 'suspect' END)
              FROM res_partner p
              LEFT JOIN contact ON contact.partner_id = p.id
              LEFT JOIN bought ON bought.partner_id = p.id
              LEFT JOIN deals ON deals.partner_id = p.id
              LEFT JOIN sfa_customer_category cat ON cat.id = p.sfa_category_id
              LEFT JOIN res_company pc ON pc.id = p.company_id
             WHERE p.id = ANY(%(ids)s)
            """,
            ids=list(self.ids),
            channels=channels,
            purchases=list(Fact._sfa_purchase_metrics()) or [""],
            today=fields.Date.context_today(self),
            dormant=self.env.company.sfa_dormant_days or 365,
        )

    def _sfa_refresh_in_bulk(self):
        """Last contact, next visit and lifecycle of these partners from
        their facts, set-based: one read and one write for any number.

        A change the system makes in bulk (an install, an upgrade, a rebuild,
        the company's contact channels) is not written into every customer's
        chatter: the lifecycle stages that moved are returned, as a Counter
        of (from, to), for the caller's summary, and logged. The customers
        of a company that asks for each note (``sfa_track_bulk_changes``)
        get it, as Odoo tracks a change made on the record."""
        if not self:
            return Counter()
        start = time.monotonic()
        self.env.flush_all()
        tracking = (
            self.env["res.company"]
            .sudo()
            .search([("sfa_track_bulk_changes", "=", True)])
        )
        if tracking:
            # Odoo's tracking compares these stages with the new ones when
            # the transaction commits (one read per 1,000 partners)
            self.filtered(
                lambda p: (p.company_id or self.env.company) in tracking
            )._track_prepare(["sfa_lifecycle_stage"])
        rows = self.env.execute_query(
            SQL(
                """
                UPDATE res_partner p
                   SET sfa_last_contact_date = d.contact,
                       sfa_next_visit_date = d.visit,
                       sfa_lifecycle_stage = d.stage
                  FROM (%s) AS d(id, contact, visit, stage)
                  JOIN res_partner old ON old.id = d.id
                 WHERE p.id = d.id
                   AND (p.sfa_last_contact_date, p.sfa_next_visit_date,
                        p.sfa_lifecycle_stage)
                       IS DISTINCT FROM (d.contact, d.visit, d.stage)
             RETURNING old.sfa_lifecycle_stage, p.sfa_lifecycle_stage
                """,
                self._sfa_derived_sql(),
            )
        )
        moved = Counter((old, new) for old, new in rows if old != new)
        _logger.info(
            "sfa_base: last contact and lifecycle of %d of %d partners changed "
            "(%d lifecycle stages: %s), %.1f s",
            len(rows),
            len(self),
            moved.total(),
            ", ".join(f"{old} -> {new}: {n}" for (old, new), n in moved.items())
            or "none",
            time.monotonic() - start,
        )
        self.invalidate_model(
            ["sfa_last_contact_date", "sfa_next_visit_date", "sfa_lifecycle_stage"]
        )
        return moved

    # ------------------------------------------------------------------
    # Duplicate warning
    # ------------------------------------------------------------------

    @api.depends("name", "email", "phone", "vat", "is_company", "parent_id")
    def _compute_sfa_duplicate_keys(self):
        for partner in self:
            commercial = not partner.parent_id
            partner.sfa_name_key = normalize_name(partner.name) if commercial else False
            partner.sfa_email_domain = email_domain(partner.email)
            partner.sfa_phone_key = phone_key(partner.phone)
            partner.sfa_vat_key = vat_key(partner.vat)

    @api.model
    def _sfa_find_duplicates(
        self, name=None, email=None, phone=None, vat=None, exclude_ids=()
    ):
        """Existing customers matching any of the keys, with sudo.

        Callers may only show the name of the match and of its owner.
        """
        domains = []
        if key := normalize_name(name):
            domains.append(Domain("sfa_name_key", "=", key))
        if key := email_domain(email):
            domains.append(Domain("sfa_email_domain", "=", key))
        if key := phone_key(phone):
            domains.append(Domain("sfa_phone_key", "=", key))
        if key := vat_key(vat):
            domains.append(Domain("sfa_vat_key", "=", key))
        if not domains:
            return self.browse()
        exclude = [i for i in exclude_ids if isinstance(i, int)]
        domain = (
            Domain.OR(domains)
            & Domain("sfa_is_customer", "=", True)
            & Domain("company_id", "in", [False, *self.env.companies.ids])
        )
        if exclude:
            domain &= Domain("id", "not in", exclude) & Domain(
                "commercial_partner_id", "not in", exclude
            )
        # sudo: the match may belong to a colleague; only names are disclosed
        return self.sudo().search(domain, limit=5)

    @api.model
    def _sfa_duplicate_message(self, matches):
        if not matches:
            return False
        parts = [
            self.env._(
                "%(name)s (owner: %(owner)s)",
                name=match.name,
                owner=match.user_id.name or self.env._("nobody"),
            )
            for match in matches
        ]
        return self.env._(
            "Possible duplicate of an existing customer: %s", "; ".join(parts)
        )

    @api.depends("name", "email", "phone", "vat", "parent_id")
    def _compute_sfa_duplicate_warning(self):
        for partner in self:
            if partner.parent_id:
                partner.sfa_duplicate_warning = False
                continue
            matches = self._sfa_find_duplicates(
                partner.name,
                partner.email,
                partner.phone,
                partner.vat,
                exclude_ids=[partner._origin.id or partner.id],
            )
            partner.sfa_duplicate_warning = self._sfa_duplicate_message(matches)

    @api.constrains("name", "email", "phone", "vat")
    def _check_sfa_duplicate_block(self):
        """Block on the strong keys only (name, phone, tax id): an email domain
        alone would stop every new contact of a company's domain, including
        those Odoo creates from incoming mail."""
        for partner in self:
            company = partner.company_id or self.env.company
            if (
                partner.parent_id
                or not partner.is_company
                or not partner.sfa_is_customer
                or not company.sfa_duplicate_block
            ):
                continue
            matches = self._sfa_find_duplicates(
                partner.name, None, partner.phone, partner.vat, exclude_ids=[partner.id]
            )
            if matches:
                raise ValidationError(self._sfa_duplicate_message(matches))

    # ------------------------------------------------------------------
    # Territory assignment and history
    # ------------------------------------------------------------------

    @api.constrains("sfa_territory_id", "company_id")
    def _check_sfa_territory_company(self):
        self._sfa_check_territory_company()

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        commercial = partners.filtered(lambda p: not p.parent_id)
        manual = commercial.filtered("sfa_territory_id")
        if manual:
            self.env["sfa.territory.history"]._record_moves(
                self._group_by_territory(manual),
                fields.Date.context_today(self),
                "manual",
            )
            manual.sudo().sfa_territory_locked = True  # sudo: flag set at creation
        (commercial - manual)._sfa_assign_territories()
        self.env["sfa.category.history"]._record_changes(
            commercial.filtered("sfa_category_id"), {}
        )
        return partners

    def write(self, vals):
        vals = self._sfa_without_unchanged(vals)
        self._sfa_check_owner_change(vals)
        tracked = (
            self.filtered(lambda p: not p.parent_id)
            if "sfa_territory_id" in vals
            else self.browse()
        )
        old = {p.id: p.sfa_territory_id.id for p in tracked}
        old_category = (
            {p.id: p.sfa_category_id.id for p in self if not p.parent_id}
            if "sfa_category_id" in vals
            else {}
        )
        old_owner = (
            {p.id: p.user_id.id for p in self if not p.parent_id}
            if "user_id" in vals
            else {}
        )
        system_move = TERRITORY_MOVE.get()
        if (
            "sfa_territory_id" in vals
            and "sfa_territory_locked" not in vals
            and not system_move
        ):
            vals = dict(vals, sfa_territory_locked=bool(vals["sfa_territory_id"]))
        res = super().write(vals)
        moved = tracked.filtered(lambda p: p.sfa_territory_id.id != old[p.id])
        if moved:
            move = system_move or {}
            self.env["sfa.territory.history"]._record_moves(
                self._group_by_territory(moved),
                move.get("date") or fields.Date.context_today(self),
                move.get("reason", "manual"),
                move.get("rules"),
            )
            if not system_move:
                # automatic moves bring their deals in _sfa_apply_territory_moves
                self.env["crm.lead"]._sfa_follow_customer_territory(moved.ids)
        if old_category:
            changed = self.browse(old_category).filtered(
                lambda p: p.sfa_category_id.id != old_category[p.id]
            )
            self.env["sfa.category.history"]._record_changes(changed, old_category)
        if old_owner:
            # sudo: contact persons follow their company's owner, unless they
            # had an owner of their own
            contacts = self.sudo().child_ids.filtered(
                lambda c: (
                    not c.is_company and c.user_id.id == old_owner.get(c.parent_id.id)
                )
            )
            contacts.write({"user_id": vals["user_id"]})
        if TERRITORY_ADDRESS_FIELDS & set(vals) and not system_move:
            self.filtered(lambda p: not p.parent_id)._sfa_assign_territories()
        return res

    @api.model
    def _group_by_territory(self, partners):
        groups = {}
        for partner in partners:
            groups.setdefault(partner.sfa_territory_id.id, []).append(partner.id)
        return groups

    def _sfa_assign_territories(self, date=None, reason="rule"):
        """Move unlocked customers of ``self`` to their most specific territory."""
        candidates = self.filtered(
            lambda p: not p.sfa_territory_locked and not p.parent_id
        )
        if not candidates:
            return {}
        # A partner shared between companies takes the territories of the
        # company working with it (the current one).
        best = {}
        Rule = self.env["sfa.territory.rule"]
        for company, partners in candidates.grouped("company_id").items():
            best.update(
                Rule._best_territories(
                    "res.partner",
                    [("id", "in", partners.ids)],
                    company=company or self.env.company,
                )
            )
        moves = {}
        for partner in candidates:
            territory_id = best.get(partner.id, (False, False))[0]
            if territory_id and territory_id != partner.sfa_territory_id.id:
                moves.setdefault(territory_id, []).append(partner.id)
        self._sfa_apply_territory_moves(moves, best, date, reason)
        return moves

    @api.model
    def _sfa_apply_territory_moves(self, moves, best=None, date=None, reason="rule"):
        """Write the moves grouped by territory: one write per destination."""
        rules = (
            {pid: best[pid][1] for ids in moves.values() for pid in ids} if best else {}
        )
        with TERRITORY_MOVE({"date": date, "reason": reason, "rules": rules}):
            for territory_id, ids in moves.items():
                # sudo: the move follows the company's rules, whoever triggered it
                self.sudo().browse(ids).write({"sfa_territory_id": territory_id})
        if moves:
            partner_ids = [pid for ids in moves.values() for pid in ids]
            self.env["crm.lead"]._sfa_follow_customer_territory(partner_ids)

    def _sfa_owner_allowed_at_creation(self, owner):
        """A contact person added to a customer one may edit takes the
        customer's owner (Odoo's form proposes it)."""
        parent = self.parent_id.commercial_partner_id
        return (
            bool(parent)
            and owner == parent.user_id
            and bool(parent._filtered_access("write"))
        )

    def action_sfa_assign_territory(self):
        self._sfa_assign_territories()
        return True

    def action_sfa_unlock_territory(self):
        self.write({"sfa_territory_locked": False})
        self._sfa_assign_territories()
        return True
