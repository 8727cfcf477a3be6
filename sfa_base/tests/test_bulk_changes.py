from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from .common import SfaCase


@tagged("post_install", "-at_install")
class TestBulkChangesSummarizedOnce(SfaCase):
    """A change the system makes to many customers at once (a realignment, a
    category's key-account flag, the company's dormancy) is summarized once,
    on the territory or the category, and written into no customer's or
    deal's chatter, unless the company asks for each note."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo's tracking on, as for a user at work
        cls.tracked = cls.tracked_env()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.category = cls.env["sfa.customer.category"].create(
            {"name": "Wholesale", "visit_frequency_days": 30}
        )
        # three customers in Roubaix's zips, each with a deal won 200 days
        # ago and an open one
        Partner, Lead = cls.env["res.partner"], cls.env["crm.lead"]
        cls.buyers = Partner.browse()
        for n in range(3):
            buyer = Partner.create(
                {
                    "name": f"Buyer {n}",
                    "is_company": True,
                    "zip": f"5915{n}",
                    "country_id": cls.fr.id,
                    "user_id": cls.rep_a.id,
                    "sfa_category_id": cls.category.id,
                }
            )
            won = Lead.create(
                {
                    "name": f"Won {n}",
                    "type": "opportunity",
                    "partner_id": buyer.id,
                    "user_id": cls.rep_a.id,
                }
            )
            day = cls.today - timedelta(days=200)
            with freeze_time(datetime.combine(day, datetime.min.time())):
                won.action_set_won()
            # and wrote to us 150 days ago (their last contact)
            day = cls.today - timedelta(days=150)
            with freeze_time(datetime.combine(day, datetime.min.time())):
                buyer.message_post(
                    body="Thanks", message_type="email", author_id=buyer.id
                )
            cls.buyers |= buyer
        cls.open_deals = Lead.create(
            [
                {
                    "name": f"Open {n}",
                    "type": "opportunity",
                    "partner_id": buyer.id,
                    "user_id": cls.rep_a.id,
                }
                for n, buyer in enumerate(cls.buyers)
            ]
        )
        # what the commit of their creation would have done
        cls.env.cr.flush()

    def messages_on(self, records):
        """Messages in these records' chatter: (model, id, subtype note or
        tracking) rows."""
        self.env.flush_all()
        self.env.cr.flush()  # what a commit would write (Odoo's tracking)
        return self.env.execute_query(
            SQL(
                "SELECT model, res_id FROM mail_message"
                " WHERE model = %s AND res_id = ANY(%s)",
                records._name,
                records.ids,
            )
        )

    def roubaix(self):
        roubaix = self.env["sfa.territory"].create(
            {
                "name": "Roubaix",
                "code": "FR-N-RBX",
                "type": "city",
                "parent_id": self.t_north.id,
                "member_ids": [(6, 0, self.rep_b.ids)],
            }
        )
        self.env["sfa.territory.rule"].create(
            {"territory_id": roubaix.id, "zip_prefixes": "5915", "priority": 50}
        )
        return roubaix

    def realign(self):
        wizard = (
            self.tracked["sfa.realignment.wizard"]
            .with_user(self.director)
            .create({"reassign_owner": True})
        )
        wizard.action_preview()
        wizard.action_apply()
        return wizard

    def test_realignment_is_summarized_on_the_territory(self):
        roubaix = self.roubaix()
        customers_before = self.messages_on(self.buyers)
        deals_before = self.messages_on(self.open_deals)
        wizard = self.realign()
        self.assertEqual(self.buyers.sfa_territory_id, roubaix)
        self.assertEqual(self.open_deals.sfa_territory_id, roubaix)
        self.assertEqual(self.buyers.user_id, self.rep_b, "owners follow")
        self.assertEqual(self.open_deals.user_id, self.rep_b)
        self.assertEqual(wizard.owner_change_count, 3)
        self.assertEqual(self.messages_on(self.buyers), customers_before)
        self.assertEqual(self.messages_on(self.open_deals), deals_before)
        # the moves are in the customers' territory history all the same
        self.assertEqual(
            set(
                self.env["sfa.territory.history"]
                .search(
                    [("partner_id", "in", self.buyers.ids), ("date_to", "=", False)]
                )
                .mapped("territory_id")
            ),
            {roubaix},
        )
        [note] = roubaix.message_ids
        self.assertIn(
            "from France / North / Lille to France / North / Roubaix. "
            "Customers moved: 3; open deals moved: 3.",
            note.body,
        )

    def test_realignment_noted_on_each_record_when_the_company_asks(self):
        self.company.sfa_track_bulk_changes = True
        roubaix = self.roubaix()
        self.realign()
        self.messages_on(self.buyers)
        self.messages_on(self.open_deals)
        for buyer in self.buyers:
            self.assertIn(
                "sfa_territory_id",
                buyer.message_ids.tracking_value_ids.field_id.mapped("name"),
            )
        for deal in self.open_deals:
            self.assertIn(
                "user_id", deal.message_ids.tracking_value_ids.field_id.mapped("name")
            )
        self.assertTrue(roubaix.message_ids, "and summarized all the same")

    def test_key_account_flag_is_summarized_on_the_category(self):
        self.assertEqual(set(self.buyers.mapped("sfa_lifecycle_stage")), {"customer"})
        self.assertEqual(
            self.buyers.mapped("sfa_last_contact_date"),
            [self.today - timedelta(days=150)] * 3,
        )
        before = self.messages_on(self.buyers)
        self.category.with_env(self.tracked).with_user(self.director).write(
            {"is_key_account": True, "visit_frequency_days": 14}
        )
        self.assertEqual(
            set(self.buyers.mapped("sfa_lifecycle_stage")), {"key_account"}
        )
        self.assertEqual(self.messages_on(self.buyers), before)
        self.messages_on(self.category)
        tracking = self.category.message_ids.filtered("tracking_value_ids")
        summary = self.category.message_ids - tracking
        self.assertEqual((len(tracking), len(summary)), (1, 1))
        self.assertEqual(
            set(tracking.tracking_value_ids.field_id.mapped("name")),
            {"is_key_account", "visit_frequency_days"},
            "the category's own change is tracked",
        )
        self.assertIn(
            "Lifecycle stage of 3 customers: Customer → Key Account.", summary.body
        )
        self.assertIn("Next visit of 3 customers moved.", summary.body)

    def test_key_account_flag_noted_on_each_customer_when_the_company_asks(self):
        self.company.sfa_track_bulk_changes = True
        self.category.with_env(self.tracked).write({"is_key_account": True})
        self.messages_on(self.buyers)
        for buyer in self.buyers:
            tracked = buyer.message_ids.tracking_value_ids.filtered(
                lambda t: t.field_id.name == "sfa_lifecycle_stage"
            )
            self.assertEqual(tracked.new_value_char, "Key Account")

    def test_dormancy_change_is_silent_unless_asked(self):
        before = self.messages_on(self.buyers)
        # the open deals keep them active: close them
        self.open_deals.action_set_lost()
        self.assertEqual(set(self.buyers.mapped("sfa_lifecycle_stage")), {"customer"})
        after_lost = self.messages_on(self.buyers)
        self.company.with_env(self.tracked).sfa_dormant_days = 100
        self.assertEqual(set(self.buyers.mapped("sfa_lifecycle_stage")), {"dormant"})
        self.assertEqual(self.messages_on(self.buyers), after_lost)
        self.assertEqual(after_lost, before)
        self.company.sfa_track_bulk_changes = True
        self.company.with_env(self.tracked).sfa_dormant_days = 365
        self.assertEqual(set(self.buyers.mapped("sfa_lifecycle_stage")), {"customer"})
        self.messages_on(self.buyers)
        for buyer in self.buyers:
            tracked = buyer.message_ids.tracking_value_ids.filtered(
                lambda t: t.field_id.name == "sfa_lifecycle_stage"
            )
            self.assertEqual(tracked.mapped("new_value_char"), ["Customer"])
