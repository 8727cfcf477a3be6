from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SfaCase


@tagged("post_install", "-at_install")
class TestVisibility(SfaCase):
    def expected_leads(self):
        return {
            self.rep_a: self.lead_a | self.lead_free,
            self.rep_b: self.lead_b | self.lead_free,
            self.rep_c: self.lead_c | self.lead_free,
            self.supervisor: self.lead_a | self.lead_b | self.lead_free,
            self.manager: self.lead_a | self.lead_b | self.lead_free,
            self.manager_2: self.lead_c | self.lead_free,
            self.territory_manager: self.lead_c | self.lead_free,
            self.director: self.lead_a | self.lead_b | self.lead_c | self.lead_free,
            self.other_rep: self.lead_other,
        }

    def expected_customers(self):
        return {
            self.rep_a: self.cust_a | self.cust_free,
            self.rep_b: self.cust_b | self.cust_free,
            self.rep_c: self.cust_c | self.cust_free,
            self.supervisor: self.cust_a | self.cust_b | self.cust_free,
            self.manager: self.cust_a | self.cust_b | self.cust_free,
            self.manager_2: self.cust_c | self.cust_free,
            self.territory_manager: self.cust_c | self.cust_free,
            self.director: self.cust_a | self.cust_b | self.cust_c | self.cust_free,
            # an unowned partner shared between companies is everyone's
            self.other_rep: self.cust_other | self.cust_free,
        }

    def test_territories_assigned(self):
        self.assertEqual(self.cust_a.sfa_territory_id, self.t_lille)
        self.assertEqual(self.cust_c.sfa_territory_id, self.t_marseille)
        self.assertEqual(self.lead_a.sfa_territory_id, self.t_lille)
        self.assertEqual(self.lead_c.sfa_territory_id, self.t_marseille)

    def test_search_leads_per_role(self):
        for user, expected in self.expected_leads().items():
            with self.subTest(user=user.login):
                self.assertEqual(self.visible_leads(user), expected)

    def test_search_customers_per_role(self):
        for user, expected in self.expected_customers().items():
            with self.subTest(user=user.login):
                self.assertEqual(self.visible_customers(user), expected)

    def test_read_write_unlink_leads(self):
        for user, expected in self.expected_leads().items():
            hidden = self.all_leads - expected
            for lead in hidden:
                with self.subTest(user=user.login, lead=lead.name):
                    with self.assertRaises(AccessError):
                        lead.with_user(user).read(["name"])
                    with self.assertRaises(AccessError):
                        lead.with_user(user).write({"description": "x"})
                    with self.assertRaises(AccessError):
                        lead.with_user(user).unlink()
        # what is visible is editable (no read-only share in this fixture)
        self.lead_a.with_user(self.supervisor).write({"expected_revenue": 1500})
        self.assertEqual(self.lead_a.expected_revenue, 1500)
        self.lead_c.with_user(self.territory_manager).write({"priority": "2"})
        self.assertEqual(self.lead_c.priority, "2")

    def test_read_write_customers(self):
        for user, expected in self.expected_customers().items():
            for partner in self.all_customers - expected:
                with self.subTest(user=user.login, partner=partner.name):
                    with self.assertRaises(AccessError):
                        partner.with_user(user).read(["name"])
                    with self.assertRaises(AccessError):
                        partner.with_user(user).write({"comment": "x"})
        self.cust_b.with_user(self.manager).write({"phone": "+33 3 20 00 00 00"})
        self.assertEqual(self.cust_b.phone, "+33 3 20 00 00 00")

    def test_customers_unlink_export_read_group(self):
        self.manager.group_ids += self.env.ref("base.group_partner_manager")
        with self.assertRaises(AccessError):
            self.cust_c.with_user(self.manager).unlink()
        mine = self.env["res.partner"].create(
            {"name": "Scratch", "user_id": self.rep_b.id}
        )
        mine.with_user(self.manager).unlink()
        self.assertFalse(mine.exists())
        self.manager.group_ids += self.env.ref("base.group_allow_export")
        Partner = self.env["res.partner"].with_user(self.manager)
        rows = Partner.search([("id", "in", self.all_customers.ids)]).export_data(
            ["name"]
        )["datas"]
        self.assertEqual(
            {r[0] for r in rows}, {"Alpha SARL", "Bravo SA", "Unowned Prospect"}
        )
        groups = Partner.formatted_read_group(
            [("id", "in", self.all_customers.ids)], ["sfa_territory_id"], ["__count"]
        )
        counts = {
            g["sfa_territory_id"][0] if g["sfa_territory_id"] else False: g["__count"]
            for g in groups
        }
        self.assertEqual(counts, {self.t_lille.id: 2, False: 1})
        names = Partner.name_search("a")
        self.assertNotIn(self.cust_c.id, [n[0] for n in names])

    def test_colleagues_partners_are_everyones(self):
        """A colleague whose partner has a salesperson set (Odoo's demo does
        it) wrote on a customer: opening that customer's chatter failed with
        an access error, Odoo reading the authors of its messages."""
        colleague = new_test_user(self.env, login="colleague", groups="base.group_user")
        colleague.partner_id.user_id = self.rep_c
        self.cust_a.with_user(colleague).sudo().message_post(
            body="Called them",
            message_type="comment",
            author_id=colleague.partner_id.id,
        )
        self.assertTrue(colleague.partner_id.with_user(self.rep_a).read(["name"]))
        suggested = self.cust_a.with_user(
            self.rep_a
        )._message_get_suggested_recipients()
        self.assertIsInstance(suggested, list)
        # a customer of rep C stays rep C's
        with self.assertRaises(AccessError):
            self.cust_c.with_user(self.rep_a).read(["name"])

    def test_rep_cannot_create_for_someone_outside(self):
        with self.assertRaises(AccessError):
            self.env["crm.lead"].with_user(self.rep_a).create(
                {"name": "Poach", "user_id": self.rep_c.id}
            )
        lead = (
            self.env["crm.lead"]
            .with_user(self.supervisor)
            .create({"name": "For my rep", "user_id": self.rep_a.id})
        )
        self.assertEqual(lead.user_id, self.rep_a)

    def test_name_search_and_read_group(self):
        names = self.env["res.partner"].with_user(self.rep_a).name_search("Charlie")
        self.assertFalse(
            names, "a customer of another branch must not leak through name_search"
        )
        names = self.env["crm.lead"].with_user(self.rep_a).name_search("Deal")
        self.assertEqual({n[0] for n in names}, {self.lead_a.id, self.lead_free.id})
        groups = (
            self.env["crm.lead"]
            .with_user(self.manager)
            .formatted_read_group(
                [("id", "in", self.all_leads.ids)],
                ["user_id"],
                ["expected_revenue:sum"],
            )
        )
        revenue = {
            g["user_id"][0] if g["user_id"] else False: g["expected_revenue:sum"]
            for g in groups
        }
        self.assertEqual(revenue, {self.rep_a.id: 1000, self.rep_b.id: 2000, False: 0})

    def test_export(self):
        self.rep_c.group_ids += self.env.ref("base.group_allow_export")
        data = (
            self.env["crm.lead"]
            .with_user(self.rep_c)
            .search([])
            .export_data(["name"])["datas"]
        )
        names = {row[0] for row in data}
        self.assertIn("Deal C", names)
        self.assertNotIn("Deal A", names)
        self.assertNotIn("Other Co Deal", names)

    def test_activity_report_follows_leads(self):
        for lead in self.lead_a | self.lead_c:
            lead.activity_schedule(
                "mail.mail_activity_data_call", user_id=lead.user_id.id
            )
            lead.activity_ids.action_feedback(feedback="Called")
        reports = (
            self.env["crm.activity.report"]
            .with_user(self.rep_a)
            .search([("lead_id", "in", (self.lead_a | self.lead_c).ids)])
        )
        self.assertEqual(reports.lead_id, self.lead_a)
        reports = (
            self.env["crm.activity.report"]
            .with_user(self.territory_manager)
            .search([("lead_id", "in", (self.lead_a | self.lead_c).ids)])
        )
        self.assertEqual(reports.lead_id, self.lead_c)

    def test_hierarchy_change_applies_at_once(self):
        self.assertNotIn(self.lead_c, self.visible_leads(self.supervisor))
        self.rep_c.sfa_manager_id = self.supervisor
        self.assertIn(self.lead_c, self.visible_leads(self.supervisor))
        self.assertIn(self.lead_c, self.visible_leads(self.manager))
        self.assertNotIn(self.lead_c, self.visible_leads(self.manager_2))

    def test_territory_manager_change_applies_at_once(self):
        self.t_south.manager_id = self.rep_a
        self.assertIn(self.lead_c, self.visible_leads(self.rep_a))
        self.assertNotIn(self.lead_c, self.visible_leads(self.territory_manager))

    def test_visible_flag_on_record(self):
        self.assertTrue(self.lead_a.with_user(self.manager).sfa_visible)
        self.assertTrue(self.lead_a.with_user(self.manager).sfa_editable)
