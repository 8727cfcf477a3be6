from odoo.tests import tagged

from odoo.addons.sfa_base.tests.common import SfaCase


@tagged("post_install", "-at_install")
class TestStageHistory(SfaCase):
    def test_placeholder(self):
        self.assertTrue(self.lead_a.sfa_stage_history_ids)
