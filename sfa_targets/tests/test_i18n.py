from lxml import etree

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

    def test_the_plans_lines_in_the_readers_language_and_currency(self):
        """The plan form lists its targets by the name the reader reads
        (not the stored one), amounts in the company's currency, and adds up
        no column: its lines measure unlike things (revenue, deals, days)."""
        arch = self.env["sfa.target.plan"].get_view(
            self.env.ref("sfa_targets.sfa_target_plan_view_form").id, "form"
        )["arch"]
        lines = etree.fromstring(arch).xpath("//field[@name='line_ids']/list")[0]
        names = [field.get("name") for field in lines.xpath("./field")]
        self.assertIn("display_name", names)
        self.assertNotIn("name", names)
        for fname in ("target_value", "actual_value"):
            field = lines.xpath(f"./field[@name='{fname}']")[0]
            self.assertEqual(field.get("widget"), "monetary", fname)
            self.assertIsNone(field.get("sum"), fname)
