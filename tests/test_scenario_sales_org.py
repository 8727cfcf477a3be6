"""A year in the life of a regional sales force, across the SFA modules.

Read as a story: a director sets up the organization and territories, reps
work their customers, a rep leaves, the territories are realigned, and at
each step every role sees exactly what the spec promises.
"""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSalesOrgScenario(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.director = new_test_user(
            env, "sc_director", "sfa_base.group_sfa_director", name="Dora Director"
        )
        cls.manager = new_test_user(
            env,
            "sc_manager",
            "sfa_base.group_sfa_manager",
            name="Max Manager",
            sfa_manager_id=cls.director.id,
        )
        cls.supervisor = new_test_user(
            env,
            "sc_super",
            "sfa_base.group_sfa_supervisor",
            name="Sue Supervisor",
            sfa_manager_id=cls.manager.id,
        )
        cls.rep_1 = new_test_user(
            env,
            "sc_rep1",
            "sfa_base.group_sfa_rep",
            name="Rita Rep",
            sfa_manager_id=cls.supervisor.id,
        )
        cls.rep_2 = new_test_user(
            env,
            "sc_rep2",
            "sfa_base.group_sfa_rep",
            name="Raj Rep",
            sfa_manager_id=cls.supervisor.id,
        )
        cls.rep_3 = new_test_user(
            env,
            "sc_rep3",
            "sfa_base.group_sfa_rep",
            name="Ron Rep",
            sfa_manager_id=cls.director.id,
        )
        vn = env.ref("base.vn")
        Territory = env["sfa.territory"].with_user(cls.director)
        cls.vietnam = Territory.create(
            {"name": "Vietnam", "code": "VN", "type": "country"}
        )
        cls.hanoi = Territory.create(
            {
                "name": "Hanoi",
                "code": "VN-HN",
                "type": "city",
                "parent_id": cls.vietnam.id,
                "manager_id": cls.supervisor.id,
                "member_ids": [(6, 0, (cls.rep_1 | cls.rep_2).ids)],
            }
        )
        cls.hcmc = Territory.create(
            {
                "name": "Ho Chi Minh City",
                "code": "VN-SG",
                "type": "city",
                "parent_id": cls.vietnam.id,
                "member_ids": [(6, 0, cls.rep_3.ids)],
            }
        )
        Rule = env["sfa.territory.rule"].with_user(cls.director)
        Rule.create({"territory_id": cls.vietnam.id, "country_ids": [(6, 0, vn.ids)]})
        Rule.create({"territory_id": cls.hanoi.id, "zip_prefixes": "10"})
        Rule.create({"territory_id": cls.hcmc.id, "zip_prefixes": "70"})
        cls.vn = vn

    def test_year_of_a_sales_force(self):
        # January: Rita signs up a customer in Hanoi through the form.
        with freeze_time("2026-01-15"):
            with Form(self.env["res.partner"].with_user(self.rep_1)) as form:
                form.company_type = "company"
                form.name = "Công ty TNHH Sao Mai"
                form.country_id = self.vn
                form.zip = "100000"
                form.user_id = self.rep_1
            sao_mai = form.record
            deal = (
                self.env["crm.lead"]
                .with_user(self.rep_1)
                .create(
                    {
                        "name": "Sao Mai fleet",
                        "type": "opportunity",
                        "partner_id": sao_mai.id,
                        "user_id": self.rep_1.id,
                        "expected_revenue": 50000,
                    }
                )
            )
        self.assertEqual(sao_mai.sfa_territory_id, self.hanoi)
        self.assertEqual(deal.sfa_territory_id, self.hanoi)

        # Raj registers the same company: he is warned, with name and owner only.
        with Form(self.env["res.partner"].with_user(self.rep_2)) as form:
            form.company_type = "company"
            form.name = "SAO MAI Co., Ltd."
            warning = form.sfa_duplicate_warning
            form.name = (
                "Sao Mai Logistics Hub"  # he realises and records a different site
            )
        self.assertIn("Công ty TNHH Sao Mai", warning)
        self.assertIn("Rita Rep", warning)
        with self.assertRaises(AccessError):
            sao_mai.with_user(self.rep_2).read(["name"])

        # Supervisor and manager see Rita's deal; Ron, in another branch, does not.
        Lead = self.env["crm.lead"]
        for user, sees in (
            (self.supervisor, True),
            (self.manager, True),
            (self.director, True),
            (self.rep_2, False),
            (self.rep_3, False),
        ):
            with self.subTest(user=user.name):
                self.assertEqual(
                    bool(Lead.with_user(user).search([("id", "=", deal.id)])), sees
                )

        # March: Rita shares the deal with Ron until the end of the month.
        with freeze_time("2026-03-01"):
            wizard = Form(
                self.env["sfa.share.wizard"]
                .with_user(self.rep_1)
                .with_context(default_res_model="crm.lead", default_res_ids=deal.ids)
            )
            wizard.user_ids.add(self.rep_3)
            wizard.date_expiry = date(2026, 3, 31)
            wizard.save().action_share()
            self.assertTrue(Lead.with_user(self.rep_3).search([("id", "=", deal.id)]))
            self.assertEqual(sao_mai.with_user(self.rep_3).name, "Công ty TNHH Sao Mai")
        with freeze_time("2026-04-01"):
            self.assertFalse(Lead.with_user(self.rep_3).search([("id", "=", deal.id)]))

        # June: Rita leaves; her portfolio is spread over the Hanoi team.
        totals = (
            Lead.with_context(active_test=False).search_count([]),
            self.env["res.partner"].with_context(active_test=False).search_count([]),
        )
        with freeze_time("2026-06-30"):
            handover = (
                self.env["sfa.handover.wizard"]
                .with_user(self.manager)
                .create(
                    {
                        "from_user_id": self.rep_1.id,
                        "mode": "territory",
                        "territory_id": self.hanoi.id,
                    }
                )
            )
            handover.action_preview()
            handover.action_apply()
        self.assertEqual(sao_mai.user_id, self.rep_2)
        self.assertEqual(deal.user_id, self.rep_2)
        self.assertEqual(
            totals,
            (
                Lead.with_context(active_test=False).search_count([]),
                self.env["res.partner"]
                .with_context(active_test=False)
                .search_count([]),
            ),
        )
        self.assertTrue(sao_mai.with_user(self.rep_2).read(["name"]))

        # September: a reorganization moves Hanoi's zips to Ho Chi Minh City's
        # team. Max may not do it (HCMC is not his), the director does.
        self.hanoi.rule_ids.write({"zip_prefixes": "11"})
        self.hcmc.rule_ids.write({"zip_prefixes": "70, 10"})
        with self.assertRaises(AccessError):
            self.env["sfa.realignment.wizard"].with_user(self.manager).create(
                {"territory_id": self.hcmc.id}
            ).action_preview()
        with freeze_time("2026-09-30"):
            realign = (
                self.env["sfa.realignment.wizard"]
                .with_user(self.director)
                .create(
                    {
                        "date_effective": date(2026, 9, 1),
                        "reassign_owner": True,
                    }
                )
            )
            realign.action_preview()
            self.assertEqual(realign.partner_count, 1)
            realign.action_apply()
        self.assertEqual(sao_mai.sfa_territory_id, self.hcmc)
        self.assertEqual(sao_mai.user_id, self.rep_3)
        self.assertEqual(deal.user_id, self.rep_3)

        # The year-end report still attributes the first half to Hanoi.
        History = self.env["sfa.territory.history"]
        self.assertEqual(
            History._territory_at(sao_mai.ids, date(2026, 3, 31)),
            {sao_mai.id: self.hanoi.id},
        )
        self.assertEqual(
            History._territory_at(sao_mai.ids, date(2026, 10, 1)),
            {sao_mai.id: self.hcmc.id},
        )

        # Visibility followed: Ron and the director see it, the Hanoi line does not.
        self.assertTrue(Lead.with_user(self.rep_3).search([("id", "=", deal.id)]))
        self.assertFalse(Lead.with_user(self.rep_2).search([("id", "=", deal.id)]))
        self.assertFalse(Lead.with_user(self.supervisor).search([("id", "=", deal.id)]))
        self.assertTrue(Lead.with_user(self.director).search([("id", "=", deal.id)]))
