from contextlib import contextmanager
from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import SfaCase


@tagged("post_install", "-at_install")
class TestShare(SfaCase):
    """rep_a (North branch) shares with rep_c (other branch, other manager)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact_a = cls.env["res.partner"].create(
            {
                "name": "Anna Alpha",
                "parent_id": cls.cust_a.id,
                "email": "anna@alpha.fr",
            }
        )

    # ------------------------------------------------------------------
    # helpers: what the Share / Delegate buttons do in the UI
    # ------------------------------------------------------------------

    def share(
        self, records, by, colleagues, access="read", date_expiry=None, note=None
    ):
        action = records.with_user(by).action_sfa_share()
        self.assertEqual(action["res_model"], "sfa.share.wizard")
        Wizard = (
            self.env["sfa.share.wizard"].with_user(by).with_context(**action["context"])
        )
        with Form(Wizard) as form:
            for colleague in colleagues:
                form.user_ids.add(colleague)
            form.access = access
            form.date_expiry = date_expiry
            if note:
                form.note = note
        return form.record.action_share()

    def delegate(self, records, by, new_owner, note, date_deadline):
        action = records.with_user(by).action_sfa_delegate()
        self.assertEqual(action["res_model"], "sfa.delegate.wizard")
        return (
            self.env["sfa.delegate.wizard"]
            .with_user(by)
            .with_context(**action["context"])
            .create(
                {
                    "user_id": new_owner.id,
                    "note": note,
                    "date_deadline": date_deadline,
                }
            )
            .action_delegate()
        )

    def shares_of(self, records):
        return (
            self.env["sfa.share"]
            .with_context(active_test=False)
            .search([("res_model", "=", records._name), ("res_id", "in", records.ids)])
        )

    @contextmanager
    def assertRaisesMessage(self, exception, text):
        with self.assertRaises(exception) as cm:
            yield cm
        self.assertIn(text, str(cm.exception))

    # ------------------------------------------------------------------
    # read / edit shares
    # ------------------------------------------------------------------

    def test_read_share_grants_read_not_write(self):
        self.assertNotIn(self.lead_a, self.visible_leads(self.rep_c))
        self.share(self.lead_a, self.rep_a, self.rep_c, "read")

        self.assertEqual(
            self.visible_leads(self.rep_c), self.lead_a | self.lead_c | self.lead_free
        )
        self.assertEqual(
            self.lead_a.with_user(self.rep_c).read(["name"])[0]["name"], "Deal A"
        )
        with self.assertRaises(AccessError):
            self.lead_a.with_user(self.rep_c).write({"expected_revenue": 1})
        self.assertEqual(self.lead_a.expected_revenue, 1000)
        # the share opens lead_a only, not the rest of the North branch
        with self.assertRaises(AccessError):
            self.lead_b.with_user(self.rep_c).read(["name"])
        # and only to rep_c
        self.assertNotIn(self.lead_a, self.visible_leads(self.rep_b))

        share = self.shares_of(self.lead_a)
        self.assertEqual(len(share), 1)
        self.assertRecordValues(
            share,
            [
                {
                    "user_id": self.rep_c.id,
                    "granted_by_id": self.rep_a.id,
                    "access": "read",
                    "date_expiry": False,
                    "active": True,
                    "record_name": "Deal A",
                }
            ],
        )
        # both ends see the share in their list, an outsider does not
        Share = self.env["sfa.share"]
        self.assertEqual(Share.with_user(self.rep_c).search([]), share)
        self.assertEqual(Share.with_user(self.rep_a).search([]), share)
        self.assertFalse(Share.with_user(self.rep_b).search([]))

    def test_edit_share_grants_write(self):
        self.share(self.lead_a, self.rep_a, self.rep_c, "edit")
        self.lead_a.with_user(self.rep_c).write({"expected_revenue": 1234})
        self.assertEqual(self.lead_a.expected_revenue, 1234)
        self.assertTrue(self.lead_a.with_user(self.rep_c).sfa_editable)

    def test_reshare_upgrades_read_to_edit(self):
        self.share(self.lead_a, self.rep_a, self.rep_c, "read")
        with self.assertRaises(AccessError):
            self.lead_a.with_user(self.rep_c).write({"expected_revenue": 1})
        # sharing again replaces the previous share (e.g. to give edit access)
        self.share(self.lead_a, self.rep_a, self.rep_c, "edit")
        self.lead_a.with_user(self.rep_c).write({"expected_revenue": 1})
        self.assertEqual(self.lead_a.expected_revenue, 1)
        shares = self.shares_of(self.lead_a)
        self.assertEqual(len(shares), 2, "the first share is archived, not duplicated")
        self.assertEqual(shares.filtered("active").access, "edit")

    def test_new_share_replaces_share_granted_by_someone_else(self):
        self.share(self.lead_a, self.supervisor, self.rep_c, "edit")
        self.share(self.lead_a, self.rep_a, self.rep_c, "read")
        shares = self.shares_of(self.lead_a)
        self.assertRecordValues(
            shares.filtered("active"),
            [
                {
                    "user_id": self.rep_c.id,
                    "granted_by_id": self.rep_a.id,
                    "access": "read",
                },
            ],
        )
        self.assertIn(self.lead_a, self.visible_leads(self.rep_c))
        with self.assertRaises(AccessError):
            self.lead_a.with_user(self.rep_c).write({"expected_revenue": 1})

    def test_shared_deal_opens_customer_and_contacts_read_only(self):
        Partner = self.env["res.partner"].with_user(self.rep_c)
        domain = [("id", "in", (self.cust_a | self.contact_a).ids)]
        self.assertFalse(Partner.search(domain))
        with self.assertRaises(AccessError):
            self.cust_a.with_user(self.rep_c).read(["name"])

        self.share(self.lead_a, self.rep_a, self.rep_c, "edit")

        self.assertEqual(Partner.search(domain), self.cust_a | self.contact_a)
        self.assertEqual(
            self.cust_a.with_user(self.rep_c).read(["email"])[0]["email"],
            "info@alpha.fr",
        )
        self.assertEqual(
            self.contact_a.with_user(self.rep_c).read(["email"])[0]["email"],
            "anna@alpha.fr",
        )
        # even an editable deal does not let them edit the customer
        with self.assertRaises(AccessError):
            self.cust_a.with_user(self.rep_c).write({"phone": "+33 1 00 00 00 00"})
        with self.assertRaises(AccessError):
            self.contact_a.with_user(self.rep_c).write({"phone": "+33 1 00 00 00 00"})
        self.assertFalse(self.cust_a.phone)
        # the rest of the North branch stays hidden
        with self.assertRaises(AccessError):
            self.cust_b.with_user(self.rep_c).read(["name"])

    def test_share_posts_note_naming_colleague(self):
        self.share(
            self.lead_a, self.rep_a, self.rep_c, "read", note="Please help on pricing"
        )
        message = self.lead_a.message_ids[0]
        self.assertIn("Shared with Rep C", message.body)
        self.assertIn("Please help on pricing", message.body)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(message.author_id, self.rep_a.partner_id)

    def test_share_customer(self):
        self.share(self.cust_a, self.rep_a, self.rep_c | self.rep_b, "read")
        for colleague in self.rep_b | self.rep_c:
            self.assertIn(self.cust_a, self.visible_customers(colleague))
        self.assertIn("Shared with Rep B, Rep C", self.cust_a.message_ids[0].body)
        with self.assertRaises(AccessError):
            self.cust_a.with_user(self.rep_c).write({"comment": "x"})
        # the customer only: not its deals
        with self.assertRaises(AccessError):
            self.lead_a.with_user(self.rep_c).read(["name"])

    def test_shared_customer_shows_its_contacts(self):
        self.share(self.cust_a, self.rep_a, self.rep_c, "read")
        self.assertEqual(
            self.env["res.partner"]
            .with_user(self.rep_c)
            .search([("parent_id", "=", self.cust_a.id)]),
            self.contact_a,
            "BUG res_partner._sfa_extra_access_domains: sharing a customer hides "
            "its contact persons, while sharing one of its deals shows them",
        )

    # ------------------------------------------------------------------
    # expiry
    # ------------------------------------------------------------------

    def test_share_expiry(self):
        today = date(2026, 3, 2)
        expiry = today + timedelta(days=7)
        with freeze_time(today):
            self.share(self.lead_a, self.rep_a, self.rep_c, "read", date_expiry=expiry)
        share = self.shares_of(self.lead_a)
        self.assertEqual(share.date_expiry, expiry)

        with freeze_time(expiry):  # last day of access
            self.assertIn(self.lead_a, self.visible_leads(self.rep_c))
            self.assertIn(self.cust_a, self.visible_customers(self.rep_c))
            self.assertEqual(
                self.lead_a.with_user(self.rep_c).read(["name"])[0]["name"], "Deal A"
            )
            self.env["sfa.share"]._cron_archive_expired()
            self.assertTrue(share.active, "a share is still valid on its expiry date")

        with freeze_time(expiry + timedelta(days=1)):
            self.assertNotIn(self.lead_a, self.visible_leads(self.rep_c))
            self.assertNotIn(self.cust_a, self.visible_customers(self.rep_c))
            with self.assertRaises(AccessError):
                self.lead_a.with_user(self.rep_c).read(["name"])
            with self.assertRaises(AccessError):
                self.cust_a.with_user(self.rep_c).read(["name"])
            share.invalidate_recordset()
            self.assertTrue(share.is_expired)

            self.env["sfa.share"]._cron_archive_expired()
            self.assertFalse(share.active)
            self.assertFalse(self.env["sfa.share"].with_user(self.rep_c).search([]))

    def test_cron_archives_only_expired_shares(self):
        with freeze_time("2026-03-02"):
            self.share(
                self.lead_a,
                self.rep_a,
                self.rep_c,
                "read",
                date_expiry=date(2026, 3, 5),
            )
            self.share(
                self.lead_a,
                self.rep_a,
                self.rep_b,
                "read",
                date_expiry=date(2026, 3, 10),
            )
            self.share(self.lead_a, self.rep_a, self.supervisor, "read")
        shares = self.shares_of(self.lead_a)
        with freeze_time("2026-03-08"):
            self.env["sfa.share"]._cron_archive_expired()
        self.assertEqual(
            shares.filtered("active").user_id, self.rep_b | self.supervisor
        )

    def test_share_expiring_in_the_past_is_refused(self):
        with freeze_time("2026-03-02"):
            with self.assertRaisesMessage(UserError, "cannot expire in the past"):
                self.share(
                    self.lead_a,
                    self.rep_a,
                    self.rep_c,
                    "read",
                    date_expiry=date(2026, 3, 1),
                )
            self.assertFalse(self.shares_of(self.lead_a))
            self.assertNotIn(self.lead_a, self.visible_leads(self.rep_c))
            # today is fine: it is the last day of access
            self.share(
                self.lead_a,
                self.rep_a,
                self.rep_c,
                "read",
                date_expiry=date(2026, 3, 2),
            )
            self.assertIn(self.lead_a, self.visible_leads(self.rep_c))

    # ------------------------------------------------------------------
    # who may share what
    # ------------------------------------------------------------------

    def test_cannot_share_record_not_editable(self):
        # a deal of another branch
        with self.assertRaises(AccessError):
            self.share(self.lead_c, self.rep_a, self.rep_b, "read")
        self.assertFalse(self.shares_of(self.lead_c))
        self.assertNotIn(self.lead_c, self.visible_leads(self.rep_b))
        # a deal they can only read through a read share
        self.share(self.lead_a, self.rep_a, self.rep_c, "read")
        with self.assertRaises(AccessError):
            self.share(self.lead_a, self.rep_c, self.manager_2, "edit")
        self.assertEqual(self.shares_of(self.lead_a).user_id, self.rep_c)
        # not through the model either
        with self.assertRaises(AccessError):
            self.env["sfa.share"].with_user(self.rep_a).create(
                {
                    "res_model": "crm.lead",
                    "res_id": self.lead_c.id,
                    "user_id": self.rep_b.id,
                    "access": "edit",
                }
            )
        self.assertFalse(self.shares_of(self.lead_c))

    def test_refused_share_leaves_no_access_behind(self):
        """A batch with a share to oneself is refused as a whole and grants nothing.

        The share to rep_b is checked while the refused share to rep_a is already
        in the table: nothing of it may survive the rollback (e.g. in a cache).
        """
        Share = self.env["sfa.share"].with_user(self.rep_a)
        with self.assertRaises(UserError):  # AccessError is a UserError too
            Share.create(
                [
                    {
                        "res_model": "crm.lead",
                        "res_id": self.lead_c.id,
                        "user_id": self.rep_b.id,
                        "access": "edit",
                    },
                    {
                        "res_model": "crm.lead",
                        "res_id": self.lead_c.id,
                        "user_id": self.rep_a.id,
                        "access": "edit",
                    },
                ]
            )
        self.assertFalse(self.shares_of(self.lead_c))
        self.assertNotIn(
            self.lead_c,
            self.visible_leads(self.rep_a),
            "BUG sfa_share.create: the refused share to oneself stays in the "
            "_sfa_shared_res_ids_on cache (filled by _check_granter_access, not "
            "cleared when it raises)",
        )
        self.assertNotIn(self.lead_c, self.visible_leads(self.rep_b))
        with self.assertRaises(AccessError):
            self.lead_c.with_user(self.rep_a).write({"expected_revenue": 1})
        self.assertEqual(self.lead_c.expected_revenue, 3000)

    def test_cannot_share_in_someone_elses_name(self):
        Share = self.env["sfa.share"].with_user(self.rep_a)
        # rep_b owns lead_b; rep_a cannot hand out a share "from" rep_b
        with self.assertRaises(AccessError):
            Share.create(
                {
                    "res_model": "crm.lead",
                    "res_id": self.lead_b.id,
                    "user_id": self.rep_c.id,
                    "granted_by_id": self.rep_b.id,
                    "access": "edit",
                }
            )
        # nor on their own deal in the supervisor's name
        with self.assertRaises(AccessError):
            Share.create(
                {
                    "res_model": "crm.lead",
                    "res_id": self.lead_a.id,
                    "user_id": self.rep_c.id,
                    "granted_by_id": self.supervisor.id,
                    "access": "edit",
                }
            )
        # a sales administrator outside the SFA roles neither
        admin = new_test_user(
            self.env, login="sales_admin", groups="sales_team.group_sale_manager"
        )
        with self.assertRaisesMessage(UserError, "in your own name"):
            self.env["sfa.share"].with_user(admin).create(
                {
                    "res_model": "crm.lead",
                    "res_id": self.lead_b.id,
                    "user_id": self.rep_c.id,
                    "granted_by_id": self.rep_b.id,
                    "access": "edit",
                }
            )
        self.assertFalse(self.shares_of(self.lead_a | self.lead_b))
        self.assertNotIn(self.lead_b, self.visible_leads(self.rep_c))

    def test_cannot_share_with_oneself(self):
        with self.assertRaisesMessage(UserError, "yourself"):
            self.share(self.lead_a, self.rep_a, self.rep_a, "edit")
        with self.assertRaisesMessage(UserError, "yourself"):
            self.env["sfa.share"].with_user(self.rep_a).create(
                {
                    "res_model": "crm.lead",
                    "res_id": self.lead_a.id,
                    "user_id": self.rep_a.id,
                }
            )
        self.assertFalse(self.shares_of(self.lead_a))
        self.assertFalse(
            self.lead_a.message_ids.filtered(lambda m: "Shared with" in (m.body or ""))
        )

    def test_recipient_cannot_extend_upgrade_or_move_share(self):
        with freeze_time("2026-03-02"):
            self.share(
                self.lead_a,
                self.rep_a,
                self.rep_c,
                "read",
                date_expiry=date(2026, 3, 5),
            )
            share = self.shares_of(self.lead_a)
            as_recipient = share.with_user(self.rep_c)
            with self.assertRaises(AccessError):
                as_recipient.write({"date_expiry": date(2026, 12, 31)})
            with self.assertRaises(AccessError):
                as_recipient.write({"date_expiry": False})
            with self.assertRaises(AccessError):
                as_recipient.write({"access": "edit"})
            with self.assertRaises(UserError):
                as_recipient.write({"user_id": self.rep_b.id})
            with self.assertRaises(UserError):
                as_recipient.write({"res_id": self.lead_b.id})
            # neither can the granter move it to someone or something else
            with self.assertRaises(UserError):
                share.with_user(self.rep_a).write({"user_id": self.rep_b.id})
            with self.assertRaises(UserError):
                share.with_user(self.rep_a).write({"res_id": self.lead_b.id})
            self.assertRecordValues(
                share,
                [
                    {
                        "user_id": self.rep_c.id,
                        "res_id": self.lead_a.id,
                        "access": "read",
                        "date_expiry": date(2026, 3, 5),
                        "granted_by_id": self.rep_a.id,
                    }
                ],
            )
            # the granter may extend it
            share.with_user(self.rep_a).write({"date_expiry": date(2026, 3, 20)})
        with freeze_time("2026-03-10"):
            self.assertIn(self.lead_a, self.visible_leads(self.rep_c))
            self.assertNotIn(self.lead_b, self.visible_leads(self.rep_c))

    # ------------------------------------------------------------------
    # delegation
    # ------------------------------------------------------------------

    def test_delegate(self):
        deadline = date(2026, 3, 9)
        with freeze_time("2026-03-02"):
            self.delegate(
                self.lead_a,
                self.rep_a,
                self.rep_b,
                "Call them back about the renewal",
                deadline,
            )
        self.assertEqual(self.lead_a.user_id, self.rep_b)
        # the rep's branch still sees it, rep_a does not anymore
        self.assertIn(self.lead_a, self.visible_leads(self.rep_b))
        self.assertNotIn(self.lead_a, self.visible_leads(self.rep_a))

        message = self.lead_a.message_ids[0]
        self.assertIn("Delegated to Rep B by Rep A", message.body)
        self.assertIn("Call them back about the renewal", message.body)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_note"))

        activity = self.lead_a.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertRecordValues(
            activity,
            [
                {
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "user_id": self.rep_b.id,
                    "date_deadline": deadline,
                    "summary": "Delegated by Rep A",
                }
            ],
        )
        self.assertIn("Call them back about the renewal", str(activity.note))
        # the new owner finds the to-do in their own activities
        todo = (
            self.env["mail.activity"]
            .with_user(self.rep_b)
            .search(
                [
                    ("user_id", "=", self.rep_b.id),
                    ("res_model", "=", "crm.lead"),
                    ("res_id", "=", self.lead_a.id),
                ]
            )
        )
        self.assertEqual(todo, activity)

    def test_delegate_customer(self):
        self.delegate(
            self.cust_a, self.rep_a, self.rep_b, "Yours now", date(2026, 3, 9)
        )
        self.assertEqual(self.cust_a.user_id, self.rep_b)
        self.assertEqual(self.cust_a.activity_ids.user_id, self.rep_b)
        self.assertIn(self.cust_a, self.visible_customers(self.rep_b))

    def test_delegate_to_archived_user_refused(self):
        self.rep_b.action_archive()
        messages = self.lead_a.message_ids
        with self.assertRaisesMessage(UserError, "archived"):
            self.delegate(
                self.lead_a, self.rep_a, self.rep_b, "Yours now", date(2026, 3, 9)
            )
        self.assertEqual(self.lead_a.user_id, self.rep_a)
        self.assertFalse(self.lead_a.activity_ids)
        self.assertEqual(self.lead_a.message_ids, messages)

    def test_cannot_delegate_record_not_editable(self):
        with self.assertRaises(AccessError):
            self.delegate(
                self.lead_c, self.rep_a, self.rep_a, "Mine now", date(2026, 3, 9)
            )
        self.assertEqual(self.lead_c.user_id, self.rep_c)
        self.assertFalse(self.lead_c.activity_ids)

    def test_edit_share_does_not_let_the_colleague_take_or_pass_on_the_deal(self):
        self.share(
            self.lead_a,
            self.rep_a,
            self.rep_c,
            access="edit",
            date_expiry=date(2026, 12, 31),
        )
        lead = self.lead_a.with_user(self.rep_c)
        lead.write({"description": "Edited by a colleague"})
        with self.assertRaises(AccessError):
            lead.write({"user_id": self.rep_c.id})
        with self.assertRaises(AccessError):
            self.share(self.lead_a, self.rep_c, self.rep_b, access="edit")
        self.assertEqual(self.lead_a.user_id, self.rep_a)
        self.assertNotIn(self.lead_a, self.visible_leads(self.rep_b))

    def test_revoked_share_cannot_be_revived_without_access(self):
        self.share(self.lead_a, self.rep_a, self.rep_c)
        share = self.shares_of(self.lead_a)
        share.with_user(self.rep_a).active = False
        self.lead_a.user_id = self.rep_b  # the deal changes hands
        with self.assertRaises(AccessError):
            share.with_user(self.rep_a).write({"active": True, "access": "edit"})
        self.assertNotIn(self.lead_a, self.visible_leads(self.rep_c))

    def test_linking_a_hidden_customer_to_a_deal_is_refused(self):
        with self.assertRaises(AccessError):
            self.env["crm.lead"].with_user(self.rep_a).create(
                {"name": "Peek", "partner_id": self.cust_c.id}
            )
        with self.assertRaises(AccessError):
            self.lead_a.with_user(self.rep_a).write({"partner_id": self.cust_c.id})
        self.assertEqual(self.lead_a.partner_id, self.cust_a)

    # ------------------------------------------------------------------
    # scope: shares and delegations go to colleagues of the sales force,
    # on customers and deals, from today on, whatever path makes them
    # ------------------------------------------------------------------

    def test_delegation_and_sharing_only_to_the_sales_force(self):
        portal = new_test_user(
            self.env, login="portal_buyer", groups="base.group_portal"
        )
        clerk = new_test_user(self.env, login="clerk", groups="base.group_user")
        for outsider in (portal, clerk, self.other_rep):
            with self.subTest(user=outsider.login):
                with self.assertRaises(UserError):
                    self.delegate(
                        self.lead_a, self.rep_a, outsider, "Yours", date(2026, 3, 9)
                    )
                with self.assertRaises(UserError):
                    self.env["sfa.share"].with_user(self.rep_a).create(
                        {
                            "res_model": "crm.lead",
                            "res_id": self.lead_a.id,
                            "user_id": outsider.id,
                        }
                    )
                # a direct write of the owner is refused the same way, for a
                # director too
                for user in (self.rep_a, self.director):
                    with self.assertRaises(ValidationError):
                        self.lead_a.with_user(user).write({"user_id": outsider.id})
        self.assertEqual(self.lead_a.user_id, self.rep_a)
        self.assertFalse(self.shares_of(self.lead_a))
        self.assertIn(self.lead_a, self.visible_leads(self.supervisor))

    def test_a_share_made_directly_cannot_start_expired(self):
        Share = self.env["sfa.share"].with_user(self.rep_a)
        values = {"res_model": "crm.lead", "res_id": self.lead_a.id}
        with freeze_time("2026-03-02"):
            with self.assertRaisesMessage(UserError, "cannot expire in the past"):
                Share.create(
                    dict(values, user_id=self.rep_c.id, date_expiry="2026-03-01")
                )
            share = Share.create(
                dict(values, user_id=self.rep_c.id, date_expiry="2026-03-02")
            )
            with self.assertRaisesMessage(UserError, "cannot expire in the past"):
                share.write({"date_expiry": "2020-01-01"})
        self.assertEqual(str(share.date_expiry), "2026-03-02")

    def test_only_customers_and_deals_are_shared_or_delegated(self):
        """A supervisor shared a rep's scorecard with another team."""
        for model, res_id in (
            ("res.users", self.rep_a.id),
            ("sfa.territory", self.t_north.id),
        ):
            with self.subTest(model=model):
                with self.assertRaisesMessage(
                    UserError, "Only customers and opportunities"
                ):
                    self.env["sfa.share"].with_user(self.manager).create(
                        {"res_model": model, "res_id": res_id, "user_id": self.rep_c.id}
                    )
        wizard = (
            self.env["sfa.delegate.wizard"]
            .with_user(self.manager)
            .create(
                {
                    "res_model": "res.users",
                    "res_ids": [self.rep_a.id],
                    "user_id": self.rep_b.id,
                    "note": "x",
                }
            )
        )
        with self.assertRaisesMessage(UserError, "Only customers and opportunities"):
            wizard.action_delegate()
        wizard.write({"res_model": "crm.lead", "res_ids": ["1; DROP"]})
        with self.assertRaisesMessage(UserError, "given by their ids"):
            wizard.action_delegate()

    def test_records_are_created_for_ones_own_line(self):
        """A rep plants nothing on another team: create, then delegate."""
        Lead = self.env["crm.lead"].with_user(self.rep_a)
        with self.assertRaises(AccessError):
            Lead.create({"name": "Planted", "user_id": self.rep_c.id})
        # the North's manager may write the North's deals, not plant new ones
        # on a rep of another line
        with self.assertRaisesMessage(AccessError, "not in your team"):
            self.env["crm.lead"].with_user(self.manager).create(
                {
                    "name": "Planted",
                    "user_id": self.rep_c.id,
                    "sfa_territory_id": self.t_north.id,
                }
            )
        with self.assertRaisesMessage(AccessError, "not in your team"):
            self.env["res.partner"].with_user(self.manager).create(
                {
                    "name": "Planted Co",
                    "is_company": True,
                    "user_id": self.rep_c.id,
                    "sfa_territory_id": self.t_north.id,
                }
            )
        mine = Lead.create({"name": "Mine", "user_id": self.rep_a.id})
        supervised = (
            self.env["crm.lead"]
            .with_user(self.supervisor)
            .create({"name": "For rep B", "user_id": self.rep_b.id})
        )
        self.assertEqual((mine.user_id, supervised.user_id), (self.rep_a, self.rep_b))
        # a contact person added to a customer one may edit takes its owner
        self.share(self.cust_c, self.rep_c, [self.rep_a], "edit")
        contact = (
            self.env["res.partner"]
            .with_user(self.rep_a)
            .create(
                {"name": "Chris", "parent_id": self.cust_c.id, "user_id": self.rep_c.id}
            )
        )
        self.assertEqual(contact.user_id, self.rep_c)

    def test_territory_set_by_hand_is_one_the_user_works_in(self):
        """A rep moved a customer into a region whose manager then read it."""
        with self.assertRaisesMessage(AccessError, "not a territory you"):
            self.cust_a.with_user(self.rep_a).write(
                {"sfa_territory_id": self.t_south.id}
            )
        with self.assertRaisesMessage(AccessError, "not a territory you"):
            self.env["crm.lead"].with_user(self.rep_a).create(
                {"name": "South deal", "sfa_territory_id": self.t_marseille.id}
            )
        self.assertEqual(self.cust_a.sfa_territory_id, self.t_lille)
        # within what the rep covers (North and below) it is theirs to choose
        self.cust_a.with_user(self.rep_a).write({"sfa_territory_id": self.t_north.id})
        self.assertEqual(self.cust_a.sfa_territory_id, self.t_north)
        self.cust_c.with_user(self.director).write(
            {"sfa_territory_id": self.t_north.id}
        )
        self.assertEqual(self.cust_c.sfa_territory_id, self.t_north)
