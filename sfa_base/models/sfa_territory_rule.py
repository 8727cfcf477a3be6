import re

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from .sfa_cache import RULE_CACHE

ZIP_RE = re.compile(r"^[A-Z0-9-]+$")
# The fields a rule matches customers and leads on.
CRITERIA = (
    "country_ids",
    "state_ids",
    "zip_prefixes",
    "zip_from",
    "zip_to",
    "industry_ids",
    "category_ids",
)


def normalize_zip(value):
    return (value or "").replace(" ", "").upper()


def _spans_meet(one, other):
    """Whether two zip spans (see ``_sfa_zip_spans``) share a zip."""
    (a_from, a_to, a_len), (b_from, b_to, b_len) = one, other
    if a_len and b_len and a_len != b_len:
        return False  # ranges of zips of different lengths
    if a_len is None and b_len is None:  # two prefixes
        return a_from.startswith(b_from) or b_from.startswith(a_from)
    if a_len is None:  # a prefix against a range
        (a_from, a_to, a_len), (b_from, b_to, b_len) = other, one
    if b_len is None:
        # the range [a_from, a_to] holds a zip starting with the prefix
        low = b_from.ljust(a_len, "-")[:a_len]
        high = b_from.ljust(a_len, "Z")[:a_len]
        return len(b_from) <= a_len and low <= a_to and high >= a_from
    return a_from <= b_to and b_from <= a_to


class SfaTerritoryRule(models.Model):
    """Which customers and leads belong to a territory.

    Every criterion that is filled in must match (countries OR'ed among
    themselves, and so on); a rule with no criterion matches nothing. When
    several territories match, the most specific wins: the deepest one, then
    the rule with the highest priority.
    """

    _name = "sfa.territory.rule"
    _inherit = ["sfa.cached.mixin"]
    _sfa_caches = (RULE_CACHE,)
    _description = "Territory Assignment Rule"
    _sfa_shared_configuration = True
    _order = "priority desc, id"
    _check_company_auto = True

    territory_id = fields.Many2one(
        "sfa.territory",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="territory_id.company_id", store=True, index=True
    )
    priority = fields.Integer(
        default=10,
        help="Among matching territories of the same depth, the highest wins.",
    )
    active = fields.Boolean(default=True)
    country_ids = fields.Many2many("res.country", string="Countries")
    state_ids = fields.Many2many("res.country.state", string="States")
    zip_prefixes = fields.Char(help="Comma-separated zip prefixes, e.g. 75, 92, 93")
    zip_from = fields.Char()
    zip_to = fields.Char()
    industry_ids = fields.Many2many("res.partner.industry", string="Industries")
    category_ids = fields.Many2many("res.partner.category", string="Customer Tags")
    description = fields.Char(compute="_compute_description")

    @api.depends(*CRITERIA)
    def _compute_description(self):
        for rule in self:
            parts = []
            if rule.country_ids:
                parts.append(", ".join(rule.country_ids.mapped("code")))
            if rule.state_ids:
                parts.append(", ".join(rule.state_ids.mapped("name")))
            if rule.zip_prefixes:
                parts.append(self.env._("zip %s*", rule.zip_prefixes))
            if rule.zip_from:
                parts.append(
                    self.env._(
                        "zip %(from)s-%(to)s",
                        **{"from": rule.zip_from, "to": rule.zip_to},
                    )
                )
            if rule.industry_ids:
                parts.append(", ".join(rule.industry_ids.mapped("name")))
            if rule.category_ids:
                parts.append(", ".join(rule.category_ids.mapped("name")))
            rule.description = " · ".join(parts)

    @api.constrains("zip_from", "zip_to", "zip_prefixes")
    def _check_zip(self):
        for rule in self:
            zip_from, zip_to = normalize_zip(rule.zip_from), normalize_zip(rule.zip_to)
            if bool(zip_from) != bool(zip_to):
                raise ValidationError(
                    self.env._("A zip range needs both a start and an end.")
                )
            if zip_from:
                if not (ZIP_RE.match(zip_from) and ZIP_RE.match(zip_to)):
                    raise ValidationError(
                        self.env._(
                            "Zip range %(from)s-%(to)s may only contain letters, "
                            "digits and dashes.",
                            **{"from": rule.zip_from, "to": rule.zip_to},
                        )
                    )
                if len(zip_from) != len(zip_to) or zip_from > zip_to:
                    raise ValidationError(
                        self.env._(
                            "Zip range %(from)s-%(to)s is malformed: "
                            "both ends must have "
                            "the same length and the start must not be after the end.",
                            **{"from": rule.zip_from, "to": rule.zip_to},
                        )
                    )
            for prefix in rule._zip_prefix_list():
                if not ZIP_RE.match(prefix):
                    raise ValidationError(
                        self.env._(
                            "Zip prefix %s may only contain letters, "
                            "digits and dashes.",
                            prefix,
                        )
                    )

    @api.constrains("state_ids", "country_ids")
    def _check_states(self):
        for rule in self:
            if rule.country_ids and rule.state_ids - rule.state_ids.filtered(
                lambda s: s.country_id in rule.country_ids
            ):
                raise ValidationError(
                    self.env._("The states of a rule must belong to its countries.")
                )

    @api.constrains("territory_id", "active", *CRITERIA)
    def _check_within_reach(self):
        """A rule acts only on what the rules of the territories above it
        take (``_within_domains``): one whose criteria contradict every rule
        of a territory above (zip 69* under a territory of zip 75*) would
        never act, silently. It is refused, and so is a change above that
        would leave a rule below it with nothing to act on."""
        if not self:
            return
        territories = self.territory_id
        rules = self.search(
            [
                "|",
                ("territory_id", "in", territories.ids),
                ("territory_id", "child_of", territories.ids),
            ]
        )
        for rule in rules:
            if blocker := rule._sfa_out_of_reach():
                raise ValidationError(
                    self.env._(
                        "The rule %(rule)s of %(territory)s can never act: "
                        "%(above)s, above it, takes only %(reach)s. A rule "
                        "acts within the rules of the territories above it; "
                        "change one or the other.",
                        rule=rule.description or rule.id,
                        territory=rule.territory_id.complete_name,
                        above=blocker.complete_name,
                        reach=" or ".join(
                            filter(None, blocker.rule_ids.mapped("description"))
                        ),
                    )
                )

    def _sfa_out_of_reach(self):
        """The territory above this rule's whose every rule contradicts it
        (a criterion both set with no value in common), or None."""
        self.ensure_one()
        if not self.active or not self._has_criteria():
            return None
        ancestors = self.env["sfa.territory"].browse(
            [int(i) for i in self.territory_id.parent_path.split("/")[:-2]]
        )
        for ancestor in ancestors:
            above = ancestor.rule_ids.filtered(
                lambda rule: rule.active and rule._has_criteria()
            )
            if above and not any(self._sfa_meets(rule) for rule in above):
                return ancestor
        return None

    def _sfa_meets(self, other):
        """Whether some customer could match both rules: every criterion
        both rules set shares a value (a zip prefix another extends, a range
        that crosses a prefix or another range)."""
        for name in ("country_ids", "state_ids", "industry_ids", "category_ids"):
            if self[name] and other[name] and not self[name] & other[name]:
                return False
        if self.state_ids and other.country_ids and not other.state_ids:
            if not self.state_ids.country_id & other.country_ids:
                return False
        if other.state_ids and self.country_ids and not self.state_ids:
            if not other.state_ids.country_id & self.country_ids:
                return False
        mine, theirs = self._sfa_zip_spans(), other._sfa_zip_spans()
        if mine and theirs:
            return any(
                _spans_meet(span, other_span) for span in mine for other_span in theirs
            )
        return True

    def _sfa_zip_spans(self):
        """The zips the rule takes, as (first, last, length or None) spans:
        a prefix is every zip that starts with it."""
        spans = [(prefix, prefix, None) for prefix in self._zip_prefix_list()]
        if self.zip_from and self.zip_to:
            zip_from = normalize_zip(self.zip_from)
            spans.append((zip_from, normalize_zip(self.zip_to), len(zip_from)))
        return spans

    def _zip_prefix_list(self):
        return [
            normalize_zip(p) for p in (self.zip_prefixes or "").split(",") if p.strip()
        ]

    def _has_criteria(self):
        return bool(
            self.country_ids
            or self.state_ids
            or self.zip_prefixes
            or self.zip_from
            or self.industry_ids
            or self.category_ids
        )

    def _match_domain(self, model, bound=False):
        """Domain of the records of ``model`` (partner or lead) this rule matches.

        Returns None when the rule cannot apply to that model (a lead without
        customer has no industry or tags). As a ``bound`` on the rules below
        its territory, a criterion only excludes the records whose value
        contradicts it: a customer without a country stays within France.
        """
        self.ensure_one()
        if not self._has_criteria():
            return None
        is_partner = model._name == "res.partner"
        if not is_partner and (self.industry_ids or self.category_ids):
            return None

        def criterion(fname, domain):
            return domain | Domain(fname, "=", False) if bound else domain

        domains = []
        if self.country_ids:
            domains.append(
                criterion(
                    "country_id", Domain("country_id", "in", self.country_ids.ids)
                )
            )
        if self.state_ids:
            domains.append(
                criterion("state_id", Domain("state_id", "in", self.state_ids.ids))
            )
        if self.zip_prefixes:
            domains.append(
                criterion(
                    "zip",
                    Domain.OR(
                        Domain("zip", "=ilike", f"{p}%")
                        for p in self._zip_prefix_list()
                    ),
                )
            )
        if self.zip_from:
            zip_from, zip_to = normalize_zip(self.zip_from), normalize_zip(self.zip_to)
            domains.append(
                criterion(
                    "zip",
                    Domain("zip", ">=", zip_from)
                    & Domain("zip", "<=", zip_to)
                    & Domain("zip", "=like", "_" * len(zip_from)),
                )
            )
        if self.industry_ids:
            domains.append(
                criterion(
                    "industry_id", Domain("industry_id", "in", self.industry_ids.ids)
                )
            )
        if self.category_ids:
            domains.append(
                criterion(
                    "category_id", Domain("category_id", "in", self.category_ids.ids)
                )
            )
        domains.append(Domain("company_id", "in", [self.company_id.id, False]))
        return Domain.AND(domains)

    def _within_domains(self, model):
        """{territory id: domain} of what the rules of a territory may take:
        what the rules of the territories above it take (each territory with
        rules bounds those below it, up to the top). A rule for zip 69* under
        France / East takes East's customers of those zips, never another
        region's: a manager who adds rules under their territory cannot
        reach beyond it."""
        own = {}
        for territory, rules in self.grouped("territory_id").items():
            domains = [
                match
                for match in (rule._match_domain(model, bound=True) for rule in rules)
                if match is not None
            ]
            if domains:
                own[territory.id] = Domain.OR(domains)
        territories = self.territory_id
        parents = {
            t.id: [int(pid) for pid in t.parent_path.split("/")[:-2]]
            for t in territories
        }
        within = {}
        for territory in territories:
            domain = Domain.TRUE
            for ancestor_id in parents[territory.id]:
                if ancestor_id in own:
                    domain &= own[ancestor_id]
            within[territory.id] = domain
        return within

    @api.model
    def _sfa_rule_ids(self, company_id):
        """Ids of the rules in force (of ``company_id``, else all): cached
        until a rule or a territory's state changes, so that creating a
        customer or a lead costs no query where no rule is in force."""
        generation = self.env["sfa.cache"]._sfa_generation(RULE_CACHE)
        return self._sfa_rule_ids_of(company_id, generation)

    @api.model
    @tools.ormcache("company_id", "generation")
    def _sfa_rule_ids_of(self, company_id, generation):
        domain = [("territory_id.active", "=", True)]
        if company_id:
            domain.append(("company_id", "=", company_id))
        # sudo: which rules exist, whoever creates the record they assign
        return tuple(self.sudo().with_context(active_test=True).search(domain).ids)

    @api.model
    def _best_territories(self, model_name, base_domain, company=None):
        """Map record id -> (territory id, rule id) of the most specific match.

        One query for the whole set selected by ``base_domain``: every rule
        becomes a sub-select, and PostgreSQL keeps the deepest,
        highest-priority match per record.
        """
        # sudo: matching reads addresses of records the caller may not see;
        # only territory ids come back.
        model = self.env[model_name].sudo().with_context(active_test=False)
        rules = self.sudo().browse(self._sfa_rule_ids(company.id if company else None))
        if not rules:
            return {}
        within = rules._within_domains(model)
        selects = []
        for rule in rules:
            match = rule._match_domain(model)
            if match is None:
                continue
            match &= within[rule.territory_id.id]
            query = model._search(Domain(base_domain) & match)
            selects.append(
                SQL(
                    "SELECT sub.id AS res_id, %(territory)s AS territory_id,"
                    " %(rule)s AS rule_id, %(depth)s AS depth,"
                    " %(priority)s AS priority FROM (%(query)s) sub",
                    territory=rule.territory_id.id,
                    rule=rule.id,
                    depth=rule.territory_id.depth,
                    priority=rule.priority,
                    query=query.subselect("id"),
                )
            )
        if not selects:
            return {}
        rows = self.env.execute_query(
            SQL(
                "SELECT DISTINCT ON (m.res_id) m.res_id, m.territory_id, m.rule_id"
                " FROM (%s) m"
                " ORDER BY m.res_id, m.depth DESC, m.priority DESC, m.rule_id",
                SQL(" UNION ALL ").join(selects),
            )
        )
        return {
            res_id: (territory_id, rule_id) for res_id, territory_id, rule_id in rows
        }
