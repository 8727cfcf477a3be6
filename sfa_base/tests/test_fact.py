from datetime import date, datetime
from unittest.mock import patch

import psycopg2.errors
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models.sfa_fact import PENDING
from .common import SfaCase


@tagged("post_install", "-at_install")
class TestFacts(SfaCase):
    """The fact layer: what a won deal, an e-mail, a meeting and a done
    activity become, on whose day, in which territory, and who reads them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Fact = cls.env["sfa.fact"]
        cls.rep_a.tz = "Asia/Shanghai"
        cls.company.partner_id.tz = "Europe/Paris"

    def facts(self, metric, **where):
        domain = [("metric", "=", metric)]
        domain += [(name, "=", value) for name, value in where.items()]
        return self.Fact.search(domain, order="date, id")

    def win(self, lead, moment):
        with freeze_time(moment):
            lead.action_set_won()

    def test_a_won_deal_is_a_fact_on_the_salespersons_day(self):
        # 23:30 UTC on 31 January is 07:30 on 1 February in Shanghai
        self.win(self.lead_a, "2026-01-31 23:30:00")
        won = self.facts("won_revenue", lead_id=self.lead_a.id)
        self.assertEqual(len(won), 1)
        self.assertEqual(won.date, date(2026, 2, 1))
        self.assertEqual(won.amount, 1000)
        self.assertEqual(won.currency_id, self.company.currency_id)
        self.assertEqual(won.user_id, self.rep_a)
        self.assertEqual(won.partner_id, self.cust_a)
        self.assertEqual(won.territory_id, self.t_lille)
        self.assertEqual((won.res_model, won.res_id), ("crm.lead", self.lead_a.id))
        self.assertEqual(self.facts("won_deals", lead_id=self.lead_a.id).quantity, 1)
        # rep_b has no time zone: the company's (Paris, UTC+1 in winter)
        self.win(self.lead_b, "2026-03-31 22:30:00")
        self.assertEqual(
            self.facts("won_revenue", lead_id=self.lead_b.id).date, date(2026, 4, 1)
        )

    def test_facts_follow_their_deal(self):
        self.win(self.lead_a, "2026-02-10 09:00:00")
        self.lead_a.expected_revenue = 1500
        self.assertEqual(self.facts("won_revenue", lead_id=self.lead_a.id).amount, 1500)
        # given to another customer: the fact moves with it
        self.lead_a.partner_id = self.cust_b
        fact = self.facts("won_revenue", lead_id=self.lead_a.id)
        self.assertEqual(fact.partner_id, self.cust_b)
        # reopened: no fact; lost: none either
        self.lead_a.stage_id = self.env["crm.stage"].search(
            [("is_won", "=", False)], limit=1
        )
        self.assertFalse(self.facts("won_revenue", lead_id=self.lead_a.id))
        self.lead_a.action_set_lost()
        self.assertFalse(self.facts("won_revenue", lead_id=self.lead_a.id))
        self.lead_b.unlink()
        self.assertFalse(self.facts("won_deals", lead_id=self.lead_b.id))

    def test_a_fact_is_in_the_territory_of_its_day(self):
        with freeze_time("2027-03-01"):
            self.cust_a.sudo().write(
                {"sfa_territory_id": self.t_south.id, "sfa_territory_locked": True}
            )
        self.win(self.lead_a, "2027-02-15 10:00:00")
        # won in February, when Alpha was still in Lille
        self.assertEqual(
            self.facts("won_revenue", lead_id=self.lead_a.id).territory_id, self.t_lille
        )
        later = self.lead_a.copy({"name": "Deal A2"})
        self.win(later, "2027-03-15 10:00:00")
        self.assertEqual(
            self.facts("won_revenue", lead_id=later.id).territory_id, self.t_south
        )
        # moved back in time: the facts follow the history
        with freeze_time("2027-04-01"):
            self.env["sfa.territory.history"]._record_moves(
                {self.t_north.id: self.cust_a.ids}, date(2027, 2, 1), "manual"
            )
        self.assertEqual(
            self.facts("won_revenue", lead_id=self.lead_a.id).territory_id, self.t_north
        )

    def test_a_fact_is_in_the_category_of_its_day(self):
        Category = self.env["sfa.customer.category"]
        standard = Category.create({"name": "Standard"})
        key = Category.create({"name": "Key", "is_key_account": True})
        self.cust_a.sfa_category_id = standard
        with freeze_time("2027-03-01"):
            self.cust_a.sfa_category_id = key
        stays = self.cust_a.sfa_category_history_ids.sorted("date_from")
        self.assertEqual(stays.category_id, standard | key)
        self.assertEqual(stays[0].date_from, self.cust_a.create_date.date())
        self.assertEqual(stays[0].date_to, date(2027, 3, 1))
        self.assertFalse(stays[1].date_to)
        # the contact persons follow their company, and keep no history
        contact = self.env["res.partner"].create(
            {"name": "Ann", "parent_id": self.cust_a.id}
        )
        self.assertEqual(contact.sfa_category_id, key)
        self.assertFalse(contact.sfa_category_history_ids)
        self.win(self.lead_a, "2027-02-15 10:00:00")
        self.assertEqual(
            self.facts("won_revenue", lead_id=self.lead_a.id).category_id, standard
        )
        later = self.lead_a.copy({"name": "Deal A2"})
        self.win(later, "2027-03-15 10:00:00")
        self.assertEqual(self.facts("won_revenue", lead_id=later.id).category_id, key)
        # the rebuild reads the same history
        self.env.cr.execute("DELETE FROM sfa_fact")
        self.Fact._sfa_rebuild(["won_revenue"])
        self.assertEqual(
            self.facts("won_revenue", lead_id=self.lead_a.id).category_id, standard
        )
        # a customer whose category never changed: its current one
        self.cust_b.sfa_category_id = key
        self.win(self.lead_b, "2026-01-15 10:00:00")
        self.assertEqual(
            self.facts("won_revenue", lead_id=self.lead_b.id).category_id, key
        )
        # categorized before the history was kept (an install into an existing
        # CRM): its first change keeps the former category from its creation
        older = self.env["res.partner"].create(
            {"name": "Older", "is_company": True, "sfa_category_id": standard.id}
        )
        self.env.cr.execute(
            "DELETE FROM sfa_category_history WHERE partner_id = %s;"
            " UPDATE res_partner SET create_date = '2026-01-10 09:00' WHERE id = %s",
            older.ids * 2,
        )
        self.env.invalidate_all()
        with freeze_time("2026-06-01"):
            older.sfa_category_id = key
        self.assertEqual(
            [
                (s.category_id, s.date_from, s.date_to)
                for s in older.sfa_category_history_ids.sorted("date_from")
            ],
            [
                (standard, date(2026, 1, 10), date(2026, 6, 1)),
                (key, date(2026, 6, 1), False),
            ],
        )
        # the history is the system's: a rep reads it, and cannot write it
        history = self.env["sfa.category.history"].with_user(self.rep_a)
        self.assertEqual(history.search([("partner_id", "=", self.cust_a.id)]), stays)
        with self.assertRaises(AccessError):
            history.create({"partner_id": self.cust_a.id, "category_id": key.id})
        with self.assertRaises(AccessError):
            stays.with_user(self.rep_a).write({"date_from": date(2020, 1, 1)})

    def test_the_rebuild_finds_the_same_facts(self):
        self.win(self.lead_a, "2026-02-10 09:00:00")
        self.win(self.lead_c, "2026-02-11 09:00:00")
        names = ["metric", "date", "amount", "res_id", "user_id", "territory_id"]

        def facts():
            rows = self.Fact.search_read([], names)
            return sorted(tuple(str(row[name]) for name in names) for row in rows)

        before = facts()
        self.assertTrue(before)
        # lost behind the ORM's back: the rebuild writes them again
        self.env.cr.execute("DELETE FROM sfa_fact")
        self.env.invalidate_all()
        self.Fact._sfa_rebuild()
        self.assertEqual(facts(), before)

    def test_the_nightly_job_retries_a_metric_that_collides(self):
        """The nightly rebuild runs while people work: a metric whose facts a
        user's refresh holds (deadlock) is tried again, not lost for the night;
        every metric commits on its own (here: the job's progress calls)."""
        self.win(self.lead_a, "2026-02-10 09:00:00")
        names = ["metric", "date", "amount", "res_id", "user_id"]

        def facts():
            rows = self.Fact.search_read([], names)
            return sorted(tuple(str(row[name]) for name in names) for row in rows)

        before = facts()
        self.env.cr.execute("DELETE FROM sfa_fact")
        self.env.invalidate_all()
        Facts = type(self.Fact)
        original = Facts._sfa_rebuild
        collided = []

        def rebuild(facts_model, metrics=None):
            if metrics == ["won_revenue"] and not collided:
                collided.append(metrics)
                raise psycopg2.errors.DeadlockDetected("deadlock detected")
            return original(facts_model, metrics)

        progress = []
        Cron = type(self.env["ir.cron"])
        with (
            patch.object(Facts, "_sfa_rebuild", rebuild),
            patch.object(
                Cron, "_commit_progress", lambda cron, *a, **k: progress.append(a)
            ),
            patch("odoo.addons.sfa_base.models.sfa_fact.time.sleep") as sleep,
        ):
            self.Fact._cron_rebuild()
        self.assertEqual(collided, [["won_revenue"]])
        self.assertEqual(sleep.call_count, 1)
        self.assertEqual(facts(), before, "the collided metric was rebuilt")
        self.assertEqual(len(progress), len(self.Fact._sfa_sources()) + 1)

    def test_every_channel_is_a_contact(self):
        rep = self.rep_a
        contact = self.env["res.partner"].create(
            {"name": "Anne Alpha", "parent_id": self.cust_a.id, "email": "a@alpha.fr"}
        )
        self.assertFalse(self.cust_a.sfa_last_contact_date)
        # an e-mail from the customer's contact, on its deal
        with freeze_time("2026-04-02 08:00:00"):
            self.lead_a.message_post(
                body="Can we meet?",
                message_type="email",
                author_id=contact.id,
                subtype_xmlid="mail.mt_comment",
            )
        self.run_commit_hooks()
        self.assertEqual(self.cust_a.sfa_last_contact_date, date(2026, 4, 2))
        emails = self.facts("contact_emails", partner_id=self.cust_a.id)
        self.assertEqual(emails.user_id, rep, "the deal's salesperson")
        # an internal note is not a contact
        with freeze_time("2026-04-05 08:00:00"):
            self.lead_a.with_user(rep).message_post(
                body="Note to self", subtype_xmlid="mail.mt_note"
            )
        self.run_commit_hooks()
        self.assertEqual(self.cust_a.sfa_last_contact_date, date(2026, 4, 2))
        # a meeting with the contact among the attendees, once it took place
        with freeze_time("2026-04-06 08:00:00"):
            meeting = (
                self.env["calendar.event"]
                .with_context(no_mail_to_attendees=True)
                .create(
                    {
                        "name": "Visit Alpha",
                        "start": datetime(2026, 4, 9, 2, 0),
                        "stop": datetime(2026, 4, 9, 3, 0),
                        "user_id": rep.id,
                        "partner_ids": [Command.set([rep.partner_id.id, contact.id])],
                    }
                )
            )
            # not held yet
            self.assertFalse(self.facts("contact_meetings", res_id=meeting.id))
            self.run_commit_hooks()
            self.assertEqual(self.cust_a.sfa_last_contact_date, date(2026, 4, 2))
        with freeze_time("2026-04-10 08:00:00"):
            # the hourly job counts it once it has taken place
            self.Fact._cron_meetings_held()
        # 02:00 UTC is 10:00 in Shanghai
        self.assertEqual(
            self.facts("contact_meetings", partner_id=self.cust_a.id).date,
            date(2026, 4, 9),
        )
        self.assertEqual(self.cust_a.sfa_last_contact_date, date(2026, 4, 9))
        # a done activity on the customer
        activity = self.cust_a.activity_schedule(
            "mail.mail_activity_data_call", user_id=rep.id
        )
        with freeze_time("2026-04-12 08:00:00"):
            activity.action_feedback(feedback="Called")
            self.run_commit_hooks()
        self.assertEqual(self.cust_a.sfa_last_contact_date, date(2026, 4, 12))

    def test_the_company_chooses_its_channels(self):
        with freeze_time("2026-04-02 08:00:00"):
            self.cust_b.message_post(
                body="Hello", message_type="email", author_id=self.cust_b.id
            )
        self.run_commit_hooks()
        self.assertEqual(self.cust_b.sfa_last_contact_date, date(2026, 4, 2))
        self.company.sfa_contact_email = False
        self.assertFalse(self.cust_b.sfa_last_contact_date)
        self.company.sfa_contact_email = True
        self.assertEqual(self.cust_b.sfa_last_contact_date, date(2026, 4, 2))

    def test_facts_follow_the_visibility_rule(self):
        for lead, day in ((self.lead_a, 3), (self.lead_b, 4), (self.lead_c, 5)):
            self.win(lead, f"2026-02-0{day} 09:00:00")

        def seen(user):
            return set(
                self.Fact.with_user(user)
                .search([("metric", "=", "won_deals")])
                .mapped("lead_id.name")
            )

        self.assertEqual(seen(self.rep_a), {"Deal A"})
        self.assertEqual(seen(self.supervisor), {"Deal A", "Deal B"})
        self.assertEqual(seen(self.director), {"Deal A", "Deal B", "Deal C"})
        sums = self.Fact.with_user(self.rep_a)._read_group(
            [("metric", "=", "won_revenue")], [], ["amount:sum"]
        )
        self.assertEqual(sums, [(1000.0,)])

    def test_nobody_writes_a_fact(self):
        self.win(self.lead_a, "2026-02-10 09:00:00")
        fact = self.facts("won_revenue", lead_id=self.lead_a.id)
        for user in (self.rep_a, self.director):
            with self.assertRaises(AccessError):
                fact.with_user(user).write({"amount": 1})
            with self.assertRaises(AccessError):
                fact.with_user(user).unlink()
            with self.assertRaises(AccessError):
                self.Fact.with_user(user).create(
                    {
                        "metric": "won_revenue",
                        "date": "2026-01-01",
                        "company_id": self.company.id,
                        "res_model": "crm.lead",
                        "amount": 10**6,
                        "user_id": user.id,
                    }
                )

    def test_sales_facts_screen(self):
        """CRM > Reporting > Sales Facts: a rep reads their own facts, their
        supervisor the team's with "My Team's Facts"; totals never add two
        metrics or two currencies; each row opens its document, as the user
        may open it."""
        for lead, day in ((self.lead_a, 3), (self.lead_b, 4)):
            self.win(lead, f"2026-02-0{day} 09:00:00")
        action = self.env.ref("sfa_base.action_sfa_fact")
        menu = self.env.ref("sfa_base.menu_sfa_fact")
        self.assertEqual(menu.action, action)
        for user, leads in (
            (self.rep_a, {"Deal A"}),
            (self.supervisor, {"Deal A", "Deal B"}),
        ):
            Fact = self.Fact.with_user(user)
            views = Fact.get_views(
                [(False, "list"), (False, "pivot"), (False, "graph"), (False, "search")]
            )
            self.assertEqual(set(views["views"]), {"list", "pivot", "graph", "search"})
            team = Fact.search([("sfa_team_owned", "=", True)])
            self.assertEqual(set(team.mapped("lead_id.name")), leads, user.login)
            groups = Fact.formatted_read_group(
                [("sfa_team_owned", "=", True)],
                ["metric", "date:month"],
                ["amount:sum", "quantity:sum"],
            )
            by_metric = {g["metric"]: g for g in groups}
            expected = (
                1000 if user == self.rep_a else 1000 + self.lead_b.expected_revenue
            )
            self.assertEqual(by_metric["won_revenue"]["amount:sum"], expected)
            self.assertEqual(by_metric["won_deals"]["quantity:sum"], len(leads))
        # a total over two metrics adds unlike things: not given
        [(total, count)] = self.Fact._read_group(
            [("metric", "in", ("won_revenue", "won_cycle_days"))],
            [],
            ["amount:sum", "quantity:sum"],
        )
        # (each part is a number: 1000 + 2000 won, and the cycles)
        self.assertIn(total, (None, False))
        self.assertIn(count, (None, False))
        # one metric, or grouped by metric: given without a check per group
        # (what makes the sums alike is known before the query)
        [(one,)] = self.Fact._read_group(
            [("metric", "=", "won_revenue")], [], ["amount:sum"]
        )
        self.assertEqual(one, 1000 + self.lead_b.expected_revenue)
        query = self.Fact._read_group_select(
            "amount:sum", self.Fact._search([("metric", "=", "won_revenue")])
        )
        self.assertIn("MIN(", query.code, "outside a _read_group: checked")
        # amounts of companies in two currencies are not added up
        eur = self.env.ref("base.EUR")
        eur.active = True
        other = self.env["res.company"].create(
            {"name": "Other Currency Co", "currency_id": eur.id}
        )
        self.assertNotEqual(other.currency_id, self.company.currency_id)
        fact_ids = self.facts("won_revenue", lead_id=self.lead_b.id).ids
        self.env.cr.execute(
            "UPDATE sfa_fact SET company_id = %s WHERE id = ANY(%s)",
            [other.id, fact_ids],
        )
        self.env.invalidate_all()
        domain = [("metric", "=", "won_revenue")]
        [(mixed,)] = self.Fact._read_group(domain, [], ["amount:sum"])
        self.assertIn(mixed, (None, False), "two currencies: no total")
        by_company = dict(self.Fact._read_group(domain, ["company_id"], ["amount:sum"]))
        self.assertEqual(by_company[other], self.lead_b.expected_revenue)
        # the context cannot turn the check off
        forced = self.Fact.with_context(**{"sfa.fact.alike": {"company_id"}})
        [(total,)] = forced._read_group(domain, [], ["amount:sum"])
        self.assertIn(total, (None, False))
        # each row opens its document
        fact_a = self.facts("won_revenue", lead_id=self.lead_a.id)
        opened = fact_a.with_user(self.rep_a).action_open_source()
        self.assertEqual(
            (opened["res_model"], opened["res_id"]), ("crm.lead", self.lead_a.id)
        )
        fact_b = self.facts("won_revenue", lead_id=self.lead_b.id)
        with self.assertRaises(AccessError):
            fact_b.with_user(self.rep_a).action_open_source()

    def test_what_cannot_give_facts_yet_refreshes_nothing(self):
        """A note, a deal created open give no fact yet: creating them marks
        no fact to refresh (Odoo's own work pays no query for it); an e-mail
        from the customer and a deal created won do."""
        self.env.cr.flush()  # what the setup marked is applied
        data = self.env.cr.precommit.data

        def pending():
            return {
                metric
                for (metric, _key), ids in (data.get(PENDING) or {}).items()
                if ids
            }

        self.cust_a.message_post(
            body="Called them", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        self.env["crm.lead"].create(
            {"name": "Open deal", "type": "opportunity", "partner_id": self.cust_a.id}
        )
        self.env.flush_all()
        won_metrics = {"won_revenue", "won_deals", "won_cycle_days"}
        self.assertFalse(pending() & {"contact_emails", *won_metrics}, pending())
        email = self.cust_a.message_post(
            body="Please call", message_type="email", author_id=self.cust_a.id
        )
        won = self.env["crm.lead"].create(
            {
                "name": "Imported won deal",
                "type": "opportunity",
                "partner_id": self.cust_a.id,
                "stage_id": self.env["crm.stage"]
                .search([("is_won", "=", True)], limit=1)
                .id,
            }
        )
        self.assertEqual(won.won_status, "won")
        for metric in won_metrics:
            self.assertEqual(len(self.facts(metric, lead_id=won.id)), 1, metric)
        self.assertEqual(len(self.facts("contact_emails", res_id=email.id)), 1)
