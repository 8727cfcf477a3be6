from contextlib import closing

from odoo import Command
from odoo.tests import TransactionCase, new_test_user
from odoo.tools import SQL


class SfaCase(TransactionCase):
    """A small sales force, two regions and customers owned across it.

    director
      manager
        supervisor
          rep_a, rep_b
      manager_2
        rep_c
    territory_manager: manages the South region, outside the reporting line
    other_rep: a rep of another company
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(cls.env.context, tracking_disable=True, mail_notrack=True)
        )
        env = cls.env
        cls.company = env.company
        cls.company_2 = env["res.company"].create({"name": "Other Company"})

        def user(login, role, manager=None, company=None):
            company = company or cls.company
            return new_test_user(
                env,
                login=login,
                groups=f"sfa_base.group_sfa_{role}",
                name=login.replace("_", " ").title(),
                company_id=company.id,
                company_ids=[company.id],
                sfa_manager_id=manager.id if manager else False,
            )

        cls.director = user("director", "director")
        cls.manager = user("manager", "manager", cls.director)
        cls.manager_2 = user("manager_2", "manager", cls.director)
        cls.supervisor = user("supervisor", "supervisor", cls.manager)
        cls.rep_a = user("rep_a", "rep", cls.supervisor)
        cls.rep_b = user("rep_b", "rep", cls.supervisor)
        cls.rep_c = user("rep_c", "rep", cls.manager_2)
        cls.territory_manager = user("territory_manager", "supervisor", cls.director)
        cls.other_rep = user("other_rep", "rep", company=cls.company_2)

        cls.fr = env.ref("base.fr")
        cls.be = env.ref("base.be")
        Territory = env["sfa.territory"]
        cls.t_country = Territory.create(
            {"name": "France", "code": "FR", "type": "country"}
        )
        cls.t_north = Territory.create(
            {
                "name": "North",
                "code": "FR-N",
                "type": "region",
                "parent_id": cls.t_country.id,
                "manager_id": cls.manager.id,
                "member_ids": [(6, 0, [cls.rep_a.id, cls.rep_b.id])],
            }
        )
        cls.t_south = Territory.create(
            {
                "name": "South",
                "code": "FR-S",
                "type": "region",
                "parent_id": cls.t_country.id,
                "manager_id": cls.territory_manager.id,
                "member_ids": [(6, 0, [cls.rep_c.id])],
            }
        )
        cls.t_lille = Territory.create(
            {
                "name": "Lille",
                "code": "FR-N-LIL",
                "type": "city",
                "parent_id": cls.t_north.id,
            }
        )
        cls.t_marseille = Territory.create(
            {
                "name": "Marseille",
                "code": "FR-S-MRS",
                "type": "city",
                "parent_id": cls.t_south.id,
            }
        )
        Rule = env["sfa.territory.rule"]
        Rule.create(
            {"territory_id": cls.t_country.id, "country_ids": [(6, 0, cls.fr.ids)]}
        )
        Rule.create({"territory_id": cls.t_lille.id, "zip_prefixes": "59"})
        Rule.create(
            {"territory_id": cls.t_marseille.id, "zip_from": "13000", "zip_to": "13016"}
        )

        Partner = env["res.partner"]
        cls.cust_a = Partner.create(
            {
                "name": "Alpha SARL",
                "is_company": True,
                "user_id": cls.rep_a.id,
                "country_id": cls.fr.id,
                "zip": "59000",
                "email": "info@alpha.fr",
            }
        )
        cls.cust_b = Partner.create(
            {
                "name": "Bravo SA",
                "is_company": True,
                "user_id": cls.rep_b.id,
                "country_id": cls.fr.id,
                "zip": "59100",
            }
        )
        cls.cust_c = Partner.create(
            {
                "name": "Charlie",
                "is_company": True,
                "user_id": cls.rep_c.id,
                "country_id": cls.fr.id,
                "zip": "13005",
            }
        )
        cls.cust_free = Partner.create({"name": "Unowned Prospect", "is_company": True})
        cls.cust_other = Partner.create(
            {
                "name": "Other Co Customer",
                "is_company": True,
                "user_id": cls.other_rep.id,
                "company_id": cls.company_2.id,
            }
        )

        Lead = env["crm.lead"]
        cls.lead_a = Lead.create(
            {
                "name": "Deal A",
                "type": "opportunity",
                "user_id": cls.rep_a.id,
                "partner_id": cls.cust_a.id,
                "expected_revenue": 1000,
            }
        )
        cls.lead_b = Lead.create(
            {
                "name": "Deal B",
                "type": "opportunity",
                "user_id": cls.rep_b.id,
                "partner_id": cls.cust_b.id,
                "expected_revenue": 2000,
            }
        )
        cls.lead_c = Lead.create(
            {
                "name": "Deal C",
                "type": "opportunity",
                "user_id": cls.rep_c.id,
                "partner_id": cls.cust_c.id,
                "expected_revenue": 3000,
            }
        )
        cls.lead_free = Lead.create(
            {
                "name": "Unassigned Deal",
                "type": "opportunity",
                "user_id": False,
                "company_id": cls.company.id,
            }
        )
        cls.lead_other = Lead.create(
            {
                "name": "Other Co Deal",
                "type": "opportunity",
                "user_id": cls.other_rep.id,
                "company_id": cls.company_2.id,
            }
        )
        cls.all_leads = (
            cls.lead_a | cls.lead_b | cls.lead_c | cls.lead_free | cls.lead_other
        )
        cls.all_customers = (
            cls.cust_a | cls.cust_b | cls.cust_c | cls.cust_free | cls.cust_other
        )

    @classmethod
    def tracked_env(cls):
        """The test environment with Odoo's tracking on (the suite's setup
        turns it off), as for a user at work or an install."""
        return cls.env(
            context={
                key: value
                for key, value in cls.env.context.items()
                if key not in ("tracking_disable", "mail_notrack")
            }
        )

    def run_commit_hooks(self):
        """Run what a commit runs first: the pending facts (a customer's last
        contact follows them), tracking."""
        self.env.cr.flush()

    def visible_leads(self, user):
        return (
            self.env["crm.lead"]
            .with_user(user)
            .search([("id", "in", self.all_leads.ids)])
        )

    def visible_customers(self, user):
        return (
            self.env["res.partner"]
            .with_user(user)
            .search([("id", "in", self.all_customers.ids)])
        )


class FactTableMixin:
    """The fact table against a full rebuild, for tests of the fact layer
    (their own documents, the demo's)."""

    # columns no refresh or rebuild is expected to reproduce
    FACT_TABLE_SKIPPED = ("id", "create_date", "write_date", "create_uid", "write_uid")

    def fact_table(self):
        """{metric: sorted rows} of the fact table, every stored column."""
        Fact = self.env["sfa.fact"]
        columns = [
            name
            for name, field in Fact._fields.items()
            if field.store and field.column_type and name not in self.FACT_TABLE_SKIPPED
        ]
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM sfa_fact",
                SQL(", ").join(SQL.identifier(name) for name in columns),
            )
        )
        metric = columns.index("metric")
        table = {}
        for row in self.env.cr.fetchall():
            row = tuple(round(v, 4) if isinstance(v, float) else v for v in row)
            table.setdefault(row[metric], []).append(row)
        return {name: sorted(rows, key=repr) for name, rows in table.items()}

    def assert_facts_equal_rebuild(self, what):
        """After what a commit runs, the table equals a full rebuild (rolled
        back), metric by metric. Returns the table."""
        Fact = self.env["sfa.fact"]
        Fact._sfa_sync_all()
        kept = self.fact_table()
        with closing(self.env.cr.savepoint()):
            Fact._sfa_rebuild()
            Fact._sfa_sync_all()
            rebuilt = self.fact_table()
        self.env.invalidate_all()
        differing = {}
        for metric in set(kept) | set(rebuilt):
            old, new = kept.get(metric, []), rebuilt.get(metric, [])
            if old != new:
                differing[metric] = {
                    "rows kept, rebuilt": (len(old), len(new)),
                    "missing": [row for row in new if row not in old][:3],
                    "extra": [row for row in old if row not in new][:3],
                }
        self.assertFalse(
            differing, f"after {what}, metrics differ from a rebuild: {differing}"
        )
        return kept


def company_in_euros(env, name, rates):
    """A company keeping its books in euros (Odoo's generic chart of
    accounts), with ``rates``: (day, rate, currency) of its own, and ``env``
    working in it. Returns (company, env)."""
    company = env["res.company"].create(
        {"name": name, "currency_id": env.ref("base.EUR").id}
    )
    company.partner_id.tz = "Europe/Paris"
    env["account.chart.template"].try_loading(
        "generic_coa", company=company, install_demo=False
    )
    company.currency_id = env.ref("base.EUR")  # the chart sets its own
    env["res.currency.rate"].create(
        [
            {
                "name": day,
                "rate": rate,
                "currency_id": currency.id,
                "company_id": company.id,
            }
            for day, rate, currency in rates
        ]
    )
    return company, env(context=dict(env.context, allowed_company_ids=[company.id]))


def sales_user(env, company, login, role, tz, manager=None):
    """A user of ``company`` in the sales force role ``role`` (rep,
    supervisor, manager, director), in time zone ``tz``."""
    return new_test_user(
        env,
        login=login,
        name=login.title(),
        groups=f"sfa_base.group_sfa_{role}",
        tz=tz,
        company_id=company.id,
        company_ids=[Command.set(company.ids)],
        sfa_manager_id=manager.id if manager else False,
    )
