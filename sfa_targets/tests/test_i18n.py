from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TargetCase


@tagged("post_install", "-at_install")
class TestTargetTranslations(TargetCase):
    def test_labels_and_errors_in_users_languages(self):
        langs = ("zh_CN", "zh_TW", "vi_VN")
        for lang in langs:
            self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(["sfa_targets"], list(langs))
        Line = self.env["sfa.target.line"]
        labels = {
            lang: dict(
                Line.with_context(lang=lang)
                ._fields["metric"]
                ._description_selection(Line.with_context(lang=lang).env)
            )["won_revenue"]
            for lang in langs
        }
        self.assertEqual(
            labels,
            {"zh_CN": "赢单收入", "zh_TW": "贏單收入", "vi_VN": "Doanh thu thắng"},
        )
        with self.assertRaises(ValidationError) as caught:
            self.company_line(100).with_context(lang="vi_VN").write(
                {"target_value": -1}
            )
        self.assertIn("Mục tiêu không được âm", str(caught.exception))
