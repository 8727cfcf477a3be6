from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import SfaCase

INBOUND = """From: Anne Alpha <anne@alpha.fr>
To: sales@example.com
Subject: Re: Deal A
Message-Id: <{tag}@alpha.fr>
Date: Thu, 15 Oct 2026 10:00:00 +0000
Content-Type: text/plain; charset=utf-8

Can we meet next week?
"""


@tagged("post_install", "-at_install")
class TestForgedFigures(SfaCase):
    """A fact's owner and day are what the server saw: a client that says
    who wrote a message, or when, or that moves a closed month's deal, does
    not move anyone's figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Fact = cls.env["sfa.fact"]
        cls.anne = cls.env["res.partner"].create(
            {"name": "Anne Alpha", "parent_id": cls.cust_a.id, "email": "anne@alpha.fr"}
        )
        cls.admin = new_test_user(
            cls.env, login="mail_admin", groups="base.group_system,base.group_user"
        )
        today = fields.Date.context_today(cls.rep_a)
        # the 10th of last month, at noon: a closed month for everyone
        cls.closed_day = (today.replace(day=1) - timedelta(days=20)).replace(day=10)
        cls.closed_moment = fields.Datetime.to_datetime(cls.closed_day) + timedelta(
            hours=12
        )

    def facts(self, metric, **where):
        domain = [("metric", "=", metric)]
        domain += [(name, "=", value) for name, value in where.items()]
        return self.Fact.search(domain, order="date, id")

    def emails(self, user=None):
        facts = self.facts("contact_emails", partner_id=self.cust_a.id)
        return facts.filtered(lambda f: f.user_id == user) if user else facts

    # ------------------------------------------------------------------
    # E-mail contacts
    # ------------------------------------------------------------------

    def test_an_author_given_by_the_client_is_not_counted(self):
        lead = self.lead_a.with_user(self.rep_a)
        lead.message_post(
            body="Posted as my colleague",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=self.rep_b.partner_id.id,
        )
        lead.with_context(default_author_id=self.rep_b.partner_id.id).message_post(
            body="Again", message_type="email", subtype_xmlid="mail.mt_comment"
        )
        # the customer "wrote" it, the rep typed it in
        lead.message_post(
            body="As the customer",
            message_type="email",
            author_id=self.anne.id,
            subtype_xmlid="mail.mt_comment",
        )
        self.run_commit_hooks()
        # one contact: the message the context tried to give to a colleague,
        # which Odoo wrote as the rep's own
        counted = self.emails()
        self.assertEqual(counted.user_id, self.rep_a)
        self.assertEqual(
            self.env["mail.message"].browse(counted.res_id).body, "<p>Again</p>"
        )

    def test_a_date_given_by_the_client_is_not_counted(self):
        message = (
            self.env["mail.message"]
            .with_user(self.rep_a)
            .create(
                {
                    "model": "crm.lead",
                    "res_id": self.lead_a.id,
                    "message_type": "email",
                    "author_id": self.rep_a.partner_id.id,
                    "date": self.closed_moment,
                    "body": "Sent last month, they say",
                }
            )
        )
        self.run_commit_hooks()
        fact = self.facts("contact_emails", res_id=message.id)
        self.assertEqual(len(fact), 1)
        # on the day it was written (today, wherever the rep is)
        self.assertGreater(fact.date, self.closed_day + timedelta(days=15))
        self.assertFalse(self.facts("contact_emails", date=self.closed_day))
        # nor moved afterwards
        message.with_user(self.rep_a).write({"date": self.closed_moment})
        self.run_commit_hooks()
        self.assertGreater(fact.date, self.closed_day + timedelta(days=15))

    def test_only_the_mail_gateway_says_the_customer_wrote(self):
        Thread = self.env["mail.thread"]
        # a rep hands the gateway a message "from" the customer
        Thread.with_user(self.rep_a).message_process(
            "crm.lead", INBOUND.format(tag="rep"), thread_id=self.lead_a.id
        )
        message = self.lead_a.message_ids.filtered(lambda m: m.author_id == self.anne)
        self.assertEqual(len(message), 1)
        self.assertFalse(message.sfa_inbound)
        self.run_commit_hooks()
        msgs = self.env["mail.message"].browse(self.emails().mapped("res_id"))
        self.assertFalse(
            self.emails(),
            [
                (m.message_type, m.author_id.name, m.create_uid.name, m.body)
                for m in msgs
            ],
        )
        # the gateway itself (the mail server's job, or the mailgate script
        # an administrator runs): the customer wrote, on the day it came in
        Thread.with_user(self.admin).message_process(
            "crm.lead", INBOUND.format(tag="gateway"), thread_id=self.lead_a.id
        )
        received = self.lead_a.message_ids.filtered(
            lambda m: m.author_id == self.anne and m.sfa_inbound
        )
        self.assertEqual(len(received), 1)
        self.run_commit_hooks()
        fact = self.emails()
        self.assertEqual(fact.res_id, received.id)
        self.assertEqual(fact.user_id, self.rep_a, "the deal's salesperson")
        self.assertGreater(fact.date, self.closed_day + timedelta(days=15))
        # nobody types the mark in
        with self.assertRaises(AccessError):
            message.with_user(self.rep_a).write({"sfa_inbound": True})
        with self.assertRaises(AccessError):
            message.with_user(self.admin).write({"sfa_inbound": True})

    # ------------------------------------------------------------------
    # Closed months and other people's figures
    # ------------------------------------------------------------------

    def win_last_month(self, lead):
        with freeze_time(self.closed_moment):
            lead.action_set_won()
        self.run_commit_hooks()
        return self.facts("won_revenue", lead_id=lead.id)

    def test_a_rep_does_not_rewrite_a_closed_month(self):
        fact = self.win_last_month(self.lead_a)
        self.assertEqual((fact.date, fact.amount), (self.closed_day, 1000))
        lead = self.lead_a.with_user(self.rep_a)
        for vals in (
            {"expected_revenue": 5000},
            {"date_closed": fields.Datetime.now()},
            {"active": False},
            {"partner_id": self.cust_free.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError) as caught:
                lead.write(vals)
                self.run_commit_hooks()
            self.assertIn("closed month", str(caught.exception))
            self.env.invalidate_all()
            self.assertEqual((fact.date, fact.amount), (self.closed_day, 1000))
        # nor moves a deal he wins today into it
        lead_b = self.lead_b.with_user(self.rep_b)
        lead_b.action_set_won()
        self.run_commit_hooks()
        won_b = self.facts("won_revenue", lead_id=self.lead_b.id)
        today = won_b.date
        self.assertGreater(today, self.closed_day + timedelta(days=15))
        with self.assertRaises(UserError):
            lead_b.date_closed = self.closed_moment
            self.run_commit_hooks()
        self.env.invalidate_all()
        self.assertEqual(won_b.date, today)
        # the director corrects it
        self.lead_a.with_user(self.director).expected_revenue = 1200
        self.run_commit_hooks()
        self.assertEqual(fact.amount, 1200)

    def test_a_rep_does_not_give_his_figures_away(self):
        self.lead_a.action_set_won()
        self.run_commit_hooks()
        fact = self.facts("won_revenue", lead_id=self.lead_a.id)
        self.assertEqual(fact.user_id, self.rep_a)
        # to a rep of another team
        with self.assertRaises(UserError) as caught:
            self.lead_a.with_user(self.rep_a).user_id = self.rep_c
            self.run_commit_hooks()
        self.assertIn("Rep C", str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(fact.user_id, self.rep_a)
        # the supervisor moves it within the team, in the open month
        self.lead_a.with_user(self.supervisor).user_id = self.rep_b
        self.run_commit_hooks()
        self.assertEqual(fact.user_id, self.rep_b)

    def test_a_time_zone_does_not_move_a_closed_month(self):
        """Facts are dated on the salesperson's day: a rep who changes time
        zone would move last month's deals from one day (or month) to
        another. The administrator changes it for him."""
        self.rep_a.tz = "Europe/Paris"
        self.lead_a.action_set_won()
        self.run_commit_hooks()
        fact = self.facts("won_revenue", lead_id=self.lead_a.id)
        # won at 23:30 UTC on the last day of last month: in Paris, that day
        last_day = fields.Date.context_today(self.rep_a).replace(day=1) - timedelta(
            days=1
        )
        self.lead_a.date_closed = fields.Datetime.to_datetime(last_day).replace(
            hour=22, minute=30
        )
        self.run_commit_hooks()
        self.assertEqual(fact.date, last_day)
        with self.assertRaises(UserError):
            self.rep_a.with_user(self.rep_a).write({"tz": "Asia/Shanghai"})
            self.run_commit_hooks()
        self.env.invalidate_all()
        self.assertEqual(self.rep_a.tz, "Europe/Paris")
        self.assertEqual(fact.date, last_day)
        self.rep_a.tz = "Asia/Shanghai"
        self.run_commit_hooks()
        self.assertEqual(fact.date, last_day + timedelta(days=1))

    def test_what_the_system_credits_is_not_the_reps_doing(self):
        """Changes outside the sales force (the system, a sales
        administrator) move any fact: the rule binds the sales force."""
        fact = self.win_last_month(self.lead_c)
        self.lead_c.expected_revenue = 3300
        self.run_commit_hooks()
        self.assertEqual(fact.amount, 3300)
