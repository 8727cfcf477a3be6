import itertools

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import KnowledgeCase

TIERS = ("all", "supervisor", "manager", "director")
STATES = ("draft", "in_review", "published", "archived")
RESTRICTIONS = ("none", "france", "north", "lille", "south", "team")


@tagged("post_install", "-at_install")
class TestKnowledgeAccess(KnowledgeCase):
    """Every role x tier x state x restriction, for search, read, write and
    attachment download, worked out by hand in the tables below.

    Levels: reps 0, supervisors (the supervisor, the territory manager) 1,
    managers 2, the director everything. Territories: rep_a and rep_b cover
    North, rep_c South; the manager manages North, the territory manager
    South; Lille lies in North, both in France. Team X has rep_b only.
    """

    LEVEL = {
        "rep_a": 0,
        "rep_b": 0,
        "rep_c": 0,
        "supervisor": 1,
        "territory_manager": 1,
        "manager": 2,
        "manager_2": 2,
    }
    # who works in, above or below each restriction (the director aside)
    SCOPE = {
        "none": {
            "rep_a",
            "rep_b",
            "rep_c",
            "supervisor",
            "territory_manager",
            "manager",
            "manager_2",
        },
        "france": {
            "rep_a",
            "rep_b",
            "rep_c",
            "supervisor",
            "territory_manager",
            "manager",
            "manager_2",
        },
        "north": {"rep_a", "rep_b", "supervisor", "manager"},
        "lille": {"rep_a", "rep_b", "supervisor", "manager"},
        "south": {"rep_c", "territory_manager", "manager_2"},
        "team": {"rep_b", "supervisor", "manager"},
    }
    TIER_LEVEL = {"all": 0, "supervisor": 1, "manager": 2, "director": 3}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        territory = {
            "france": cls.t_country,
            "north": cls.t_north,
            "lille": cls.t_lille,
            "south": cls.t_south,
        }
        cls.cases = {}
        for tier, state, restriction in itertools.product(TIERS, STATES, RESTRICTIONS):
            values = {"tier": tier, "state": state}
            if restriction in territory:
                values["territory_ids"] = [(6, 0, territory[restriction].ids)]
            elif restriction == "team":
                values["team_ids"] = [(6, 0, cls.team_x.ids)]
            article = cls.article(f"KA {tier} {state} {restriction}", **values)
            cls.cases[article] = (tier, state, restriction)
        cls.articles = cls.Article.browse([a.id for a in cls.cases])
        cls.attachments = cls.env["ir.attachment"].create(
            [
                {
                    "name": f"{article.name}.txt",
                    "raw": b"sales help",
                    "res_model": article._name,
                    "res_id": article.id,
                }
                for article in cls.articles
            ]
        )
        cls.users = {login: getattr(cls, login) for login in cls.LEVEL}

    def readable(self, login, tier, state, restriction):
        level = self.LEVEL[login]
        if self.TIER_LEVEL[tier] > level or login not in self.SCOPE[restriction]:
            return False
        return state == "published" or (state == "in_review" and level >= 2)

    def editable(self, login, tier, state, restriction):
        """Articles of others: only managers, within their tier and scope,
        once sent for review (drafts stay their author's)."""
        level = self.LEVEL[login]
        return (
            level >= 2
            and state != "draft"
            and self.TIER_LEVEL[tier] <= level
            and login in self.SCOPE[restriction]
        )

    def test_search_and_read(self):
        for login, user in self.users.items():
            expected = self.Article.browse(
                [a.id for a, case in self.cases.items() if self.readable(login, *case)]
            )
            with self.subTest(user=login):
                found = self.Article.with_user(user).search(
                    [("id", "in", self.articles.ids)]
                )
                self.assertEqual(found, expected)
                found = self.Article.with_user(user).search(
                    [("search_text", "ilike", "KA ")]
                )
                self.assertEqual(found, expected)
                for article in self.articles - expected:
                    with self.assertRaises(AccessError):
                        article.with_user(user).read(["name"])
                self.assertEqual(
                    len(expected.with_user(user).read(["name", "body"])),
                    len(expected),
                )
        # directors read everything, drafts and archives included
        self.assertEqual(
            self.Article.with_user(self.director).search(
                [("id", "in", self.articles.ids)]
            ),
            self.articles,
        )

    def test_write(self):
        for login, user in self.users.items():
            for article, case in self.cases.items():
                allowed = self.editable(login, *case)
                with self.subTest(user=login, case=case):
                    if allowed:
                        article.with_user(user).check_access("write")
                    else:
                        with self.assertRaises(AccessError):
                            article.with_user(user).write({"summary": "changed"})
        self.assertFalse(self.articles.filtered(lambda a: a.summary == "changed"))

    def test_attachment_download(self):
        for login, user in self.users.items():
            readable = {
                a.id for a, case in self.cases.items() if self.readable(login, *case)
            }
            for attachment in self.attachments:
                with self.subTest(user=login, attachment=attachment.name):
                    if attachment.res_id in readable:
                        self.assertEqual(attachment.with_user(user).raw, b"sales help")
                    else:
                        with self.assertRaises(AccessError):
                            attachment.with_user(user).read(["raw"])

    def test_portal_and_public_get_nothing(self):
        portal = new_test_user(self.env, login="ka_portal", groups="base.group_portal")
        public = self.env.ref("base.public_user")
        for user in (portal, public):
            with self.assertRaises(AccessError):
                self.Article.with_user(user).search([])
            with self.assertRaises(AccessError):
                self.articles[:1].with_user(user).read(["name"])
            with self.assertRaises(AccessError):
                self.attachments[:1].with_user(user).read(["raw"])

    def test_internal_users_outside_the_sales_force_get_nothing(self):
        clerk = new_test_user(self.env, login="ka_clerk", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.Article.with_user(clerk).search([])

    def test_own_articles(self):
        """Authors read their articles in every state and edit their drafts."""
        mine = self.Article.with_user(self.rep_a).create(
            {"name": "My draft", "tier": "director"}
        )
        self.assertEqual(mine.owner_id, self.rep_a)
        self.assertEqual(
            self.Article.with_user(self.rep_a).search([("name", "=", "My draft")]),
            mine,
        )
        mine.write({"body": "<p>Better</p>"})
        mine.action_submit()
        with self.assertRaises(AccessError):
            mine.write({"body": "<p>Too late</p>"})
        self.assertEqual(mine.with_user(self.rep_a).state, "in_review")
        # a colleague does not see it
        self.assertFalse(
            self.Article.with_user(self.rep_b).search([("id", "=", mine.id)])
        )

    def test_tags_are_shared_configuration(self):
        """Any rep renamed or removed the tags every article uses."""
        Tag = self.env["sfa.knowledge.tag"]
        pricing = Tag.create({"name": "Pricing"})
        new = Tag.with_user(self.rep_a).create({"name": "Trade fairs"})
        self.assertEqual(new.name, "Trade fairs", "a rep tags their draft")
        for user in (self.rep_a, self.supervisor):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    pricing.with_user(user).write({"name": "Free stuff"})
                with self.assertRaises(AccessError):
                    pricing.with_user(user).unlink()
        pricing.with_user(self.manager).write({"name": "Pricing policy"})
        self.assertEqual(pricing.name, "Pricing policy")
