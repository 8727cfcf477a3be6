from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import KnowledgeCase

LANGS = ("zh_CN", "zh_TW", "vi_VN")


@tagged("post_install", "-at_install")
class TestKnowledgeTranslations(KnowledgeCase):
    def test_menu_button_and_error(self):
        for lang in LANGS:
            self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(["sfa_knowledge"], list(LANGS))
        menu = self.env.ref("sfa_knowledge.menu_sfa_knowledge")
        self.assertEqual(
            {lang: menu.with_context(lang=lang).name for lang in LANGS},
            {"zh_CN": "知识库", "zh_TW": "知識庫", "vi_VN": "Kho kiến thức"},
        )
        field = self.env["crm.lead"]._fields["sfa_guidance_count"]
        self.assertEqual(
            {
                lang: field.get_description(self.env(context={"lang": lang}))["string"]
                for lang in LANGS
            },
            {"zh_CN": "销售指引", "zh_TW": "銷售指引", "vi_VN": "Hướng dẫn bán hàng"},
        )
        article = self.Article.with_user(self.rep_a).create({"name": "Mine"})
        with self.assertRaises(AccessError) as caught:
            article.with_context(lang="zh_CN").action_publish()
        self.assertIn("只有销售经理和销售总监可以发布或归档文章", str(caught.exception))
