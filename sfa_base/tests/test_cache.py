from contextlib import contextmanager
from unittest.mock import patch

from odoo.orm.registry import Registry
from odoo.tests import tagged

from .common import SfaCase


@tagged("post_install", "-at_install")
class TestCache(SfaCase):
    """Changes of the reporting line, the territories and the shares start a
    new generation of the SFA caches; Odoo's own caches are not cleared (a
    full clear costs every worker of every server its rule, access and view
    caches)."""

    @contextmanager
    def assert_no_cache_clearing(self):
        cleared = []
        original = Registry.clear_cache

        def spy(registry, *names):
            cleared.append(names or ("default",))
            return original(registry, *names)

        with patch.object(Registry, "clear_cache", spy):
            yield
            self.env.flush_all()
        self.assertFalse(
            [names for names in cleared if {"default", "stable"} & set(names)],
            "Odoo's default cache was cleared",
        )

    def visible_leads(self, user):
        return self.env["crm.lead"].with_user(user).search([("id", "in", self.leads)])

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leads = cls.env["crm.lead"].search([]).ids

    def test_reporting_line_change(self):
        lead_c = self.env["crm.lead"].create(
            {"name": "Charlie's deal", "user_id": self.rep_c.id}
        )
        self.leads.append(lead_c.id)
        self.assertNotIn(lead_c, self.visible_leads(self.supervisor))
        with self.assert_no_cache_clearing():
            self.rep_c.sfa_manager_id = self.supervisor
        self.assertIn(lead_c, self.visible_leads(self.supervisor))
        with self.assert_no_cache_clearing():
            self.rep_c.sfa_manager_id = self.manager_2
        self.assertNotIn(lead_c, self.visible_leads(self.supervisor))

    def test_territory_manager_change(self):
        Territory = self.env["sfa.territory"]
        self.assertFalse(
            Territory.with_user(self.supervisor).search(
                [("sfa_in_my_scope", "=", True)]
            )
        )
        with self.assert_no_cache_clearing():
            self.t_south.manager_id = self.supervisor
        mine = Territory.with_user(self.supervisor).search(
            [("sfa_in_my_scope", "=", True)]
        )
        self.assertEqual(mine, self.t_south | self.t_marseille)
        # the rule domain Odoo caches per user names no territory
        domain = (
            self.env["ir.rule"]
            .with_user(self.manager)
            ._compute_domain("sfa.territory", "write")
        )
        self.assertIn("sfa_in_my_scope", str(domain))

    def test_share_grant_and_revoke(self):
        lead_c = self.env["crm.lead"].create(
            {"name": "Charlie's deal", "user_id": self.rep_c.id}
        )
        self.leads.append(lead_c.id)
        self.assertNotIn(lead_c, self.visible_leads(self.rep_a))
        with self.assert_no_cache_clearing():
            share = (
                self.env["sfa.share"]
                .with_user(self.rep_c)
                .create(
                    {
                        "res_model": "crm.lead",
                        "res_id": lead_c.id,
                        "user_id": self.rep_a.id,
                        "access": "read",
                    }
                )
            )
        self.assertIn(lead_c, self.visible_leads(self.rep_a))
        with self.assert_no_cache_clearing():
            share.unlink()
        self.assertNotIn(lead_c, self.visible_leads(self.rep_a))

    def test_generation_is_never_reused(self):
        """A generation undone by a rollback is not given again: values cached
        under it by this transaction must never pass for current ones."""
        Cache = self.env["sfa.cache"]
        before = Cache._sfa_generation("test")
        savepoint = self.env.cr.savepoint()
        Cache._sfa_invalidate("test")
        undone = Cache._sfa_generation("test")
        savepoint.close(rollback=True)
        Cache._sfa_invalidate("test")
        after = Cache._sfa_generation("test")
        self.assertNotIn(after, (before, undone))
        self.assertNotEqual(undone, before)

    def test_generation_read_once_per_transaction(self):
        Cache = self.env["sfa.cache"]
        Cache._sfa_generation("test")
        self.env["res.users"]._sfa_scope(self.rep_a.id)
        with self.assertQueryCount(0):
            Cache._sfa_generation("test")
            self.env["res.users"]._sfa_scope(self.rep_a.id)
