from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.sfa_base.tests.common import SfaCase


@tagged("post_install", "-at_install")
class TestPipelineSnapshot(SfaCase):
    """The snapshot records every open opportunity once per date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Snapshot = cls.env["sfa.pipeline.snapshot"]
        cls.category = cls.env["sfa.customer.category"].create(
            {"name": "Key Account", "code": "KA"}
        )
        cls.cust_a.sfa_category_id = cls.category
        cls.stage_1, cls.stage_2 = cls.env["crm.stage"].create(
            [
                {"name": "Snapshot Qualify", "sequence": 1001},
                {"name": "Snapshot Propose", "sequence": 1002},
            ]
        )
        cls.lead_a.write(
            {
                "stage_id": cls.stage_2.id,
                "probability": 40,
                "date_deadline": "2025-05-15",
            }
        )
        cls.contact_a = cls.env["res.partner"].create(
            {"name": "Anna Alpha", "parent_id": cls.cust_a.id}
        )
        cls.lead_contact = cls.env["crm.lead"].create(
            {
                "name": "Deal with a contact",
                "type": "opportunity",
                "user_id": cls.rep_a.id,
                "partner_id": cls.contact_a.id,
                "stage_id": cls.stage_1.id,
                "expected_revenue": 500,
            }
        )
        cls.lead_won = cls.env["crm.lead"].create(
            {"name": "Won Deal", "type": "opportunity", "user_id": cls.rep_a.id}
        )
        cls.lead_won.action_set_won()
        cls.lead_lost = cls.env["crm.lead"].create(
            {"name": "Lost Deal", "type": "opportunity", "user_id": cls.rep_a.id}
        )
        cls.lead_lost.action_set_lost()
        cls.lead_not_qualified = cls.env["crm.lead"].create(
            {"name": "Just a Lead", "type": "lead", "user_id": cls.rep_a.id}
        )
        cls.open_deals = cls.all_leads | cls.lead_contact

    def rows(self, user=None):
        Snapshot = self.Snapshot.with_user(user) if user else self.Snapshot
        return Snapshot.search([("lead_id", "in", self.open_deals.ids)])

    def snapshot_rows_of(self, snapshot_date):
        return self.Snapshot.search_count([("snapshot_date", "=", snapshot_date)])

    @freeze_time("2025-04-30 12:00:00")
    def test_snapshot_records_open_opportunities(self):
        written = self.Snapshot._take_snapshot()
        rows = self.Snapshot.search([("snapshot_date", "=", date(2025, 4, 30))])
        self.assertEqual(written, len(rows))
        self.assertEqual(rows.lead_id & self.open_deals, self.open_deals)
        self.assertFalse(
            rows.lead_id & (self.lead_won | self.lead_lost | self.lead_not_qualified),
            "won, lost and unqualified leads are not in the open pipeline",
        )
        row = rows.filtered(lambda r: r.lead_id == self.lead_a)
        self.assertRecordValues(
            row,
            [
                {
                    "stage_id": self.stage_2.id,
                    "expected_revenue": 1000,
                    "probability": 40,
                    "prorated_revenue": 400,
                    "user_id": self.rep_a.id,
                    "team_id": self.lead_a.team_id.id,
                    "sfa_territory_id": self.t_lille.id,
                    "sfa_category_id": self.category.id,
                    "date_deadline": date(2025, 5, 15),
                    "company_id": self.company.id,
                }
            ],
        )
        contact_row = rows.filtered(lambda r: r.lead_id == self.lead_contact)
        self.assertEqual(
            contact_row.sfa_category_id,
            self.category,
            "a deal with a contact is in the category of the contact's company",
        )
        other_row = rows.filtered(lambda r: r.lead_id == self.lead_other)
        self.assertEqual(other_row.company_id, self.company_2, "every company counts")

    @freeze_time("2025-04-30 12:00:00")
    def test_second_run_same_date_writes_nothing(self):
        first = self.Snapshot._take_snapshot()
        self.assertGreaterEqual(first, len(self.open_deals))
        self.lead_a.expected_revenue = 9999
        self.env["crm.lead"].create(
            {"name": "Late Deal", "type": "opportunity", "user_id": self.rep_b.id}
        )
        self.env.flush_all()
        with self.assertQueryCount(1):
            second = self.Snapshot._take_snapshot(date(2025, 4, 30))
        self.assertEqual(second, 0)
        self.assertEqual(self.snapshot_rows_of(date(2025, 4, 30)), first)
        row = self.rows().filtered(lambda r: r.lead_id == self.lead_a)
        self.assertEqual(
            row.expected_revenue, 1000, "the first snapshot of the day stands"
        )

    @freeze_time("2025-04-30 12:00:00")
    def test_snapshot_only_for_today(self):
        before = self.Snapshot.search_count([])
        for day in (date(2025, 5, 1), date(2025, 4, 29)):
            with self.assertRaisesRegex(UserError, "only be taken for today"):
                self.Snapshot._take_snapshot(day)
        self.assertEqual(self.Snapshot.search_count([]), before, "nothing written")

    def test_month_end_cron_waits_for_the_last_day(self):
        month_end = self.env.ref(
            "sfa_pipeline.ir_cron_sfa_pipeline_snapshot_month_end"
        ).ir_actions_server_id
        weekly = self.env.ref(
            "sfa_pipeline.ir_cron_sfa_pipeline_snapshot_weekly"
        ).ir_actions_server_id
        with freeze_time("2025-04-29 12:00:00"):
            month_end.run()
            self.assertEqual(self.snapshot_rows_of(date(2025, 4, 29)), 0)
            weekly.run()
            taken = self.snapshot_rows_of(date(2025, 4, 29))
            self.assertGreaterEqual(taken, len(self.open_deals))
            weekly.run()
            self.assertEqual(self.snapshot_rows_of(date(2025, 4, 29)), taken)
        with freeze_time("2025-04-30 12:00:00"):
            month_end.run()
            self.assertEqual(self.snapshot_rows_of(date(2025, 4, 30)), taken)
            weekly.run()
            month_end.run()
            self.assertEqual(
                self.snapshot_rows_of(date(2025, 4, 30)),
                taken,
                "both crons on the same day record each deal once",
            )

    @freeze_time("2025-04-30 12:00:00")
    def test_rows_follow_the_visibility_rule(self):
        self.Snapshot._take_snapshot()
        rows = self.rows()
        by_lead = {row.lead_id: row for row in rows}

        def rows_of(*leads):
            return self.Snapshot.union(*(by_lead[lead] for lead in leads))

        self.assertEqual(
            self.rows(self.rep_a),
            rows_of(self.lead_a, self.lead_contact, self.lead_free),
        )
        self.assertEqual(
            self.rows(self.manager),
            rows_of(self.lead_a, self.lead_contact, self.lead_b, self.lead_free),
        )
        self.assertEqual(
            self.rows(self.territory_manager), rows_of(self.lead_c, self.lead_free)
        )
        self.assertEqual(self.rows(self.director), rows - by_lead[self.lead_other])
        self.assertEqual(self.rows(self.other_rep), rows_of(self.lead_other))
        plain = new_test_user(
            self.env,
            login="plain_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        self.lead_c.user_id = plain
        self.assertEqual(
            self.rows(plain),
            rows_of(self.lead_free),
            "Odoo's own-documents rule reads the owner on the snapshot date",
        )

        self.env["sfa.share"].create(
            {
                "res_model": "crm.lead",
                "res_id": self.lead_c.id,
                "user_id": self.rep_a.id,
            }
        )
        self.assertIn(
            by_lead[self.lead_c],
            self.rows(self.rep_a),
            "sharing a deal shares its snapshots",
        )

    @freeze_time("2025-04-30 12:00:00")
    def test_snapshot_rows_are_read_only(self):
        self.Snapshot._take_snapshot()
        row = self.rows(self.rep_a)[:1]
        self.assertTrue(row)
        for user in (self.rep_a, self.director):
            with self.assertRaises(AccessError):
                row.with_user(user).write({"expected_revenue": 1})
            with self.assertRaises(AccessError):
                row.with_user(user).unlink()
            with self.assertRaises(AccessError):
                self.Snapshot.with_user(user).create(
                    {"snapshot_date": "2025-04-01", "lead_id": self.lead_a.id}
                )
