from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import SfaCase


@tagged("post_install", "-at_install")
class TestRealignment(SfaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # New city carved out of Lille's zips: 591xx now belongs to Roubaix.
        cls.t_roubaix = cls.env["sfa.territory"].create(
            {
                "name": "Roubaix",
                "code": "FR-N-RBX",
                "type": "city",
                "parent_id": cls.t_north.id,
                "member_ids": [(6, 0, cls.rep_c.ids)],
            }
        )
        cls.env["sfa.territory.rule"].create(
            {
                "territory_id": cls.t_roubaix.id,
                "zip_prefixes": "591",
                "priority": 50,
            }
        )
        cls.locked = cls.env["res.partner"].create(
            {
                "name": "Locked Co",
                "is_company": True,
                "zip": "59150",
                "user_id": cls.rep_a.id,
                "sfa_territory_id": cls.t_lille.id,
            }
        )

    def counts(self):
        Partner = self.env["res.partner"].with_context(active_test=False)
        Lead = self.env["crm.lead"].with_context(active_test=False)
        return (
            Partner.search_count([("sfa_is_customer", "=", True)]),
            Lead.search_count([]),
        )

    def wizard(self, user=None, **values):
        Wizard = self.env["sfa.realignment.wizard"]
        if user:
            Wizard = Wizard.with_user(user)
        return Wizard.create(values)

    def test_preview_then_apply(self):
        self.assertEqual(
            self.cust_b.sfa_territory_id, self.t_lille, "created before Roubaix's rule"
        )
        before = self.counts()
        wizard = self.wizard(self.manager)
        wizard.action_preview()
        self.assertEqual(wizard.state, "preview")
        self.assertEqual(
            [
                (
                    line.from_territory_id,
                    line.to_territory_id,
                    line.partner_count,
                    line.lead_count,
                )
                for line in wizard.line_ids
            ],
            [(self.t_lille, self.t_roubaix, 1, 1)],
            "Bravo (59100) moves with its open deal; the locked customer stays",
        )
        self.assertEqual(
            self.cust_b.sfa_territory_id, self.t_lille, "preview changes nothing"
        )
        wizard.action_apply()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(self.cust_b.sfa_territory_id, self.t_roubaix)
        self.assertEqual(self.lead_b.sfa_territory_id, self.t_roubaix)
        self.assertEqual(self.locked.sfa_territory_id, self.t_lille)
        self.assertEqual(self.cust_b.user_id, self.rep_b, "owners stay unless asked")
        self.assertEqual(self.counts(), before, "nothing lost")
        summary = self.t_roubaix.message_ids[0].body
        self.assertIn(
            "from France / North / Lille to France / North / Roubaix. "
            "Customers moved: 1; open deals moved: 1.",
            summary,
        )
        self.assertEqual(
            wizard.result_message,
            "Realignment applied. Customers moved: 1; open deals moved: 1; "
            "owner changes: 0.",
        )

    def test_effective_dated_history(self):
        self.t_roubaix.rule_ids.active = False  # customers created under the old map
        with freeze_time("2026-01-15"):
            delta = self.env["res.partner"].create(
                {"name": "Delta", "is_company": True, "zip": "59170"}
            )
        with freeze_time("2026-06-20"):
            late = self.env["res.partner"].create(
                {"name": "Late", "is_company": True, "zip": "59180"}
            )
        self.assertEqual((delta | late).sfa_territory_id, self.t_lille)
        self.t_roubaix.with_context(active_test=False).rule_ids.active = True
        with freeze_time("2026-06-30"):
            wizard = self.wizard(date_effective=date(2026, 6, 1))
            wizard.action_preview()
            wizard.action_apply()
        History = self.env["sfa.territory.history"]
        # a report of May still puts Delta in Lille, of June in Roubaix
        self.assertEqual(
            History._territory_at(delta.ids, date(2026, 5, 31)),
            {delta.id: self.t_lille.id},
        )
        self.assertEqual(
            History._territory_at(delta.ids, date(2026, 6, 1)),
            {delta.id: self.t_roubaix.id},
        )
        stays = delta.sfa_territory_history_ids.sorted("date_from")
        self.assertEqual(
            [(s.territory_id, s.date_from, s.date_to, s.reason) for s in stays],
            [
                (self.t_lille, date(2026, 1, 15), date(2026, 6, 1), "rule"),
                (self.t_roubaix, date(2026, 6, 1), False, "realignment"),
            ],
        )
        # a customer created after the effective date moves from its creation
        self.assertEqual(
            [(s.territory_id, s.date_from) for s in late.sfa_territory_history_ids],
            [(self.t_roubaix, date(2026, 6, 20))],
        )
        self.assertEqual(History._territory_at(late.ids, date(2026, 6, 10)), {})

    def test_reassign_owners_to_new_territory_members(self):
        wizard = self.wizard(self.manager, reassign_owner=True)
        wizard.action_preview()
        wizard.action_apply()
        self.assertEqual(self.cust_b.user_id, self.rep_c)
        self.assertEqual(
            self.lead_b.user_id, self.rep_c, "open deals follow the customer"
        )
        self.assertEqual(wizard.owner_change_count, 1)

    def test_visibility_after_realignment(self):
        # The South manager takes Roubaix over: Bravo becomes visible to them.
        self.t_roubaix.parent_id = self.t_south
        self.assertNotIn(self.lead_b, self.visible_leads(self.territory_manager))
        wizard = self.wizard()
        wizard.action_preview()
        wizard.action_apply()
        self.assertIn(self.lead_b, self.visible_leads(self.territory_manager))
        self.assertIn(self.cust_b, self.visible_customers(self.territory_manager))
        self.assertNotIn(self.cust_a, self.visible_customers(self.territory_manager))
        self.assertIn(
            self.lead_b,
            self.visible_leads(self.supervisor),
            "the reporting line still applies",
        )

    def test_scope_limited_to_a_territory(self):
        self.env["sfa.territory.rule"].create(
            {"territory_id": self.t_south.id, "zip_prefixes": "13"}
        )
        # Charlie would move from Marseille to South only if the deeper city rule lost;
        # it does not, so nothing moves there. Limiting to Marseille leaves Bravo alone.
        wizard = self.wizard(territory_id=self.t_marseille.id)
        wizard.action_preview()
        self.assertFalse(wizard.line_ids)

    def test_rep_cannot_realign(self):
        with self.assertRaises(AccessError):
            self.wizard(self.rep_a)

    def test_apply_needs_preview_and_no_future_date(self):
        wizard = self.wizard()
        with self.assertRaises(UserError):
            wizard.action_apply()
        with self.assertRaises(ValidationError):
            self.wizard(date_effective=date(2999, 1, 1))
        with self.assertRaises(ValidationError):
            wizard.date_effective = date(2999, 1, 1)
        self.assertEqual(self.cust_b.sfa_territory_id, self.t_lille)

    def test_manager_realigns_only_their_territories(self):
        # South's manager is someone else: a rule pulling Bravo's zip into South
        # must not let our manager move it there.
        self.env["sfa.territory.rule"].create(
            {"territory_id": self.t_marseille.id, "zip_prefixes": "591", "priority": 90}
        )
        self.t_marseille.parent_id = self.t_south
        wizard = self.wizard(self.manager)
        self.assertEqual(
            wizard.territory_id, self.t_north, "defaults to their territory"
        )
        wizard.action_preview()
        self.assertNotIn(self.t_marseille, wizard.line_ids.to_territory_id)
        with self.assertRaises(AccessError):
            self.wizard(self.manager, territory_id=self.t_south.id).action_preview()
