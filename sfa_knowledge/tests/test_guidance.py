from odoo.tests import tagged

from .common import KnowledgeCase


@tagged("post_install", "-at_install")
class TestGuidance(KnowledgeCase):
    """Deal B of rep_b is in Proposition and sells a Widget. Published for
    everyone: an article for Proposition and one for Widgets; not for it: a
    directors' article for Proposition, a draft for Proposition, an article
    for New, and an article for Proposition restricted to the South."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.widget = env["product.product"].create({"name": "Widget"})
        cls.lead_b.write(
            {
                "stage_id": cls.stage_proposal.id,
                "sfa_line_ids": [(0, 0, {"product_id": cls.widget.id})],
            }
        )
        published = {"state": "published"}
        cls.for_stage = cls.article(
            "Objections", stage_ids=[(6, 0, cls.stage_proposal.ids)], **published
        )
        cls.for_product = cls.article(
            "Widget arguments",
            product_ids=[(6, 0, cls.widget.product_tmpl_id.ids)],
            **published,
        )
        cls.for_directors = cls.article(
            "Pricing strategy",
            tier="director",
            stage_ids=[(6, 0, cls.stage_proposal.ids)],
            **published,
        )
        cls.article("Unfinished", stage_ids=[(6, 0, cls.stage_proposal.ids)])
        cls.article("First call", stage_ids=[(6, 0, cls.stage_new.ids)], **published)
        cls.for_south = cls.article(
            "South pricing",
            stage_ids=[(6, 0, cls.stage_proposal.ids)],
            territory_ids=[(6, 0, cls.t_south.ids)],
            **published,
        )

    def guidance(self, user):
        lead = self.lead_b.with_user(user)
        action = lead.action_sfa_guidance()
        return lead.sfa_guidance_count, self.Article.with_user(user).search(
            action["domain"]
        )

    def test_guidance_per_reader(self):
        count, articles = self.guidance(self.rep_b)
        self.assertEqual(articles, self.for_stage | self.for_product)
        self.assertEqual(count, 2)
        count, articles = self.guidance(self.director)
        self.assertEqual(
            articles,
            self.for_stage | self.for_product | self.for_directors | self.for_south,
        )
        self.assertEqual(count, 4)

    def test_guidance_follows_the_stage(self):
        self.lead_b.stage_id = self.stage_new
        self.lead_b.sfa_line_ids.unlink()
        _count, articles = self.guidance(self.rep_b)
        self.assertEqual(articles.mapped("name"), ["First call"])

    def test_guidance_in_the_readers_language(self):
        """An article written in Chinese guides the Chinese-speaking rep, not
        the English-speaking one; one for every language guides both."""
        self.env["res.lang"]._activate_lang("zh_CN")
        chinese = self.article(
            "报价异议处理",
            stage_ids=[(6, 0, self.stage_proposal.ids)],
            lang_id=self.env["res.lang"]._lang_get("zh_CN").id,
            state="published",
        )
        self.for_product.lang_id = False
        self.assertEqual(self.for_stage.lang_id.code, "en_US", "the writer's")
        _count, articles = self.guidance(self.rep_b)
        self.assertEqual(articles, self.for_stage | self.for_product)
        self.rep_b.lang = "zh_CN"
        count, articles = self.guidance(self.rep_b)
        self.assertEqual(articles, chinese | self.for_product)
        self.assertEqual(count, 2)
        self.assertEqual(
            self.Article.with_user(self.rep_b).search(
                [("in_my_language", "=", True), ("id", "in", articles.ids)]
            ),
            chinese | self.for_product,
        )

    def test_guidance_served_read_only(self):
        """The Guidance button and the revisions only open views: Odoo's RPC
        routes serve them on a read-only cursor (a replica's when there is one)."""
        for model, method in (
            ("crm.lead", "action_sfa_guidance"),
            ("sfa.knowledge.article", "action_open_revisions"),
        ):
            flags = [
                getattr(cls, method)._readonly
                for cls in self.registry[model].mro()
                if hasattr(getattr(cls, method, None), "_readonly")
            ]
            self.assertTrue(flags and flags[0], f"{model}.{method}")
