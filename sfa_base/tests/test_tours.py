from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.manager = new_test_user(
            env,
            login="tour_manager",
            groups="sfa_base.group_sfa_manager",
            name="Manager Tour",
        )
        cls.rep = new_test_user(
            env,
            login="tour_rep",
            groups="sfa_base.group_sfa_rep",
            name="Rep Tour",
            sfa_manager_id=cls.manager.id,
        )
        cls.other = new_test_user(
            env, login="tour_other", groups="sfa_base.group_sfa_rep", name="Rep Other"
        )
        north = env["sfa.territory"].create(
            {"name": "North", "code": "T-N", "manager_id": cls.manager.id}
        )
        cls.lille = env["sfa.territory"].create(
            {"name": "Lille", "code": "T-LIL", "parent_id": north.id}
        )
        env["sfa.territory.rule"].create(
            {"territory_id": cls.lille.id, "zip_prefixes": "59"}
        )
        cls.customer = env["res.partner"].create(
            {
                "name": "Bravo Tour",
                "is_company": True,
                "zip": "59100",
                "user_id": cls.rep.id,
            }
        )
        cls.roubaix = env["sfa.territory"].create(
            {"name": "Roubaix", "code": "T-RBX", "parent_id": north.id}
        )
        env["sfa.territory.rule"].create(
            {"territory_id": cls.roubaix.id, "zip_prefixes": "591", "priority": 20}
        )
        env["res.partner"].create(
            {
                "name": "Northwind Trading SARL",
                "is_company": True,
                "user_id": cls.other.id,
                "email": "secret@northwind.example",
                "phone": "+33 3 20 11 22 33",
            }
        )

    def test_realignment_tour(self):
        self.assertEqual(self.customer.sfa_territory_id, self.lille)
        self.start_tour("/odoo", "sfa_realignment_tour", login="tour_manager")
        self.assertEqual(self.customer.sfa_territory_id, self.roubaix)
        self.assertEqual(
            self.customer.sfa_territory_history_ids.filtered(
                lambda h: not h.date_to
            ).reason,
            "realignment",
        )

    def test_duplicate_warning_tour(self):
        Partner = self.env["res.partner"]
        before = Partner.search_count([("name", "ilike", "northwind")])
        self.start_tour("/odoo", "sfa_duplicate_warning_tour", login="tour_rep")
        self.assertEqual(
            Partner.search_count([("name", "ilike", "northwind")]),
            before,
            "the rep discarded the duplicate",
        )

    def test_director_changes_the_sales_force_settings(self):
        director = new_test_user(
            self.env,
            login="tour_director",
            groups="sfa_base.group_sfa_director",
            name="Tour Director",
        )
        self.assertFalse(director.has_group("base.group_system"))
        self.start_tour("/odoo", "sfa_director_settings_tour", login="tour_director")
        self.assertEqual(self.env.company.sfa_dormant_days, 200)
