from lxml import etree

from odoo.exceptions import ValidationError
from odoo.tests import Form, TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.sfa_base.tests.common import SfaCase


@tagged("post_install", "-at_install")
class TestProgressBars(TransactionCase):
    def test_a_bar_past_its_target_is_not_drawn_grey(self):
        """Odoo draws a progress bar past 100 % in grey (``bg-secondary``):
        160 % of a target would read as nothing done. Every bar of the SFA
        views says how to draw it past the end."""
        views = self.env["ir.ui.view"].search(
            [("model_data_id.module", "=like", "sfa\\_%")]
        )
        bars = []
        for view in views:
            for node in etree.fromstring(view.arch_db).iter("field"):
                if node.get("widget") != "progressbar":
                    continue
                options = safe_eval(node.get("options") or "{}")
                bars.append(
                    (view.xml_id, node.get("name"), options.get("overflow_class"))
                )
        self.assertGreaterEqual(len(bars), 10)
        grey = [bar for bar in bars if bar[2] in (None, "bg-secondary")]
        self.assertFalse(grey, "bars drawn grey past 100 %")
        attainments = {cls for _view, name, cls in bars if "attainment" in name}
        self.assertEqual(attainments, {"bg-success"})


@tagged("post_install", "-at_install")
class TestDirectorSettings(SfaCase):
    def test_director_sets_credit_value_weights_and_alert_pace(self):
        """The settings of the director's trade, without Odoo's Settings."""
        form = Form(self.env["sfa.settings"].with_user(self.director))
        form.sfa_credit_closer_share = 40
        form.sfa_value_weight_purchase = 40
        form.sfa_value_weight_credit = 20
        form.sfa_value_weight_profit = 20
        form.sfa_value_weight_relationship = 20
        form.sfa_alert_pace = 70
        form.save()
        company = self.company
        self.assertEqual(
            (
                company.sfa_credit_closer_share,
                company.sfa_value_weight_purchase,
                company.sfa_alert_pace,
            ),
            (40, 40, 70),
        )
        # weights that do not add up are refused, nothing written
        with self.assertRaises(ValidationError):
            self.env["sfa.settings"].with_user(self.director).create(
                {"sfa_value_weight_purchase": 90}
            )
        self.assertEqual(company.sfa_value_weight_purchase, 40)
