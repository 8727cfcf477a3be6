from collections import deque
from contextlib import closing
from datetime import datetime, timedelta

import psycopg2
from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from ..tools import foreign_keys_checked_once
from .common import SfaCase

# The partner columns sfa_base adds and fills itself at install.
ADDED = (
    "sfa_is_customer",
    "sfa_lifecycle_stage",
    "sfa_next_visit_date",
    "sfa_name_key",
    "sfa_email_domain",
    "sfa_phone_key",
    "sfa_vat_key",
)
DERIVED = ("sfa_last_contact_date", "sfa_next_visit_date", "sfa_lifecycle_stage")


@tagged("post_install", "-at_install")
class TestInstallIntoAPopulatedCrm(SfaCase):
    """Installed into years of CRM data, sfa_base computes its partner
    figures set-based and in silence: no message in any chatter, and the
    same number of queries for 20 customers as for 40."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo's tracking on, as in a database being installed into
        cls.tracked = cls.tracked_env()
        cls.key = cls.env["sfa.customer.category"].create(
            {"name": "Key", "is_key_account": True, "visit_frequency_days": 14}
        )
        cls.plain = cls.env["sfa.customer.category"].create(
            {"name": "Plain", "visit_frequency_days": 30}
        )
        cls.today = fields.Date.context_today(cls.env.user)

    def customers(self, count, tag):
        """``count`` customers in every state a customer can be in: bought
        lately or long ago (with or without an open deal), an open or a lost
        deal only, nothing, a forced stage, a recent e-mail, key accounts."""
        Partner = self.env["res.partner"]
        Lead = self.env["crm.lead"]
        long_ago = self.today - timedelta(days=800)
        partners = Partner.browse()
        for n in range(count):
            kind = n % 8
            partner = Partner.create(
                {
                    "name": f"{tag} Customer {n}",
                    "is_company": True,
                    "email": f"buyer{n}@{tag.lower()}{n % 3}.example.com",
                    "phone": f"+33 1 23 45 {n:02d} 00",
                    "user_id": self.rep_a.id,
                    "sfa_category_id": (self.key if n % 3 == 0 else self.plain).id,
                    "sfa_lifecycle_override": "customer" if kind == 7 else False,
                }
            )
            Partner.create({"name": f"{tag} Contact {n}", "parent_id": partner.id})
            if kind in (0, 1, 2):
                won = Lead.create(
                    {
                        "name": f"{tag} Won {n}",
                        "type": "opportunity",
                        "partner_id": partner.id,
                        "user_id": self.rep_a.id,
                        "expected_revenue": 100,
                    }
                )
                day = self.today - timedelta(days=5) if kind == 0 else long_ago
                with freeze_time(datetime.combine(day, datetime.min.time())):
                    won.action_set_won()
            if kind in (2, 3):
                Lead.create(
                    {
                        "name": f"{tag} Open {n}",
                        "type": "opportunity",
                        "partner_id": partner.id,
                    }
                )
            if kind == 4:
                Lead.create(
                    {
                        "name": f"{tag} Lost {n}",
                        "type": "opportunity",
                        "partner_id": partner.id,
                    }
                ).action_set_lost()
            if kind == 5:
                partner.message_post(
                    body="Thank you", message_type="email", author_id=partner.id
                )
            partners |= partner
        self.env.cr.flush()  # the facts and figures a commit would write
        return partners

    def figures(self, partners):
        self.env.invalidate_all()
        return {p.id: tuple(p[name] for name in DERIVED) for p in partners}

    def test_bulk_figures_equal_what_odoo_computes(self):
        partners = self.customers(16, "Bulk")
        everyone = partners | partners.child_ids | self.cust_a | self.rep_a.partner_id
        computed = self.figures(everyone)
        self.assertEqual(
            {computed[p.id][2] for p in partners},
            {"key_account", "customer", "dormant", "prospect", "lost", "suspect"},
        )
        rows = self.env.execute_query(everyone._sfa_derived_sql())
        self.assertEqual(
            {
                pid: (contact or False, visit or False, stage)
                for pid, contact, visit, stage in rows
            },
            computed,
        )

    def simulate_install(self):
        """What installing sfa_base does to partners: their columns do not
        exist yet (renamed away, the transaction puts them back), Odoo
        initializes the table, then the data file rebuilds the facts."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("DELETE FROM sfa_fact")  # a new table
        for name in (*ADDED, "sfa_last_contact_date"):
            cr.execute(
                SQL(
                    "ALTER TABLE res_partner RENAME COLUMN %s TO %s",
                    SQL.identifier(name),
                    SQL.identifier(f"old_{name}"),
                )
            )
        self.env.invalidate_all()
        cr.execute("SELECT count(*) FROM mail_message")
        messages = cr.fetchone()[0]
        queries = cr.sql_log_count
        env = self.tracked(context=dict(self.tracked.context, module="sfa_base"))
        registry = env.registry
        # what Registry.init_models sets up around the tables' initialization
        registry._post_init_queue = deque()
        registry._foreign_keys = {}
        registry._is_install = True
        try:
            env["res.partner"]._auto_init()
        finally:
            del registry._post_init_queue
            del registry._foreign_keys
            del registry._is_install
        env.flush_all()  # Odoo computes what the columns lack here
        env["sfa.fact"]._sfa_rebuild()
        env.flush_all()
        cr.flush()  # the trackings a commit would write
        queries = cr.sql_log_count - queries
        cr.execute("SELECT count(*) FROM mail_message")
        return queries, cr.fetchone()[0] - messages

    def test_an_install_posts_nothing_and_costs_the_same_for_more_customers(self):
        first = self.customers(16, "First")
        expected = self.figures(first)
        # each install in a savepoint rolled back: the columns come back
        with closing(self.env.cr.savepoint()):
            queries, messages = self.simulate_install()
            self.assertEqual(messages, 0, "the install wrote into customers' chatter")
            self.assertEqual(self.figures(first), expected)
            self.assertEqual(first.mapped("sfa_is_customer"), [True] * len(first))
            self.assertFalse(any(first.child_ids.mapped("sfa_is_customer")))
            self.assertTrue(all(first.mapped("sfa_name_key")))
        self.env.invalidate_all()
        second = self.customers(16, "Second")
        self.assertEqual(len(second.ids), 16)
        with closing(self.env.cr.savepoint()):
            more_queries, messages = self.simulate_install()
            self.assertEqual(messages, 0)
        # twice the customers, the same statements (a few more at most)
        self.assertLessEqual(more_queries, queries + 5, (queries, more_queries))

    def test_later_changes_are_tracked_as_before(self):
        partner = self.tracked["res.partner"].create(
            {"name": "Later Ltd", "is_company": True, "sfa_category_id": self.plain.id}
        )
        lead = self.tracked["crm.lead"].create(
            {
                "name": "Later deal",
                "type": "opportunity",
                "partner_id": partner.id,
                "user_id": self.rep_a.id,
            }
        )
        self.env.cr.flush()
        self.assertEqual(partner.sfa_lifecycle_stage, "prospect")
        lead.action_set_won()
        self.env.cr.flush()
        self.assertEqual(partner.sfa_lifecycle_stage, "customer")
        tracked = partner.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "sfa_lifecycle_stage"
        )
        self.assertTrue(tracked, "a stage a deal moved is in the chatter")

    def test_foreign_keys_checked_once_come_back_as_they_were(self):
        cr = self.env.cr

        def keys():
            return self.env.execute_query(
                SQL(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conrelid = 'sfa_install_rows'::regclass"
                    " AND contype = 'f' ORDER BY conname"
                )
            )

        with closing(cr.savepoint()):
            cr.execute(
                """
                CREATE TABLE sfa_install_rows (
                    id serial PRIMARY KEY,
                    partner_id int REFERENCES res_partner(id) ON DELETE SET NULL,
                    lead_id int REFERENCES crm_lead(id) ON DELETE CASCADE)
                """
            )
            before = keys()
            self.assertEqual(len(before), 2)
            with foreign_keys_checked_once(cr, "sfa_install_rows"):
                self.assertEqual(keys(), [], "no key checked row by row")
                cr.execute(
                    "INSERT INTO sfa_install_rows (partner_id) VALUES (%s)",
                    [self.cust_a.id],
                )
            self.assertEqual(keys(), before, "the same keys, the same names")
            # a row pointing nowhere is refused when the keys come back
            cr.execute("SELECT MAX(id) + 1000 FROM res_partner")
            [[nowhere]] = cr.fetchall()
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.errors.ForeignKeyViolation),
                cr.savepoint(),
                foreign_keys_checked_once(cr, "sfa_install_rows"),
            ):
                cr.execute(
                    "INSERT INTO sfa_install_rows (partner_id) VALUES (%s)", [nowhere]
                )
            self.assertEqual(keys(), before)
