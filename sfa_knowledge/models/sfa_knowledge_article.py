from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL, html2plaintext

TIERS = [
    ("all", "All Sales Staff"),
    ("supervisor", "Supervisors and Above"),
    ("manager", "Managers and Above"),
    ("director", "Directors"),
]
TIER_LEVELS = {"all": 0, "supervisor": 1, "manager": 2, "director": 3}
ROLE_LEVELS = {"rep": 0, "supervisor": 1, "manager": 2, "director": 3}
STATES = [
    ("draft", "Draft"),
    ("in_review", "In Review"),
    ("published", "Published"),
    ("archived", "Archived"),
]
# Fields whose change makes a new revision.
REVISED_FIELDS = ("name", "body")


class SfaKnowledgeArticle(models.Model):
    """A piece of sales help, read by the sales force by tier and scope.

    A user reads the published articles of their tier or below (all sales
    staff < supervisors < managers < directors) that are not restricted, or
    restricted to one of their territories (or a territory above one) or of
    their teams; their own articles in any state; and, for managers, the
    articles in review they may publish. Directors read everything. The
    rule is a searchable field, so every search, read, export and RPC goes
    through it, and so do the article's attachments (Odoo checks them on
    the article).
    """

    _name = "sfa.knowledge.article"
    _description = "Knowledge Article"
    _inherit = ["sfa.visibility.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "sequence, name, id"
    # readers may ask and comment; followers are internal users only
    _mail_post_access = "read"
    # sfa_base's mixin gives sfa_visible / sfa_editable; the domain behind
    # them is this model's own (_sfa_access_domain below)
    _sfa_owner_field = "owner_id"
    _sfa_territory_field = False

    name = fields.Char("Title", required=True, tracking=True)
    sequence = fields.Integer(default=10)
    body = fields.Html(
        help="Scripts, frames and event handlers are removed when saved."
    )
    summary = fields.Char(help="One line shown in lists and guidance.")
    lang_id = fields.Many2one(
        "res.lang",
        "Language",
        default=lambda self: self.env["res.lang"]._lang_get(
            self.env.lang or self.env.user.lang
        ),
        help="The language it is written in: guidance shows readers the "
        "articles in their language. Empty: for readers of every language.",
    )
    in_my_language = fields.Boolean(
        compute="_compute_in_my_language", search="_search_in_my_language"
    )
    category_id = fields.Many2one("sfa.knowledge.category", index=True, tracking=True)
    tag_ids = fields.Many2many("sfa.knowledge.tag", string="Tags")
    tier = fields.Selection(
        TIERS,
        required=True,
        default="all",
        tracking=True,
        help="Who may read it: the sales staff of this level and above.",
    )
    tier_level = fields.Integer(compute="_compute_tier_level", store=True, index=True)
    territory_ids = fields.Many2many(
        "sfa.territory",
        string="Territories",
        help="Only for the sales force of these territories (and the territories "
        "below them). Empty: every territory.",
    )
    team_ids = fields.Many2many(
        "crm.team",
        string="Sales Teams",
        help="Only for the members and leaders of these teams. Empty: every team.",
    )
    product_ids = fields.Many2many("product.template", string="Products")
    stage_ids = fields.Many2many("crm.stage", string="Stages")
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "sfa_knowledge_article_attachment_rel",
        "article_id",
        "attachment_id",
        string="Attachments",
    )
    state = fields.Selection(
        STATES, default="draft", required=True, tracking=True, index=True, copy=False
    )
    owner_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.user,
        required=True,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
        help="Writes it and keeps it up to date; reminded on its review date.",
    )
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    review_date = fields.Date(
        tracking=True, help="The owner gets a to-do to review it on this day."
    )
    date_published = fields.Datetime("Published On", readonly=True, copy=False)
    published_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    revision_ids = fields.One2many(
        "sfa.knowledge.revision", "article_id", string="Revisions"
    )
    revision_count = fields.Integer(compute="_compute_revision_count")
    view_count = fields.Integer("Views", default=0, readonly=True, copy=False)
    helpful_count = fields.Integer("Helpful", compute="_compute_helpful")
    voted = fields.Boolean("Found It Helpful", compute="_compute_helpful")
    search_text = fields.Text(
        compute="_compute_search_text", store=True, index="trigram", copy=False
    )
    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    def _sfa_my_language_domain(self):
        return Domain("lang_id", "=", False) | Domain(
            "lang_id.code", "=", self.env.user.lang or self.env.lang or "en_US"
        )

    @api.depends("lang_id")
    @api.depends_context("uid")
    def _compute_in_my_language(self):
        mine = self.filtered_domain(self._sfa_my_language_domain())
        for article in self:
            article.in_my_language = article in mine

    def _search_in_my_language(self, operator, value):
        if operator in ("=", "!="):
            value = [value]
            operator = "in" if operator == "=" else "not in"
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = self._sfa_my_language_domain()
        return domain if (operator == "in") == any(value) else ~domain

    @api.depends("tier")
    def _compute_tier_level(self):
        for article in self:
            article.tier_level = TIER_LEVELS.get(article.tier, 0)

    @api.depends("name", "summary", "body", "tag_ids.name")
    def _compute_search_text(self):
        for article in self:
            article.search_text = " ".join(
                part
                for part in (
                    article.name,
                    " ".join(article.tag_ids.mapped("name")),
                    article.summary,
                    html2plaintext(article.body or ""),
                )
                if part
            )

    def _compute_revision_count(self):
        counts = dict(
            self.env["sfa.knowledge.revision"]._read_group(
                [("article_id", "in", self.ids)], ["article_id"], ["__count"]
            )
        )
        for article in self:
            article.revision_count = counts.get(article, 0)

    @api.depends_context("uid")
    def _compute_helpful(self):
        # sudo: counting votes reveals no voter
        Vote = self.env["sfa.knowledge.vote"].sudo()
        counts = dict(
            Vote._read_group(
                [("article_id", "in", self.ids)], ["article_id"], ["__count"]
            )
        )
        mine = set(
            Vote.search(
                [("article_id", "in", self.ids), ("user_id", "=", self.env.uid)]
            ).article_id.ids
        )
        for article in self:
            article.helpful_count = counts.get(article, 0)
            article.voted = article.id in mine

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    @api.model
    def _sfa_reader(self):
        """(level, territory ids, team ids) of the current user.

        The level is their role's (-1 outside the sales force). Their
        territories are those they or the people below them cover or manage,
        with every territory below those: an article restricted to a
        territory reaches whoever works in it, above it or below it. Their
        teams are those they or the people below them are members or leaders
        of."""
        user = self.env.user
        if user._is_superuser() or user._sfa_is_director():
            return ROLE_LEVELS["director"], (), ()
        level = ROLE_LEVELS.get(user.sfa_role, -1)
        if level < 0:
            return level, (), ()
        user_ids = self.env["res.users"]._sfa_scope(user.id)[0]
        self.env["sfa.territory"].flush_model(["manager_id", "parent_path"])
        self.env["res.users"].flush_model(["sfa_territory_ids"])
        territories = self.env.execute_query(
            SQL(
                """
                SELECT t.id FROM sfa_territory t
                 WHERE EXISTS (
                       SELECT 1 FROM sfa_territory s
                        WHERE (s.manager_id IN %(users)s
                               OR s.id IN (SELECT r.territory_id
                                             FROM sfa_territory_member_rel r
                                            WHERE r.user_id IN %(users)s))
                          AND t.parent_path LIKE s.parent_path || '%%')
                """,
                users=tuple(user_ids),
            )
        )
        teams = self.env.execute_query(
            SQL(
                """
                SELECT m.crm_team_id FROM crm_team_member m
                 WHERE m.user_id IN %(users)s AND m.active
                 UNION
                SELECT t.id FROM crm_team t WHERE t.user_id IN %(users)s
                """,
                users=tuple(user_ids),
            )
        )
        return (
            level,
            tuple(sorted(territory for (territory,) in territories)),
            tuple(sorted(team for (team,) in teams)),
        )

    @api.model
    def _sfa_access_domain(self, mode="read", shares=True):
        """The articles the current user may read (or write), instead of
        sfa_base's owner and territory rule (articles are not shared).

        Read: their own articles; the published ones of their tier or below
        and of their scope; for managers, also those in review of their tier
        and scope, to publish them. Write: their own drafts; for managers,
        also the articles of their tier and scope once sent for review
        (others' drafts stay private). Directors (and sales administrators):
        everything.
        """
        level, territories, teams = self._sfa_reader()
        if level >= ROLE_LEVELS["director"]:
            return Domain.TRUE
        if level < 0:
            return Domain.FALSE
        own = Domain("owner_id", "=", self.env.uid)
        scope = (
            Domain("tier_level", "<=", level)
            & (
                Domain("territory_ids", "=", False)
                | Domain("territory_ids", "parent_of", list(territories))
            )
            & (Domain("team_ids", "=", False) | Domain("team_ids", "in", list(teams)))
        )
        manager = level >= ROLE_LEVELS["manager"]
        if mode == "read":
            states = ["published", "in_review"] if manager else ["published"]
            return own | (scope & Domain("state", "in", states))
        own_draft = own & Domain("state", "=", "draft")
        if not manager:
            return own_draft
        return own_draft | (scope & Domain("state", "!=", "draft"))

    def _sfa_check_publisher(self):
        """Only managers (of the article's tier and scope) and directors
        publish, archive or send back an article."""
        level = self._sfa_reader()[0]
        if self.env.su or level >= ROLE_LEVELS["director"]:
            return
        if level < ROLE_LEVELS["manager"]:
            raise AccessError(
                self.env._("Only managers and directors publish or archive articles.")
            )
        outside = self - self.filtered_domain(self._sfa_access_domain("write"))
        if outside:
            raise AccessError(
                self.env._(
                    "%s is beyond your tier or scope: you cannot publish it.",
                    outside[0].name,
                )
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # views, publication date and publisher are readonly: sfa_base refuses
        # them in any user's values (they are set by reading and publishing)
        for vals in vals_list:
            if vals.get("state", "draft") not in ("draft", "in_review"):
                self.browse()._sfa_check_publisher()
        articles = super().create(vals_list)
        articles._sfa_link_attachments()
        articles._sfa_add_revisions(self.env._("Created"))
        return articles

    def write(self, vals):
        if vals.get("state") in ("published", "archived") or (
            "state" in vals and self.filtered(lambda a: a.state != "draft")
        ):
            self._sfa_check_publisher()
        changed = [name for name in REVISED_FIELDS if name in vals]
        if changed:
            before = {a.id: (a.name, a.body) for a in self}
        res = super().write(vals)
        if "attachment_ids" in vals:
            self._sfa_link_attachments()
        if changed:
            revised = self.filtered(lambda a: before[a.id] != (a.name, a.body))
            labels = ", ".join(
                self._fields[name].get_description(self.env)["string"]
                for name in changed
            )
            revised._sfa_add_revisions(self.env._("Changed: %s", labels))
        return res

    def _sfa_link_attachments(self):
        """Attachments uploaded with the article belong to it, so that Odoo
        checks them on the article (and never makes them public). Only files
        not linked to any document yet, uploaded by the writer, are taken:
        linking another document's file would hand it to the article's
        readers."""
        for article in self:
            loose = article.attachment_ids.sudo().filtered(
                lambda a, article=article: (
                    a.res_model != article._name or a.res_id != article.id
                )
            )
            foreign = loose.filtered(
                lambda a: a.res_id or a.res_field or a.create_uid != self.env.user
            )
            if foreign and not self.env.su:
                raise AccessError(
                    self.env._(
                        "%(file)s belongs to another document: upload the file "
                        "to the article instead of linking it.",
                        file=foreign[0].name,
                    )
                )
            # sudo: uploaded by the writer, who may not write attachments
            # of other models; only the link changes
            loose.write(
                {"res_model": article._name, "res_id": article.id, "public": False}
            )

    def _sfa_add_revisions(self, note):
        # sudo: revisions are written by the system, whoever edits
        self.env["sfa.knowledge.revision"].sudo().create(
            [
                {
                    "article_id": article.id,
                    "name": article.name,
                    "body": article.body,
                    "note": note,
                    "author_id": self.env.uid,
                }
                for article in self
            ]
        )

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        """Only internal users follow an article: a customer or other portal
        contact would receive its messages, and with them its content."""
        if partner_ids:
            internal = (
                self.env["res.users"]
                .sudo()
                .search([("partner_id", "in", partner_ids), ("share", "=", False)])
                .partner_id
            )
            partner_ids = [pid for pid in partner_ids if pid in internal.ids]
        return super().message_subscribe(partner_ids, subtype_ids)

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def action_submit(self):
        if self.filtered(lambda a: a.state != "draft"):
            raise UserError(self.env._("Only drafts are sent for review."))
        self.write({"state": "in_review"})
        return True

    def action_publish(self):
        if self.filtered(lambda a: a.state not in ("draft", "in_review")):
            raise UserError(
                self.env._("Only drafts and articles in review are published.")
            )
        self.write({"state": "published"})
        # sudo: who published and when are the system's; the write above
        # checked that the user may publish these articles
        self.sudo().write(
            {"date_published": fields.Datetime.now(), "published_by_id": self.env.uid}
        )
        self._sfa_done_reviews()
        return True

    def action_back_to_draft(self):
        self.write({"state": "draft"})
        return True

    def action_archive_article(self):
        self.write({"state": "archived"})
        self._sfa_done_reviews()
        return True

    # ------------------------------------------------------------------
    # Reading, votes, reviews
    # ------------------------------------------------------------------

    def action_mark_helpful(self):
        """One helpful vote per user and article; a second click takes it back."""
        self.check_access("read")
        Vote = self.env["sfa.knowledge.vote"].sudo()
        for article in self:
            vote = Vote.search(
                [("article_id", "=", article.id), ("user_id", "=", self.env.uid)]
            )
            if vote:
                vote.unlink()
            else:
                Vote.create({"article_id": article.id, "user_id": self.env.uid})
        self.invalidate_recordset(["helpful_count", "voted"])
        return True

    def _sfa_register_view(self):
        """Count a reader once a day: one row per article, user and day, and
        the counter bumped without locking the article."""
        self.check_access("read")
        if not self or self.env.user.share:
            return
        inserted = self.env.execute_query(
            SQL(
                """
                INSERT INTO sfa_knowledge_view (article_id, user_id, date)
                SELECT unnest(%(ids)s::int[]), %(uid)s, %(today)s
                ON CONFLICT DO NOTHING
                RETURNING article_id
                """,
                ids=self.ids,
                uid=self.env.uid,
                today=self._sfa_today(),
            )
        )
        if inserted:
            self.env.execute_query(
                SQL(
                    "UPDATE sfa_knowledge_article SET view_count = view_count + 1"
                    " WHERE id IN %s",
                    tuple(row[0] for row in inserted),
                )
            )
            self.invalidate_recordset(["view_count"])

    def action_register_view(self):
        """Called by the article form when it shows an article."""
        self._sfa_register_view()
        return True

    @api.model
    def _cron_review_reminders(self):
        """A to-do for the owner of every published article whose review date
        has come, once."""
        activity_type = self.env.ref("sfa_knowledge.mail_activity_type_review")
        due = self.search(
            [
                ("state", "=", "published"),
                ("review_date", "<=", fields.Date.context_today(self)),
                ("owner_id.active", "=", True),
            ]
        )
        pending = set(
            self.env["mail.activity"]
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", due.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
            .mapped("res_id")
        )
        todo = due.filtered(lambda a: a.id not in pending)
        for article in todo:
            article.activity_schedule(
                activity_type_id=activity_type.id,
                date_deadline=article.review_date,
                user_id=article.owner_id.id,
                summary=self.env._("Review the article"),
            )
        return todo

    def _sfa_done_reviews(self):
        self.activity_feedback(
            ["sfa_knowledge.mail_activity_type_review"],
            feedback=self.env._("Reviewed"),
        )

    @api.readonly
    def action_open_revisions(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Revisions of %s", self.name),
            "res_model": "sfa.knowledge.revision",
            "view_mode": "list,form",
            "domain": [("article_id", "=", self.id)],
        }
