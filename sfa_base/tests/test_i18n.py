from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_roles_and_errors_in_users_languages(self):
        langs = ("zh_CN", "zh_TW", "vi_VN")
        for lang in langs:
            self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(["sfa_base"], list(langs))
        group = self.env.ref("sfa_base.group_sfa_rep")
        names = {lang: group.with_context(lang=lang).name for lang in langs}
        self.assertEqual(
            names,
            {"zh_CN": "销售代表", "zh_TW": "銷售代表", "vi_VN": "Nhân viên kinh doanh"},
        )
        territory = self.env["sfa.territory"].create({"name": "T", "code": "T1"})
        self.env["res.partner"].create(
            {"name": "Held", "sfa_territory_id": territory.id}
        )
        with self.assertRaises(UserError) as caught:
            territory.with_context(lang="vi_VN").action_archive()
        self.assertIn("Khu vực bán hàng", str(caught.exception))

    def test_the_value_guard_speaks_the_users_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["sfa_base"], ["zh_CN"])
        partner = self.env["res.partner"].create({"name": "Guarded"})
        with self.assertRaises(UserError) as caught:
            partner.with_context(lang="zh_CN").with_user(
                self.env.ref("base.user_admin")
            ).write({"sfa_last_contact_date": "2026-01-01"})
        self.assertIn("由系统设置", str(caught.exception))
