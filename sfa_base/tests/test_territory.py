from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SfaCase


@tagged("post_install", "-at_install")
class TestTerritory(SfaCase):
    def test_most_specific_territory_wins(self):
        Partner = self.env["res.partner"]
        lille = Partner.create(
            {"name": "Lille Co", "country_id": self.fr.id, "zip": "59800"}
        )
        paris = Partner.create(
            {"name": "Paris Co", "country_id": self.fr.id, "zip": "75001"}
        )
        brussels = Partner.create(
            {"name": "Brussels Co", "country_id": self.be.id, "zip": "1000"}
        )
        self.assertEqual(
            lille.sfa_territory_id, self.t_lille, "city rule beats country rule"
        )
        self.assertEqual(paris.sfa_territory_id, self.t_country)
        self.assertFalse(brussels.sfa_territory_id)

    def test_priority_breaks_ties_at_same_depth(self):
        roubaix = self.env["sfa.territory"].create(
            {
                "name": "Roubaix",
                "code": "FR-N-RBX",
                "type": "city",
                "parent_id": self.t_north.id,
            }
        )
        self.env["sfa.territory.rule"].create(
            {
                "territory_id": roubaix.id,
                "zip_prefixes": "591",
                "priority": 50,
            }
        )
        partner = self.env["res.partner"].create({"name": "Roubaix Co", "zip": "59100"})
        self.assertEqual(partner.sfa_territory_id, roubaix)
        other = self.env["res.partner"].create({"name": "Lille Center", "zip": "59000"})
        self.assertEqual(other.sfa_territory_id, self.t_lille)

    def test_zip_range_and_criteria_combined(self):
        rule = self.t_marseille.rule_ids
        self.assertTrue(rule)
        inside = self.env["res.partner"].create({"name": "In", "zip": "13016"})
        outside = self.env["res.partner"].create({"name": "Out", "zip": "13017"})
        longer = self.env["res.partner"].create({"name": "Long", "zip": "130050"})
        self.assertEqual(inside.sfa_territory_id, self.t_marseille)
        self.assertFalse(outside.sfa_territory_id)
        self.assertFalse(
            longer.sfa_territory_id, "a zip of another length is not in the range"
        )
        industry = self.env["res.partner.industry"].create({"name": "Shipping"})
        rule.industry_ids = industry
        shipping = self.env["res.partner"].create(
            {"name": "Ship", "zip": "13002", "industry_id": industry.id}
        )
        bakery = self.env["res.partner"].create({"name": "Bake", "zip": "13002"})
        self.assertEqual(shipping.sfa_territory_id, self.t_marseille)
        self.assertFalse(bakery.sfa_territory_id, "every filled criterion must match")

    def test_address_change_moves_customer_and_open_deals(self):
        won = self.env["crm.lead"].create(
            {
                "name": "Won before",
                "type": "opportunity",
                "partner_id": self.cust_a.id,
                "user_id": self.rep_a.id,
            }
        )
        won.action_set_won()
        self.cust_a.zip = "13008"
        self.assertEqual(self.cust_a.sfa_territory_id, self.t_marseille)
        self.assertEqual(self.lead_a.sfa_territory_id, self.t_marseille)
        self.assertEqual(
            won.sfa_territory_id, self.t_lille, "closed deals keep their territory"
        )

    def test_manual_territory_locks(self):
        self.cust_a.sfa_territory_id = self.t_south
        self.assertTrue(self.cust_a.sfa_territory_locked)
        self.assertEqual(
            self.lead_a.sfa_territory_id, self.t_south, "open deals follow"
        )
        self.cust_a.zip = "59001"
        self.assertEqual(
            self.cust_a.sfa_territory_id,
            self.t_south,
            "rules leave a locked customer alone",
        )
        self.cust_a.action_sfa_unlock_territory()
        self.assertFalse(self.cust_a.sfa_territory_locked)
        self.assertEqual(self.cust_a.sfa_territory_id, self.t_lille)

    def test_confirming_the_territory_a_rule_gave_locks_it(self):
        self.assertEqual(self.cust_a.sfa_territory_id, self.t_lille)
        self.assertFalse(self.cust_a.sfa_territory_locked)
        self.cust_a.write({"sfa_territory_id": self.t_lille.id})
        self.assertTrue(self.cust_a.sfa_territory_locked)

    def test_rules_in_force_follow_every_change(self):
        """The rules in force are cached: a rule archived or restored, a
        territory archived or restored applies to the next customer created
        in the same transaction."""
        Partner = self.env["res.partner"]

        def territory_of(zip_code):
            return Partner.create(
                {"name": f"Co {zip_code}", "zip": zip_code}
            ).sfa_territory_id

        rule = self.t_marseille.rule_ids
        self.assertEqual(territory_of("13016"), self.t_marseille)
        rule.active = False
        self.assertFalse(territory_of("13016"))
        rule.active = True
        self.assertEqual(territory_of("13016"), self.t_marseille)
        aix = self.env["sfa.territory"].create({"name": "Aix", "code": "FR-S-AIX"})
        self.assertFalse(territory_of("13100"))
        self.env["sfa.territory.rule"].create(
            {"territory_id": aix.id, "zip_prefixes": "131"}
        )
        aix.action_archive()
        self.assertFalse(territory_of("13100"))
        aix.action_unarchive()
        self.assertEqual(territory_of("13100"), aix)

    def test_contacts_follow_company_territory(self):
        contact = self.env["res.partner"].create(
            {"name": "Anna", "parent_id": self.cust_a.id}
        )
        self.assertEqual(contact.sfa_territory_id, self.t_lille)
        self.cust_a.sfa_territory_id = self.t_south
        self.assertEqual(contact.sfa_territory_id, self.t_south)
        self.assertFalse(
            contact.sfa_territory_history_ids, "history is kept on the company only"
        )

    def test_lead_without_customer_uses_its_address(self):
        lead = self.env["crm.lead"].create(
            {"name": "Walk-in", "country_id": self.fr.id, "zip": "13010"}
        )
        self.assertEqual(lead.sfa_territory_id, self.t_marseille)
        lead.partner_id = self.cust_a
        self.assertEqual(lead.sfa_territory_id, self.t_lille)

    def test_history_is_effective_dated(self):
        with freeze_time("2026-01-10"):
            partner = self.env["res.partner"].create(
                {"name": "Dated", "country_id": self.fr.id, "zip": "59000"}
            )
        with freeze_time("2026-03-01"):
            partner.zip = "13001"
        with freeze_time("2026-03-01"):
            partner.zip = "13002"  # same-day correction: no zero-length stay
        with freeze_time("2026-05-15"):
            partner.sfa_territory_id = self.t_north
        history = partner.sfa_territory_history_ids.sorted("date_from")
        self.assertEqual(
            [(h.territory_id, h.date_from, h.date_to, h.reason) for h in history],
            [
                (self.t_lille, date(2026, 1, 10), date(2026, 3, 1), "rule"),
                (self.t_marseille, date(2026, 3, 1), date(2026, 5, 15), "rule"),
                (self.t_north, date(2026, 5, 15), False, "manual"),
            ],
        )
        History = self.env["sfa.territory.history"]
        self.assertEqual(
            History._territory_at(partner.ids, date(2026, 2, 28)),
            {partner.id: self.t_lille.id},
        )
        self.assertEqual(
            History._territory_at(partner.ids, date(2026, 3, 1)),
            {partner.id: self.t_marseille.id},
        )
        self.assertEqual(History._territory_at(partner.ids, date(2026, 1, 9)), {})

    def test_no_context_key_rewrites_the_history(self):
        """Rules and realignments record their moves with a date and reason of
        their own; a rep who sent them in the context used to move a
        customer's territory from its first stay, and the revenue of its past
        deals with it."""
        with freeze_time("2026-01-10"):
            partner = self.env["res.partner"].create(
                {
                    "name": "History Co",
                    "is_company": True,
                    "user_id": self.rep_a.id,
                    "country_id": self.fr.id,
                    "zip": "59000",
                }
            )
        with freeze_time("2026-05-15"):
            partner.with_user(self.rep_a).with_context(
                sfa_territory_auto=True,
                sfa_territory_date="2026-01-10",
                sfa_territory_reason="realignment",
            ).write({"sfa_territory_id": self.t_north.id})
        history = partner.sfa_territory_history_ids.sorted("date_from")
        self.assertEqual(
            [(h.territory_id, h.date_from, h.date_to, h.reason) for h in history],
            [
                (self.t_lille, date(2026, 1, 10), date(2026, 5, 15), "rule"),
                (self.t_north, date(2026, 5, 15), False, "manual"),
            ],
        )
        self.assertTrue(partner.sfa_territory_locked, "a move by hand locks")
        admin = self.env.ref("base.user_admin")
        with self.assertRaisesRegex(AccessError, "set by the system"):
            history[:1].with_user(admin).write({"date_from": "2025-01-01"})
        with self.assertRaisesRegex(AccessError, "cannot be deleted"):
            history[:1].with_user(admin).unlink()

    @mute_logger("odoo.sql_db")
    def test_one_open_stay_enforced_by_database(self):
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["sfa.territory.history"].create(
                {
                    "partner_id": self.cust_a.id,
                    "territory_id": self.t_south.id,
                    "date_from": "2026-01-01",
                }
            )
            self.env.flush_all()

    def test_coverage_figures(self):
        self.lead_b.action_set_won()
        north = self.t_north
        north.invalidate_recordset()
        self.assertEqual(north.rep_count, 2)
        self.assertEqual(north.open_lead_count, 1)
        self.assertEqual(north.open_pipeline, 1000)
        self.assertEqual(north.partner_count, 2)
        self.assertEqual(north.customer_count, 1, "Bravo has a won deal")
        self.assertEqual(north.prospect_count, 1, "Alpha has an open deal")
        self.assertEqual(self.t_country.partner_count, 3)

    # Bad input ----------------------------------------------------------

    def test_cycle_rejected(self):
        with self.assertRaises(UserError):
            self.t_country.parent_id = self.t_lille
        self.assertFalse(self.t_country.parent_id)

    @mute_logger("odoo.sql_db")
    def test_duplicate_code_in_company(self):
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["sfa.territory"].create({"name": "Dup", "code": "FR-N"})
            self.env.flush_all()
        other = self.env["sfa.territory"].create(
            {"name": "Other North", "code": "FR-N", "company_id": self.company_2.id}
        )
        self.assertEqual(other.code, "FR-N", "the same code is fine in another company")

    def test_malformed_zip_ranges(self):
        Rule = self.env["sfa.territory.rule"]
        for values in (
            {"zip_from": "13000"},
            {"zip_from": "13020", "zip_to": "13010"},
            {"zip_from": "1300", "zip_to": "13010"},
            {"zip_from": "13 00*", "zip_to": "13010"},
            {"zip_prefixes": "59, 6?"},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                Rule.create(dict(values, territory_id=self.t_lille.id))
        self.assertEqual(len(self.t_lille.rule_ids), 1)

    def test_member_or_parent_of_other_company(self):
        with self.assertRaises(ValidationError):
            self.t_north.member_ids += self.other_rep
        with self.assertRaises(UserError):
            self.env["sfa.territory"].create(
                {
                    "name": "Foreign child",
                    "code": "X",
                    "parent_id": self.t_north.id,
                    "company_id": self.company_2.id,
                }
            )
        with self.assertRaises(ValidationError):
            self.cust_other.sfa_territory_id = self.t_north

    def test_archiving_territory_with_customers(self):
        with self.assertRaises(UserError):
            self.t_lille.action_archive()
        self.assertTrue(self.t_lille.active)
        with self.assertRaises(UserError):
            self.t_north.action_archive()  # its sub-territory Lille holds customers
        empty = self.env["sfa.territory"].create({"name": "Empty", "code": "EMPTY"})
        empty.action_archive()
        self.assertFalse(empty.active)


@tagged("post_install", "-at_install")
class TestTerritoryMaintenance(SfaCase):
    """Managers maintain their own territories only; directors all of them."""

    def test_the_tree_is_draggable_for_those_who_move_territories(self):
        """Reps and supervisors read the territory tree; a drag would end in
        an access error, so they get none."""
        Territory = self.env["sfa.territory"]
        view = self.env.ref("sfa_base.sfa_territory_view_hierarchy")
        for user, draggable in (
            (self.rep_a, False),
            (self.supervisor, False),
            (self.manager, True),
            (self.director, True),
        ):
            with self.subTest(user=user.login):
                arch = Territory.with_user(user).get_view(view.id, "hierarchy")["arch"]
                self.assertIn(f'draggable="{int(draggable)}"', arch)

    def test_manager_cannot_take_over_a_colleagues_territory(self):
        south = self.t_south.with_user(self.manager)
        with self.assertRaises(AccessError):
            south.write({"manager_id": self.manager.id})
        with self.assertRaises(AccessError):
            self.t_marseille.rule_ids.with_user(self.manager).write(
                {"zip_from": "59000", "zip_to": "59999"}
            )
        with self.assertRaises(AccessError):
            self.env["sfa.territory.rule"].with_user(self.manager).create(
                {"territory_id": self.t_south.id, "zip_prefixes": "13"}
            )
        self.assertEqual(self.t_south.manager_id, self.territory_manager)
        self.assertNotIn(self.lead_c, self.visible_leads(self.manager))

    def test_manager_staffs_own_territory_with_own_team(self):
        north = self.t_north.with_user(self.manager)
        north.write({"member_ids": [(4, self.supervisor.id)]})
        self.assertIn(self.supervisor, self.t_north.member_ids)
        with self.assertRaises(AccessError):
            north.write({"member_ids": [(4, self.rep_c.id)]})
        with self.assertRaises(AccessError):
            self.t_lille.with_user(self.manager).write(
                {"manager_id": self.manager_2.id}
            )
        child = (
            self.env["sfa.territory"]
            .with_user(self.manager)
            .create(
                {"name": "Roubaix", "code": "FR-N-RBX", "parent_id": self.t_north.id}
            )
        )
        self.assertEqual(child.parent_id, self.t_north)
        with self.assertRaises(AccessError):
            self.env["sfa.territory"].with_user(self.manager).create(
                {"name": "Nice", "code": "FR-S-NCE", "parent_id": self.t_south.id}
            )

    def test_manager_adds_territories_under_their_own_only(self):
        """A manager opened a territory under another region, named himself
        its manager and gave it a zip rule: that region's customers landed in
        it and he read them."""
        Territory = self.env["sfa.territory"].with_user(self.manager)
        with self.assertRaisesRegex(AccessError, "Only a director"):
            Territory.create(
                {
                    "name": "Lyon",
                    "code": "FR-S-LYS",
                    "parent_id": self.t_south.id,
                    "manager_id": self.manager.id,
                }
            )
        with self.assertRaisesRegex(AccessError, "Only a director"):
            Territory.create(
                {"name": "Mine", "code": "TOP", "manager_id": self.manager.id}
            )
        with self.assertRaisesRegex(AccessError, "Only a director"):
            self.t_lille.with_user(self.manager).write({"parent_id": self.t_south.id})
        self.assertEqual(self.t_lille.parent_id, self.t_north)
        self.assertFalse(
            self.env["sfa.territory"].search([("code", "in", ("FR-S-LYS", "TOP"))])
        )

    def test_rules_take_only_what_the_rules_above_take(self):
        """A rule below a territory with rules stays within them: a manager's
        zip 13 rule under North takes no customer of the South."""
        Rule = self.env["sfa.territory.rule"]
        Rule.create({"territory_id": self.t_north.id, "zip_prefixes": "59, 62"})
        Rule.create({"territory_id": self.t_south.id, "zip_prefixes": "13"})
        greedy = (
            self.env["sfa.territory"]
            .with_user(self.manager)
            .create(
                {"name": "Greedy", "code": "FR-N-GRD", "parent_id": self.t_north.id}
            )
        )
        Rule.with_user(self.manager).create(
            {"territory_id": greedy.id, "zip_prefixes": "13, 62"}
        )
        south = self.env["res.partner"].create(
            {
                "name": "Aix Co",
                "is_company": True,
                "country_id": self.fr.id,
                "zip": "13100",
            }
        )
        north = self.env["res.partner"].create(
            {
                "name": "Arras Co",
                "is_company": True,
                "country_id": self.fr.id,
                "zip": "62000",
            }
        )
        self.assertEqual(south.sfa_territory_id, self.t_south)
        self.assertEqual(north.sfa_territory_id, greedy)
        south.user_id = self.rep_c
        self.assertFalse(
            self.env["res.partner"]
            .with_user(self.manager)
            .search([("id", "=", south.id)])
        )
        self.assertEqual(self.cust_c.sfa_territory_id, self.t_marseille)

    def test_a_rule_that_can_never_act_is_refused(self):
        """A rule outside the reach of the rules above it (zip 69 under a
        North of zips 59 and 62, Belgium under France) is refused with the
        reason, and so is a change above that strands a rule below."""
        Rule = self.env["sfa.territory.rule"]
        Rule.create({"territory_id": self.t_north.id, "zip_prefixes": "59, 62"})
        lyon = (
            self.env["sfa.territory"]
            .with_user(self.manager)
            .create({"name": "Lyon", "code": "FR-N-LYS", "parent_id": self.t_north.id})
        )
        with self.assertRaises(ValidationError) as refused:
            Rule.with_user(self.manager).create(
                {"territory_id": lyon.id, "zip_prefixes": "69"}
            )
        self.assertRegex(str(refused.exception), "can never act.*North")
        with self.assertRaises(ValidationError) as refused:
            Rule.create(
                {
                    "territory_id": lyon.id,
                    "country_ids": [(6, 0, self.env.ref("base.be").ids)],
                }
            )
        self.assertRegex(str(refused.exception), "can never act.*France")
        with self.assertRaises(ValidationError) as refused:
            Rule.create(
                {"territory_id": lyon.id, "zip_from": "69000", "zip_to": "69999"}
            )
        self.assertRegex(str(refused.exception), "can never act")
        # a range that crosses 62 acts on it, a longer prefix of 59 too
        Rule.create({"territory_id": lyon.id, "zip_from": "61500", "zip_to": "62500"})
        Rule.create({"territory_id": lyon.id, "zip_prefixes": "5910"})
        # North giving up 59 would strand Lille's rule (and Lyon's 5910)
        north_rule = self.t_north.rule_ids
        with self.assertRaises(ValidationError) as refused:
            north_rule.zip_prefixes = "62"
        self.assertRegex(str(refused.exception), "can never act")
        # so would moving Lille (zip 59) under a South of zip 13
        Rule.create({"territory_id": self.t_south.id, "zip_prefixes": "13"})
        with self.assertRaises(ValidationError) as refused:
            self.t_lille.parent_id = self.t_south
        self.assertRegex(str(refused.exception), "Lille can never act.*South")
        self.assertEqual(self.t_lille.parent_id, self.t_north)

    def test_director_maintains_everything(self):
        self.t_south.with_user(self.director).write({"manager_id": self.manager.id})
        self.assertIn(self.lead_c, self.visible_leads(self.manager))

    def test_rep_cannot_edit_territories(self):
        with self.assertRaises(AccessError):
            self.t_lille.with_user(self.rep_a).write({"name": "Mine"})
        self.assertTrue(self.t_lille.with_user(self.rep_a).read(["name"]))

    def test_other_company_territories_never_assigned(self):
        benelux = self.env["sfa.territory"].create(
            {"name": "Benelux", "code": "BNL", "company_id": self.company_2.id}
        )
        self.env["sfa.territory.rule"].create(
            {"territory_id": benelux.id, "country_ids": [(6, 0, self.be.ids)]}
        )
        shared = self.env["res.partner"].create(
            {"name": "Brussels Shared", "is_company": True, "country_id": self.be.id}
        )
        self.assertFalse(shared.sfa_territory_id)
        lead = self.env["crm.lead"].create({"name": "BE deal", "partner_id": shared.id})
        self.assertFalse(lead.sfa_territory_id)
        other = (
            self.env["res.partner"]
            .with_company(self.company_2)
            .create(
                {
                    "name": "Antwerp Co",
                    "is_company": True,
                    "country_id": self.be.id,
                    "company_id": self.company_2.id,
                }
            )
        )
        self.assertEqual(other.sfa_territory_id, benelux)
