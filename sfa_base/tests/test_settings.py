from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import SfaCase


@tagged("post_install", "-at_install")
class TestSalesForceSettings(SfaCase):
    """The director, who administers no database, changes the company's
    sales force settings in Sales Force Settings; nobody else does."""

    def test_director_saves_the_company_settings(self):
        self.assertFalse(self.director.has_group("base.group_system"))
        Settings = self.env["sfa.settings"].with_user(self.director)
        form = Form(Settings)
        self.assertEqual(form.sfa_dormant_days, self.company.sfa_dormant_days)
        form.sfa_dormant_days = 45
        form.sfa_contact_email = False
        settings = form.save()
        self.assertEqual(settings.action_save()["params"]["type"], "success")
        self.assertEqual(self.company.sfa_dormant_days, 45)
        self.assertFalse(self.company.sfa_contact_email)

    def test_nobody_else_and_no_other_company(self):
        for user in (self.rep_a, self.supervisor, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["sfa.settings"].with_user(user).create({"sfa_dormant_days": 1})
        # a company of someone else, sent by hand
        with self.assertRaises(AccessError):
            self.env["sfa.settings"].with_user(self.director).create(
                {"company_id": self.company_2.id, "sfa_dormant_days": 1}
            )
        self.assertNotEqual(self.company.sfa_dormant_days, 1)
        self.assertNotEqual(self.company_2.sfa_dormant_days, 1)

    def test_settings_follow_the_companys_own_checks(self):
        before = self.company.sfa_dormant_days
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.cr.savepoint(),
        ):
            self.env["sfa.settings"].with_user(self.director).create(
                {"sfa_dormant_days": -5}
            )
            self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(self.company.sfa_dormant_days, before)
