from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.sfa_base.tests.common import SfaCase

LANGS = ("zh_CN", "zh_TW", "vi_VN")


@tagged("post_install", "-at_install")
class TestPerformanceTranslations(SfaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in LANGS:
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(["sfa_performance"], list(LANGS))

    def test_menu_and_mail_subject(self):
        menu = self.env.ref("sfa_performance.menu_sfa_customer_value")
        self.assertEqual(
            {lang: menu.with_context(lang=lang).name for lang in LANGS},
            {"zh_CN": "客户价值", "zh_TW": "客戶價值", "vi_VN": "Giá trị khách hàng"},
        )
        alert = self.env["sfa.performance.alert"].create(
            {
                "user_id": self.rep_a.id,
                "date": "2026-06-20",
                "kind": "owner",
                "partner_ids": [(6, 0, self.cust_a.ids)],
            }
        )
        self.assertEqual(
            {lang: alert.with_context(lang=lang)._sfa_mail_subject() for lang in LANGS},
            {
                "zh_CN": "您的预警：1 个客户待联系",
                "zh_TW": "您的警示：1 位客戶待聯絡",
                "vi_VN": "Cảnh báo của bạn: 1 khách hàng cần liên hệ",
            },
        )

    def test_error_in_users_language(self):
        with self.assertRaises(ValidationError) as caught:
            self.company.with_context(lang="vi_VN").write(
                {"sfa_value_weight_purchase": 50}
            )
        self.assertIn(
            "không được âm và phải có tổng bằng 100 % (hiện tổng là 120.0 %)",
            str(caught.exception),
        )
