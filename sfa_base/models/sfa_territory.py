from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain

from .sfa_cache import RULE_CACHE, SCOPE_CACHE

TERRITORY_TYPES = [
    ("region", "Region"),
    ("country", "Country"),
    ("state", "State"),
    ("city", "City"),
    ("district", "District"),
    ("industry", "Industry"),
    ("key_accounts", "Key Accounts"),
]


class SfaTerritory(models.Model):
    _name = "sfa.territory"
    _description = "Sales Territory"
    _sfa_shared_configuration = True
    _inherit = ["mail.thread", "sfa.hierarchy.mixin"]
    _parent_name = "parent_id"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(required=True, tracking=True)
    complete_name = fields.Char(
        compute="_compute_complete_name", store=True, recursive=True
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    type = fields.Selection(TERRITORY_TYPES, required=True, default="region")
    parent_id = fields.Many2one(
        "sfa.territory",
        string="Parent Territory",
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("sfa.territory", "parent_id", string="Sub-territories")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    manager_id = fields.Many2one(
        "res.users",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        tracking=True,
        index="btree_not_null",
    )
    member_ids = fields.Many2many(
        "res.users",
        "sfa_territory_member_rel",
        "territory_id",
        "user_id",
        string="Covering Reps",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    rule_ids = fields.One2many("sfa.territory.rule", "territory_id", string="Rules")
    color = fields.Integer()
    depth = fields.Integer(compute="_compute_depth")

    # Coverage figures, over the whole subtree.
    rep_count = fields.Integer("Reps", compute="_compute_coverage")
    prospect_count = fields.Integer("Prospects", compute="_compute_coverage")
    customer_count = fields.Integer("Active Customers", compute="_compute_coverage")
    partner_count = fields.Integer("Customers", compute="_compute_coverage")
    open_lead_count = fields.Integer("Open Opportunities", compute="_compute_coverage")
    open_pipeline = fields.Monetary(
        compute="_compute_coverage", currency_field="currency_id"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    sfa_in_my_scope = fields.Boolean(
        "In My Scope",
        compute="_compute_sfa_in_my_scope",
        search="_search_sfa_in_my_scope",
        help="In a subtree managed by the user or someone below them: the "
        "territories a manager maintains.",
    )

    _code_company_uniq = models.Constraint(
        "UNIQUE(code, company_id)",
        "A territory code must be unique within a company.",
    )

    @api.depends_context("uid")
    def _compute_sfa_in_my_scope(self):
        scope = set(self.env["res.users"]._sfa_scope(self.env.uid)[1])
        for territory in self:
            territory.sfa_in_my_scope = territory.id in scope

    def _search_sfa_in_my_scope(self, operator, value):
        """For the record rules: the domain does not depend on the user's data,
        so Odoo's cache of rule domains needs no clearing when the reporting
        line or the territories change (the scope has its own cache)."""
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        scope = list(self.env["res.users"]._sfa_scope(self.env.uid)[1])
        domain = Domain("id", "child_of", scope)
        return domain if (operator == "=") == value else ~domain

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for territory in self:
            if territory.parent_id:
                territory.complete_name = (
                    f"{territory.parent_id.complete_name} / {territory.name}"
                )
            else:
                territory.complete_name = territory.name

    @api.depends("parent_path")
    def _compute_depth(self):
        for territory in self:
            territory.depth = (territory.parent_path or "").count("/")

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(
                self.env._(
                    "A territory cannot be inside itself or its sub-territories."
                )
            )
        # moved under other rules: its rules, and those below it, must still
        # be able to act there
        self.env["sfa.territory.rule"].search(
            [("territory_id", "child_of", self.ids)]
        )._check_within_reach()

    @api.constrains("company_id", "manager_id", "member_ids")
    def _check_users_company(self):
        for territory in self:
            users = territory.manager_id | territory.member_ids
            strangers = users.filtered(
                lambda u: territory.company_id not in u.company_ids
            )
            if strangers:
                raise ValidationError(
                    self.env._(
                        "%(users)s cannot cover territory %(territory)s: "
                        "they do not work for %(company)s.",
                        users=", ".join(strangers.mapped("name")),
                        territory=territory.display_name,
                        company=territory.company_id.name,
                    )
                )

    def _subtree_map(self):
        """Map each territory of ``self`` to the ids of its subtree (inclusive)."""
        if not self:
            return {}
        all_ids = self.with_context(active_test=False).search(
            [("id", "child_of", self.ids)]
        )
        paths = {t.id: t.parent_path for t in all_ids}
        return {
            territory.id: [
                tid
                for tid, path in paths.items()
                if path.startswith(territory.parent_path)
            ]
            for territory in self
        }

    @api.depends_context("uid")
    def _compute_coverage(self):
        subtrees = self._subtree_map()
        all_ids = list({tid for ids in subtrees.values() for tid in ids})
        # As the user: a rep's figures count what the rep may see, a territory
        # manager's the whole subtree, so the figures never disclose more.
        Partner = self.env["res.partner"]
        Lead = self.env["crm.lead"]
        partners = defaultdict(lambda: defaultdict(int))
        for territory, stage, count in Partner._read_group(
            [("sfa_territory_id", "in", all_ids), ("sfa_is_customer", "=", True)],
            ["sfa_territory_id", "sfa_lifecycle_stage"],
            ["__count"],
        ):
            partners[territory.id][stage] += count
        leads = {}
        for territory, count, revenue in Lead._read_group(
            [
                ("sfa_territory_id", "in", all_ids),
                ("type", "=", "opportunity"),
                ("won_status", "=", "pending"),
            ],
            ["sfa_territory_id"],
            ["__count", "expected_revenue:sum"],
        ):
            leads[territory.id] = (count, revenue)
        members = defaultdict(set)
        for territory in self.browse(all_ids):
            members[territory.id].update(territory.member_ids.ids)
        for territory in self:
            ids = subtrees.get(territory.id, [])
            stages = defaultdict(int)
            reps = set()
            lead_count = revenue = 0
            for tid in ids:
                for stage, count in partners[tid].items():
                    stages[stage] += count
                reps |= members[tid]
                lead_count += leads.get(tid, (0, 0))[0]
                revenue += leads.get(tid, (0, 0))[1]
            territory.rep_count = len(reps)
            territory.prospect_count = stages["prospect"] + stages["suspect"]
            territory.customer_count = stages["customer"] + stages["key_account"]
            territory.partner_count = sum(stages.values())
            territory.open_lead_count = lead_count
            territory.open_pipeline = revenue

    @api.model
    def _sfa_may_drag(self):
        """Whether the user may move territories (managers under their own,
        directors anywhere): their tree is draggable."""
        return self.env["ir.model.access"].check(self._name, "write", False)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_parent_in_scope([vals.get("parent_id") for vals in vals_list])
        self.env["sfa.cache"]._sfa_invalidate(SCOPE_CACHE)
        territories = super().create(vals_list)
        territories._check_staffing_in_scope({})
        return territories

    def write(self, vals):
        if vals.get("active") is False:
            self._check_archivable()
        if "parent_id" in vals:
            self._check_parent_in_scope([vals["parent_id"]])
        staffed = {"manager_id", "member_ids"} & set(vals)
        before = {t.id: t.manager_id | t.member_ids for t in self} if staffed else {}
        if {"parent_id", "manager_id", "member_ids", "active"} & set(vals):
            self.env["sfa.cache"]._sfa_invalidate(SCOPE_CACHE)
        if {"active", "company_id"} & set(vals):
            self.env["sfa.cache"]._sfa_invalidate(RULE_CACHE)
        res = super().write(vals)
        if staffed:
            self._check_staffing_in_scope(before)
        return res

    @api.model
    def _check_parent_in_scope(self, parent_ids):
        """A manager adds territories under their own only, and only
        directors add top-level ones: otherwise a manager would open a
        territory under another region, name themselves its manager, and
        read what its rules take from that region."""
        user = self.env.user
        if self.env.su or user._sfa_is_director():
            return
        scope = set(self.env["res.users"]._sfa_scope(user.id)[1])
        for parent_id in parent_ids:
            if not parent_id or parent_id not in scope:
                parent = self.sudo().browse(parent_id or [])
                raise AccessError(
                    self.env._(
                        "Only a director can add a territory under %s: it is not "
                        "one of yours.",
                        parent.display_name or self.env._("the top of the tree"),
                    )
                )

    def unlink(self):
        self._check_archivable()
        self.env["sfa.cache"]._sfa_invalidate(SCOPE_CACHE, RULE_CACHE)
        return super().unlink()

    def _check_staffing_in_scope(self, staff_before):
        """A manager staffs territories with their own team only.

        Otherwise naming oneself (or a friend) manager or member of a colleague's
        territory would open its customers and deals.
        """
        user = self.env.user
        if self.env.su or user._sfa_is_director():
            return
        team = user._sfa_team_users()
        for territory in self:
            staff = territory.manager_id | territory.member_ids
            added = staff - staff_before.get(territory.id, self.env["res.users"])
            outsiders = added - team
            if outsiders:
                raise AccessError(
                    self.env._(
                        "Only a director can put %(users)s on territory %(territory)s: "
                        "they are not in your team.",
                        users=", ".join(outsiders.mapped("name")),
                        territory=territory.display_name,
                    )
                )

    def _check_archivable(self):
        """A territory that still holds customers or open deals cannot go away.

        Customers would silently lose their territory (and their managers their
        visibility); the user must realign or move them first.
        """
        subtree = self.with_context(active_test=False).search(
            [("id", "child_of", self.ids)]
        )
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        count = Partner.search_count([("sfa_territory_id", "in", subtree.ids)])
        lead_count = (
            self.env["crm.lead"]
            .sudo()
            .search_count(
                [
                    ("sfa_territory_id", "in", subtree.ids),
                    ("won_status", "=", "pending"),
                ]
            )
        )
        if count or lead_count:
            raise UserError(
                self.env._(
                    "Territory %(territory)s still holds customers (%(customers)s) "
                    "and open opportunities (%(leads)s). Move them with a "
                    "realignment before archiving or deleting it.",
                    territory=", ".join(self.mapped("display_name")),
                    customers=count,
                    leads=lead_count,
                )
            )

    @api.readonly
    def action_view_customers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sfa_base.action_sfa_customers"
        )
        action["domain"] = [("sfa_territory_id", "child_of", self.id)]
        action["context"] = {}
        return action

    @api.readonly
    def action_view_opportunities(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm.crm_lead_action_pipeline"
        )
        action["domain"] = [("sfa_territory_id", "child_of", self.id)]
        action["context"] = {"default_sfa_territory_id": self.id}
        return action
