from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from .sfa_cache import SCOPE_CACHE

SFA_ROLES = [
    ("director", "Director"),
    ("manager", "Manager"),
    ("supervisor", "Supervisor"),
    ("rep", "Rep"),
]


class ResUsers(models.Model):
    _inherit = ["res.users", "sfa.hierarchy.mixin"]
    # the org chart: every employee reads it, administrators change it
    _sfa_shared_configuration = True

    sfa_manager_id = fields.Many2one(
        "res.users",
        string="Reports To",
        index="btree_not_null",
        domain="[('share', '=', False)]",
        help="The user this salesperson reports to in the sales organization.",
    )
    sfa_direct_report_ids = fields.One2many(
        "res.users", "sfa_manager_id", string="Direct Reports"
    )
    sfa_subordinate_ids = fields.Many2many(
        "res.users",
        string="Subordinates",
        compute="_compute_sfa_subordinate_ids",
        help="Everyone below this user in the reporting line, at any depth.",
    )
    sfa_subordinate_count = fields.Integer(
        "Number of Subordinates", compute="_compute_sfa_subordinate_ids"
    )
    sfa_role = fields.Selection(
        SFA_ROLES, string="Sales Role", compute="_compute_sfa_role"
    )
    sfa_territory_ids = fields.Many2many(
        "sfa.territory",
        "sfa_territory_member_rel",
        "user_id",
        "territory_id",
        string="Covered Territories",
    )
    sfa_managed_territory_ids = fields.One2many(
        "sfa.territory", "manager_id", string="Managed Territories"
    )
    sfa_scope_territory_ids = fields.Many2many(
        "sfa.territory",
        string="Territories in Scope",
        compute="_compute_sfa_scope_territory_ids",
        help="Every territory in a subtree managed by this user or someone below "
        "them: what their record rules open and what they may maintain.",
    )

    @api.constrains("sfa_manager_id")
    def _check_sfa_manager_id(self):
        if self._has_cycle("sfa_manager_id"):
            raise ValidationError(
                self.env._("A user cannot report, directly or not, to themselves.")
            )

    def _compute_sfa_subordinate_ids(self):
        below = self._sfa_subordinates_map()
        for user in self:
            ids = below.get(user.id, [])
            user.sfa_subordinate_ids = [fields.Command.set(ids)]
            user.sfa_subordinate_count = len(user.sfa_subordinate_ids)

    def _sfa_subordinates_map(self):
        """Map each user of ``self`` to the ids of everyone below them (one query)."""
        if not self.ids:
            return {}
        self.env["res.users"].flush_model(["sfa_manager_id"])
        rows = self.env.execute_query(
            SQL(
                """
                WITH RECURSIVE below(root_id, user_id) AS (
                    SELECT u.sfa_manager_id, u.id
                      FROM res_users u
                     WHERE u.sfa_manager_id IN %(ids)s
                    UNION
                    SELECT b.root_id, u.id
                      FROM res_users u
                      JOIN below b ON u.sfa_manager_id = b.user_id
                )
                SELECT root_id, array_agg(user_id ORDER BY user_id)
                  FROM below GROUP BY root_id
                """,
                ids=tuple(self.ids),
            )
        )
        return dict(rows)

    @api.model
    @tools.ormcache(cache="groups")
    def _sfa_sales_force_group_ids(self):
        """The groups that make a user part of the sales force (the rep
        group and every group implying it), for set-based queries on
        ``res_groups_users_rel``; cached until groups change."""
        rep = self.env.ref("sfa_base.group_sfa_rep").sudo()
        return tuple((rep | rep.all_implied_by_ids).ids)

    @api.model
    def _sfa_outside_user(self):
        """The row "Outside the Sales Force" of the people lists: what users
        outside the sales force won or have in the pipe counts there, so the
        lists add up to the company's totals."""
        return (
            self.env.ref("sfa_base.user_outside_sales_force", raise_if_not_found=False)
            or self.browse()
        )

    @api.model
    def _sfa_in_sales_force(self, user_ids):
        """{user id: the row they count in}: themselves for the sales force,
        the row outside it for anyone else (and for no one, None)."""
        user_ids = set(user_ids)
        known = {uid for uid in user_ids if uid}
        force = set(
            self.sudo()
            .with_context(active_test=False)
            .search(Domain("id", "in", list(known)) & self._sfa_sales_force_domain())
            .ids
        )
        outside = self._sfa_outside_user().id or None
        return {uid: uid if uid in force else outside for uid in user_ids}

    @api.model
    def _sfa_sales_force_domain(self):
        """Users of the sales force (reps and everyone above them)."""
        return Domain("all_group_ids", "in", self.env.ref("sfa_base.group_sfa_rep").ids)

    def _compute_sfa_scope_territory_ids(self):
        for user in self:
            user.sfa_scope_territory_ids = [
                fields.Command.set(list(self._sfa_scope(user.id)[1]))
            ]

    def _sfa_is_director(self):
        """Directors and sales administrators act on the whole company."""
        self.ensure_one()
        return (
            self._is_superuser()
            or self.has_group("sfa_base.group_sfa_director")
            or self.has_group("sales_team.group_sale_manager")
        )

    def _sfa_is_sales_colleague(self, companies, of_user):
        """Whether this user may own, or be given, records of ``companies``
        by ``of_user``: active, internal, with sales rights, working for
        those companies (for records of no company: for one of ``of_user``'s).
        A portal user would make a record vanish for all but directors."""
        self.ensure_one()
        return bool(
            self.active
            and not self.share
            and self.has_group("sales_team.group_sale_salesman")
            and not (companies - self.company_ids)
            and self.company_ids & of_user.company_ids
        )

    def _sfa_is_bound(self):
        """A member of the sales force below director: bound by the
        reporting line and the territories (users outside the sales force
        follow Odoo's own rules)."""
        self.ensure_one()
        return self.has_group("sfa_base.group_sfa_rep") and not self._sfa_is_director()

    @api.model
    def _sfa_reach(self, uid):
        """Territory ids ``uid`` works in: those in their scope (managed by
        them or their team, with the subtrees) and those covered by them or
        their team, with the subtrees. Cached like the scope."""
        generation = self.env["sfa.cache"]._sfa_generation(SCOPE_CACHE)
        return self._sfa_reach_of(uid, generation)

    @api.model
    @tools.ormcache("uid", "generation")
    def _sfa_reach_of(self, uid, generation):
        user_ids, scope = self._sfa_scope(uid)
        self.env["sfa.territory"].flush_model(["parent_path"])
        self.env["res.users"].flush_model(["sfa_territory_ids"])
        covered = self.env.execute_query(
            SQL(
                """
                SELECT t.id
                  FROM sfa_territory t
                 WHERE EXISTS (
                       SELECT 1 FROM sfa_territory_member_rel r
                         JOIN sfa_territory c ON c.id = r.territory_id
                        WHERE r.user_id IN %(users)s
                          AND t.parent_path LIKE c.parent_path || '%%')
                """,
                users=tuple(user_ids),
            )
        )
        return tuple(sorted(set(scope) | {tid for (tid,) in covered}))

    def _sfa_team_users(self):
        """The user and everyone below them in the reporting line."""
        self.ensure_one()
        return self.browse(self._sfa_scope(self.id)[0])

    def _compute_sfa_role(self):
        for user in self:
            for role, _label in SFA_ROLES:
                if user.has_group(f"sfa_base.group_sfa_{role}"):
                    user.sfa_role = role
                    break
            else:
                user.sfa_role = False

    @api.model
    def _sfa_scope(self, uid):
        """Return (user ids, territory ids) whose records ``uid`` may see.

        Users: ``uid`` and everyone below them. Territories: every territory
        in a subtree managed by one of those users. Cached per user; any change
        of the reporting line or of territories starts a new generation of
        this cache (sfa.cache), on every worker, and clears nothing else.
        """
        generation = self.env["sfa.cache"]._sfa_generation(SCOPE_CACHE)
        return self._sfa_scope_of(uid, generation)

    @api.model
    @tools.ormcache("uid", "generation")
    def _sfa_scope_of(self, uid, generation):
        self.env["res.users"].flush_model(["sfa_manager_id"])
        self.env["sfa.territory"].flush_model(["manager_id", "parent_path"])
        user_ids = [uid] + self.browse(uid)._sfa_subordinates_map().get(uid, [])
        territory_ids = [
            tid
            for (tid,) in self.env.execute_query(
                SQL(
                    """
                    SELECT t.id
                      FROM sfa_territory t
                     WHERE EXISTS (
                           SELECT 1 FROM sfa_territory m
                            WHERE m.manager_id IN %(users)s
                              AND t.parent_path LIKE m.parent_path || '%%')
                     ORDER BY t.id
                    """,
                    users=tuple(user_ids),
                )
            )
        ]
        return tuple(user_ids), tuple(territory_ids)

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("sfa_manager_id") for vals in vals_list):
            # before the change: what this transaction computes from now on
            # is cached under a generation nobody else sees until it commits
            self.env["sfa.cache"]._sfa_invalidate(SCOPE_CACHE)
        users = super().create(vals_list)
        return users

    def write(self, vals):
        if (
            set(vals) == {"sfa_manager_id"}
            and not self.env.su
            and not self.env.user.has_group("base.group_erp_manager")
            and self._sfa_may_reorganize()
        ):
            # the director organizes the sales force (the org chart's drag
            # and drop) without being an administrator of users
            self._sfa_check_reorganization(vals["sfa_manager_id"])
            return self.sudo().write(vals)
        if {"sfa_manager_id", "active", "sfa_territory_ids"} & set(vals):
            self.env["sfa.cache"]._sfa_invalidate(SCOPE_CACHE)
        return super().write(vals)

    def _sfa_check_reorganization(self, manager_id):
        """A director moves people of the sales force of their companies, under
        someone of that sales force (or at the top)."""
        director = self.env.user
        force = self.env["res.users"]._sfa_sales_force_domain()
        people = self.sudo().filtered_domain(force)
        manager = self.sudo().browse(manager_id).exists() if manager_id else None
        outside = (self - people) | self.sudo().filtered(
            lambda u: not (u.company_ids & director.company_ids)
        )
        if manager_id and (
            not manager
            or not manager.filtered_domain(force)
            or not (manager.company_ids & director.company_ids)
        ):
            raise AccessError(
                self.env._(
                    "People of the sales force report to someone of the sales "
                    "force of your companies."
                )
            )
        if outside:
            raise AccessError(
                self.env._(
                    "You organize the sales force of your companies only, not %s.",
                    ", ".join(outside.sudo().mapped("name")),
                )
            )

    @api.model
    def _sfa_may_reorganize(self):
        user = self.env.user
        return user.has_group("base.group_erp_manager") or user._sfa_is_director()

    @api.model
    def _sfa_may_drag(self):
        # the org chart is read by everyone, reorganized by few
        return self._sfa_may_reorganize()

    @api.readonly
    def action_open_sfa_org_chart(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Sales Organization"),
            "res_model": "res.users",
            "view_mode": "hierarchy,list,form",
            "views": [
                (self.env.ref("sfa_base.res_users_view_hierarchy_sfa").id, "hierarchy"),
                (False, "list"),
                (False, "form"),
            ],
            "domain": [("share", "=", False)],
            "context": {"hierarchy_res_id": self.id},
        }
