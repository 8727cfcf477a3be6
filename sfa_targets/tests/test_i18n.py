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

    def test_a_saved_target_reads_in_the_readers_language(self):
        """The name is stored in the language it was saved in; readers see it
        in theirs, and amounts carry the company's currency (counts none)."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["sfa_targets"], ["zh_CN"])
        line = self.company_line(100)
        self.assertIn("Won Revenue", line.name)
        chinese = line.with_context(lang="zh_CN")
        self.assertIn("赢单收入", chinese.display_name)
        self.assertNotIn("Won Revenue", chinese.display_name)
        self.assertEqual(line.value_currency_id, self.company.currency_id)
        self.assertFalse(self.company_line(3, metric="won_deals").value_currency_id)
