from ast import literal_eval
from datetime import date, timedelta

from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.fields import Domain
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import SfaCase


@tagged("post_install", "-at_install")
class TestLifecycle(SfaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cat_key = cls.env.ref("sfa_base.category_key_account")
        cls.cat_a = cls.env.ref("sfa_base.category_a")  # visit every 30 days
        cls.cat_b = cls.env.ref("sfa_base.category_b")  # visit every 60 days
        cls.contact_b = cls.env["res.partner"].create(
            {"name": "Bob Bravo", "parent_id": cls.cust_b.id}
        )

    def new_customer(self, name, user=None, env=None, **values):
        env = env or self.env
        return env["res.partner"].create(
            dict(
                values,
                name=name,
                is_company=True,
                user_id=(user or self.rep_a).id,
            )
        )

    def new_deal(self, partner, user=None, **values):
        return self.env["crm.lead"].create(
            dict(
                values,
                name=f"Deal {partner.name}",
                type="opportunity",
                partner_id=partner.id,
                user_id=(user or self.rep_a).id,
            )
        )

    def flush_tracking(self):
        """Write pending tracking values, as at the end of a request."""
        self.env.flush_all()
        self.env.cr.flush()

    def run_cron(self):
        self.env["res.partner"]._cron_update_lifecycle()

    def mark_done(self, record, user, summary="Visit"):
        activity = record.with_user(user).activity_schedule(
            "mail.mail_activity_data_meeting", summary=summary, user_id=user.id
        )
        activity.action_feedback(feedback="Met the buyer")
        self.run_commit_hooks()

    # ------------------------------------------------------------------
    # computed stages
    # ------------------------------------------------------------------

    def test_suspect_without_deal(self):
        self.assertEqual(self.cust_free.sfa_lifecycle_stage, "suspect")
        partner = self.new_customer("Echo")
        self.assertEqual(partner.sfa_lifecycle_stage, "suspect")
        # an unqualified lead is not an opportunity yet
        self.env["crm.lead"].create(
            {
                "name": "Inbound",
                "type": "lead",
                "partner_id": partner.id,
                "user_id": self.rep_a.id,
            }
        )
        self.assertEqual(partner.sfa_lifecycle_stage, "suspect")

    def test_prospect_with_open_opportunity(self):
        self.assertEqual(self.cust_a.sfa_lifecycle_stage, "prospect")
        partner = self.new_customer("Echo")
        self.new_deal(partner)
        self.assertEqual(partner.sfa_lifecycle_stage, "prospect")
        # grouping by stage, as in the customer list
        groups = (
            self.env["res.partner"]
            .with_user(self.rep_a)
            .formatted_read_group(
                [("id", "in", (partner | self.cust_a | self.cust_free).ids)],
                ["sfa_lifecycle_stage"],
                ["__count"],
            )
        )
        self.assertEqual(
            {g["sfa_lifecycle_stage"]: g["__count"] for g in groups},
            {"prospect": 2, "suspect": 1},
        )

    def test_customer_when_won(self):
        self.lead_a.with_user(self.rep_a).action_set_won()
        self.assertEqual(self.lead_a.won_status, "won")
        self.assertEqual(self.cust_a.sfa_lifecycle_stage, "customer")
        # a deal won with a contact person counts for their company
        deal = self.new_deal(self.contact_b, user=self.rep_b)
        self.lead_b.with_user(self.rep_b).action_set_lost()
        self.assertEqual(self.cust_b.sfa_lifecycle_stage, "prospect")
        deal.with_user(self.rep_b).action_set_won()
        self.assertEqual(self.cust_b.sfa_lifecycle_stage, "customer")

    def test_key_account(self):
        self.lead_a.action_set_won()
        self.cust_a.with_user(self.rep_a).sfa_category_id = self.cat_key
        self.assertEqual(self.cust_a.sfa_lifecycle_stage, "key_account")
        self.cust_a.sfa_category_id = self.cat_a
        self.assertEqual(self.cust_a.sfa_lifecycle_stage, "customer")
        # a key-account category alone does not make a prospect a key account
        self.cust_b.sfa_category_id = self.cat_key
        self.assertEqual(self.cust_b.sfa_lifecycle_stage, "prospect")
        # flagging the category turns its won customers into key accounts
        self.cat_a.is_key_account = True
        self.assertEqual(self.cust_a.sfa_lifecycle_stage, "key_account")

    def test_form_shows_stage_while_editing(self):
        """Changing the category in the form shows the stage the customer will have."""
        self.lead_a.action_set_won()
        self.assertEqual(self.cust_a.sfa_lifecycle_stage, "customer")
        with Form(self.cust_a.with_user(self.rep_a)) as form:
            form.sfa_category_id = self.cat_key
            self.assertEqual(
                form.sfa_lifecycle_stage,
                "key_account",
                "BUG res_partner._sfa_lifecycle_computed: in the form (onchange) the "
                "record has a NewId, so the deals of the customer are not found and "
                "the stage shows 'suspect'",
            )
        self.assertEqual(self.cust_a.sfa_lifecycle_stage, "key_account")

    def test_lost(self):
        self.lead_b.with_user(self.rep_b).action_set_lost()
        self.assertEqual(self.lead_b.won_status, "lost")
        self.assertEqual(self.cust_b.sfa_lifecycle_stage, "lost")
        # a new open deal makes it a prospect again
        deal = self.new_deal(self.cust_b, user=self.rep_b)
        self.assertEqual(self.cust_b.sfa_lifecycle_stage, "prospect")
        deal.action_set_won()
        self.assertEqual(self.cust_b.sfa_lifecycle_stage, "customer")

    def test_dormant(self):
        with freeze_time("2025-01-15"):
            partner = self.new_customer("Echo")
            deal = self.new_deal(partner)
            deal.action_set_won()
            self.assertEqual(partner.sfa_lifecycle_stage, "customer")
            self.run_cron()
            self.assertEqual(partner.sfa_lifecycle_stage, "customer")

        with freeze_time("2026-01-14"):  # 364 days later: still active
            self.run_cron()
            self.assertEqual(partner.sfa_lifecycle_stage, "customer")

        with freeze_time("2026-01-20"):  # more than sfa_dormant_days (365)
            self.assertEqual(
                partner.sfa_lifecycle_stage, "customer", "only the daily job moves it"
            )
            self.run_cron()
            self.assertEqual(partner.sfa_lifecycle_stage, "dormant")
            self.assertEqual(
                self.env["res.partner"].search(
                    [("id", "=", partner.id), ("sfa_lifecycle_stage", "=", "dormant")]
                ),
                partner,
            )
            # contacting the customer again wakes it up
            self.mark_done(partner, self.rep_a)
            self.assertEqual(partner.sfa_last_contact_date, date(2026, 1, 20))
            self.assertEqual(partner.sfa_lifecycle_stage, "customer")

    def test_dormant_days_setting(self):
        self.assertEqual(self.company.sfa_dormant_days, 365)
        self.company.sfa_dormant_days = 90
        with freeze_time("2025-01-15"):
            partner = self.new_customer("Echo")
            self.new_deal(partner).action_set_won()
        with freeze_time("2025-04-10"):  # 85 days
            self.run_cron()
            self.assertEqual(partner.sfa_lifecycle_stage, "customer")
        with freeze_time("2025-04-20"):  # 95 days
            self.run_cron()
            self.assertEqual(partner.sfa_lifecycle_stage, "dormant")

    def test_dormant_kept_alive_by_contacts(self):
        with freeze_time("2025-01-15"):
            partner = self.new_customer("Echo")
            self.new_deal(partner).action_set_won()
        with freeze_time("2025-12-01"):
            self.mark_done(partner, self.rep_a)
        # more than a year after the win, two months after a visit
        with freeze_time("2026-02-01"):
            self.run_cron()
            self.assertEqual(partner.sfa_lifecycle_stage, "customer")
        with freeze_time("2026-12-15"):
            self.run_cron()
            self.assertEqual(partner.sfa_lifecycle_stage, "dormant")

    def test_a_contact_dated_ahead_counts_when_its_day_comes(self):
        """An e-mail dated two days ahead is not yet a contact: the last
        contact never lies in the future; the daily job counts it on its day."""
        customer = self.new_customer("Ahead Ltd")
        today = fields.Date.context_today(customer)
        with freeze_time(today + timedelta(days=2)):
            customer.message_post(
                body="See you on Wednesday", message_type="email", author_id=customer.id
            )
        self.env["sfa.fact"]._sfa_sync_all()
        self.assertTrue(
            self.env["sfa.fact"].search_count(
                [("partner_id", "=", customer.id), ("metric", "=", "contact_emails")]
            )
        )
        self.assertFalse(customer.sfa_last_contact_date)
        with freeze_time(today + timedelta(days=2, hours=12)):
            self.env["res.partner"]._cron_update_lifecycle()
        self.assertEqual(customer.sfa_last_contact_date, today + timedelta(days=2))

    def test_manual_override_wins_and_is_tracked(self):
        ctx = {
            k: v
            for k, v in self.env.context.items()
            if k not in ("tracking_disable", "mail_notrack")
        }
        env = self.env(context=ctx)
        partner = self.new_customer("Echo", env=env)
        deal = self.new_deal(partner)
        self.assertEqual(partner.sfa_lifecycle_stage, "prospect")
        self.flush_tracking()  # end of the creating request: later changes are tracked

        with Form(partner.with_user(self.rep_a)) as form:
            form.sfa_lifecycle_override = "key_account"
            self.assertEqual(form.sfa_lifecycle_stage, "key_account")
        self.flush_tracking()
        self.assertEqual(partner.sfa_lifecycle_stage, "key_account")
        trackings = partner.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "sfa_lifecycle_stage"
        )
        self.assertEqual(len(trackings), 1)
        self.assertRecordValues(
            trackings, [{"old_value_char": "Prospect", "new_value_char": "Key Account"}]
        )
        self.assertEqual(trackings.mail_message_id.author_id, self.rep_a.partner_id)

        # the deal's outcome and the daily job no longer change it
        deal.action_set_lost()
        self.assertEqual(partner.sfa_lifecycle_stage, "key_account")
        with freeze_time(date.today() + timedelta(days=800)):
            self.run_cron()
        self.assertEqual(partner.sfa_lifecycle_stage, "key_account")

        # removing the override gives the computed stage back
        partner.with_user(self.rep_a).sfa_lifecycle_override = False
        self.assertEqual(partner.sfa_lifecycle_stage, "lost")

    # ------------------------------------------------------------------
    # contacts and visits
    # ------------------------------------------------------------------

    def test_done_activity_updates_last_contact(self):
        self.assertFalse(self.cust_a.sfa_last_contact_date)
        with freeze_time("2026-03-02"):
            self.mark_done(self.lead_a, self.rep_a, "Call")
        self.assertEqual(self.cust_a.sfa_last_contact_date, date(2026, 3, 2))
        # on a contact person: the company's last contact moves
        with freeze_time("2026-03-05"):
            self.mark_done(self.contact_b, self.rep_b)
        self.assertEqual(self.cust_b.sfa_last_contact_date, date(2026, 3, 5))
        # a scheduled, not done, activity is not a contact
        with freeze_time("2026-03-09"):
            self.lead_a.with_user(self.rep_a).activity_schedule(
                "mail.mail_activity_data_call", user_id=self.rep_a.id
            )
        self.assertEqual(self.cust_a.sfa_last_contact_date, date(2026, 3, 2))
        # a supervisor's visit counts for the customer of their rep
        with freeze_time("2026-03-10"):
            self.mark_done(self.lead_a, self.supervisor)
        self.assertEqual(self.cust_a.sfa_last_contact_date, date(2026, 3, 10))
        self.assertFalse(self.cust_c.sfa_last_contact_date)

    def test_next_visit_date(self):
        partner = self.new_customer("Echo")
        self.assertFalse(partner.sfa_next_visit_date, "no category, no visit norm")
        partner.sfa_category_id = self.cat_a
        self.assertEqual(
            partner.sfa_next_visit_date,
            partner.create_date.date(),
            "never visited: due at once",
        )
        with freeze_time("2026-03-02"):
            self.mark_done(partner, self.rep_a)
        self.assertEqual(partner.sfa_next_visit_date, date(2026, 4, 1))
        with Form(partner.with_user(self.rep_a)) as form:
            form.sfa_category_id = self.cat_b
            self.assertEqual(form.sfa_next_visit_date, date(2026, 5, 1))
        self.assertEqual(partner.sfa_next_visit_date, date(2026, 5, 1))
        # changing the norm of the category moves every customer of it
        self.cat_b.visit_frequency_days = 10
        self.assertEqual(partner.sfa_next_visit_date, date(2026, 3, 12))
        self.cat_b.visit_frequency_days = 0
        self.assertFalse(partner.sfa_next_visit_date)

    def due_for_visit(self, user, filters=None):
        """What ``user`` sees in Sales Force > Due for a Visit (among our partners).

        The action's domain, then its default filters (or ``filters``) taken
        from the search view, evaluated as the web client does.
        """
        action = self.env.ref("sfa_base.action_sfa_due_visits")
        Partner = self.env["res.partner"].with_user(user)
        search_view = self.env.ref("sfa_base.res_partner_view_search_sfa").inherit_id
        arch = etree.fromstring(
            Partner.get_views([(search_view.id, "search")])["views"]["search"]["arch"]
        )
        eval_ctx = {
            "uid": user.id,
            "context_today": lambda: fields.Date.context_today(Partner),
        }
        if filters is None:
            filters = [
                key.removeprefix("search_default_")
                for key, value in literal_eval(action.context).items()
                if key.startswith("search_default_") and value
            ]
            self.assertEqual(set(filters), {"sfa_due_visit", "sfa_team_customers"})
        domain = Domain(safe_eval(action.domain, eval_ctx))
        for name in filters:
            node = arch.xpath(f"//filter[@name='{name}']")
            self.assertTrue(node, f"filter {name} not in the search view")
            domain &= Domain(safe_eval(node[0].get("domain"), eval_ctx))
        return Partner.search(domain & Domain("id", "in", self.universe.ids))

    def test_due_for_visit(self):
        with freeze_time("2026-06-15"):
            today = date(2026, 6, 15)
            Partner = self.env["res.partner"]
            overdue = self.cust_a
            overdue.write(
                {
                    "sfa_category_id": self.cat_a.id,
                    "sfa_last_contact_date": today - timedelta(days=45),
                }
            )
            due_today = self.new_customer(
                "Due Today",
                sfa_category_id=self.cat_a.id,
                sfa_last_contact_date=today - timedelta(days=30),
            )
            not_yet = self.new_customer(
                "Not Yet",
                sfa_category_id=self.cat_a.id,
                sfa_last_contact_date=today - timedelta(days=29),
            )
            slow_norm = self.new_customer(
                "Slow Norm",
                sfa_category_id=self.cat_b.id,
                sfa_last_contact_date=today - timedelta(days=45),
            )
            no_norm = self.new_customer(
                "No Norm", sfa_last_contact_date=today - timedelta(days=400)
            )
            contact = Partner.create({"name": "Contact", "parent_id": overdue.id})
            # overdue, but owned by a colleague or nobody
            self.cust_b.write(
                {
                    "sfa_category_id": self.cat_a.id,
                    "sfa_last_contact_date": today - timedelta(days=90),
                }
            )
            self.cust_free.write(
                {
                    "sfa_category_id": self.cat_a.id,
                    "sfa_last_contact_date": today - timedelta(days=90),
                }
            )
            self.assertEqual(overdue.sfa_next_visit_date, today - timedelta(days=15))
            self.assertEqual(due_today.sfa_next_visit_date, today)
            self.assertEqual(not_yet.sfa_next_visit_date, today + timedelta(days=1))
            self.assertEqual(slow_norm.sfa_next_visit_date, today + timedelta(days=15))
            self.assertFalse(no_norm.sfa_next_visit_date)
            self.assertFalse(contact.sfa_next_visit_date)
            self.universe = (
                self.all_customers | due_today | not_yet | slow_norm | no_norm | contact
            )

            self.assertEqual(self.due_for_visit(self.rep_a), overdue | due_today)
            # without "My Customers", the unowned ones show too, never a colleague's
            self.assertEqual(
                self.due_for_visit(self.rep_a, filters=["sfa_due_visit"]),
                overdue | due_today | self.cust_free,
            )
            self.assertEqual(self.due_for_visit(self.rep_b), self.cust_b)
            # the supervisor's own portfolio is empty, the team's is not: the
            # list opens on the team's, without the unowned customers
            self.assertFalse(
                self.due_for_visit(
                    self.supervisor, filters=["sfa_due_visit", "sfa_my_customers"]
                )
            )
            self.assertEqual(
                self.due_for_visit(self.supervisor), overdue | due_today | self.cust_b
            )
            self.assertEqual(
                self.due_for_visit(self.supervisor, filters=["sfa_due_visit"]),
                overdue | due_today | self.cust_b | self.cust_free,
            )

        with freeze_time("2026-06-16"):
            self.assertEqual(
                self.due_for_visit(self.rep_a), overdue | due_today | not_yet
            )
            # a visit takes the customer off the list
            self.mark_done(overdue, self.rep_a)
            self.assertEqual(self.due_for_visit(self.rep_a), due_today | not_yet)
