import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

ZIP_RE = re.compile(r"^[A-Z0-9-]+$")


def normalize_zip(value):
    return (value or "").replace(" ", "").upper()


class SfaTerritoryRule(models.Model):
    """Which customers and leads belong to a territory.

    Every criterion that is filled in must match (countries OR'ed among
    themselves, and so on); a rule with no criterion matches nothing. When
    several territories match, the most specific wins: the deepest one, then
    the rule with the highest priority.
    """

    _name = "sfa.territory.rule"
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

    @api.depends(
        "country_ids",
        "state_ids",
        "zip_prefixes",
        "zip_from",
        "zip_to",
        "industry_ids",
        "category_ids",
    )
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
    def _best_territories(self, model_name, base_domain, company=None):
        """Map record id -> (territory id, rule id) of the most specific match.

        One query for the whole set selected by ``base_domain``: every rule
        becomes a sub-select, and PostgreSQL keeps the deepest,
        highest-priority match per record.
        """
        # sudo: matching reads addresses of records the caller may not see;
        # only territory ids come back.
        model = self.env[model_name].sudo().with_context(active_test=False)
        domain = [("territory_id.active", "=", True)]
        if company:
            domain.append(("company_id", "=", company.id))
        rules = self.sudo().search(domain)
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
