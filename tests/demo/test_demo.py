"""The demo database tells the same story everywhere and leaves no screen
empty.

Run by ``tools/sfa.py test`` against a database installed *with* the demo
data (``serve`` builds the same one): after the demo data, and after each of
the modules' own nightly jobs, the fact table equals a full rebuild, metric
by metric; and the sales force's screens (rep1, supervisor1, manager1, the
director) all have something to show.
"""

from contextlib import closing
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import datetime, safe_eval, time

from odoo.addons.sfa_base.tests.common import FactTableMixin

# The demo users who try the screens, as in the README.
PEOPLE = ("rep1", "supervisor1", "manager1", "director")


@tagged("post_install", "-at_install")
class TestDemo(FactTableMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # not a skip: this file runs on the demo database only, and a
        # database without the demo is a mistake of the runner
        assert cls.env.ref("sfa_base.demo_user_director", raise_if_not_found=False), (
            "tests/demo runs against a database with the SFA demo data"
        )
        cls.users = {
            login: cls.env["res.users"].search([("login", "=", login)])
            for login in PEOPLE
        }

    # ------------------------------------------------------------------
    # The fact table equals a rebuild
    # ------------------------------------------------------------------

    def assert_table_equals_rebuild(self, what):
        kept = self.assert_facts_equal_rebuild(what)
        # every declared metric has facts on the demo: none left to a job
        self.assertEqual(
            set(self.env["sfa.fact"]._sfa_sources()) - set(kept),
            set(),
            "declared metrics without a fact on the demo",
        )

    def test_the_fact_table_equals_a_rebuild_after_the_demo_and_each_job(self):
        self.assert_table_equals_rebuild("the demo data")
        crons = self.env["ir.cron"].search(
            [
                ("id", "in", self._sfa_records("ir.cron")),
                ("active", "=", True),
            ],
            order="id",
        )
        self.assertGreater(len(crons), 5)
        Cron = type(self.env["ir.cron"])
        # the jobs commit their progress in a real run: here, in the test's
        # transaction, each is checked and rolled back
        with patch.object(Cron, "_commit_progress", lambda *a, **k: float("inf")):
            for cron in crons:
                with self.subTest(job=cron.cron_name):
                    with closing(self.env.cr.savepoint()):
                        cron.ir_actions_server_id.with_user(cron.user_id).run()
                        self.assert_table_equals_rebuild(cron.cron_name)
                    self.env.invalidate_all()

    def test_every_won_deal_is_credited_in_full(self):
        """The credit of every won deal of the demo adds up to its revenue,
        whoever owns it (the scorecards' deal credit rests on it)."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT l.name, l.expected_revenue, COALESCE(SUM(c.amount), 0)
              FROM crm_lead l
              LEFT JOIN sfa_deal_credit c ON c.lead_id = l.id
             WHERE l.type = 'opportunity' AND l.won_status = 'won'
             GROUP BY l.id
            """
        )
        deals = self.env.cr.fetchall()
        self.assertGreater(len(deals), 50, "the demo wins deals")
        self.assertEqual(
            [
                (name, revenue, credit)
                for name, revenue, credit in deals
                if round(revenue - credit, 2)
            ],
            [],
            "won deals whose credit is not their revenue",
        )

    def _sfa_records(self, model):
        return (
            self.env["ir.model.data"]
            .search([("model", "=", model), ("module", "=like", "sfa\\_%")])
            .mapped("res_id")
        )

    # ------------------------------------------------------------------
    # No empty screen
    # ------------------------------------------------------------------

    def screens(self, user):
        """{menu path: action} of the SFA menus the user sees (as the web
        client loads them) that open a list of records: wizards and forms of
        settings are not screens of records."""
        visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        menus = self.env["ir.ui.menu"].browse(
            set(self._sfa_records("ir.ui.menu")) & set(visible)
        )
        found = {}
        for menu in menus:
            action = menu.action
            if action and action._name == "ir.actions.server":
                # a server action choosing the screen by role
                action = action.sudo().with_user(user).run()
            elif action and action._name == "ir.actions.act_window":
                action = action.sudo()
            else:
                continue
            if not isinstance(action, models.BaseModel) and not (
                isinstance(action, dict) and action.get("res_model")
            ):
                continue
            model = action["res_model"]
            if self.env[model]._transient or action["target"] in ("new", "inline"):
                continue
            if action["view_mode"].split(",")[0] == "form":
                continue
            found[menu.complete_name] = action
        return found

    def count(self, user, action):
        """Records the screen shows the user: the action's domain and the
        filters it turns on by default."""
        if isinstance(action, dict):
            model, domain = action["res_model"], action.get("domain") or "[]"
            context, view_id = action.get("context") or {}, action.get("search_view_id")
        else:
            model, domain = action.res_model, action.domain or "[]"
            context, view_id = action.context or "{}", action.search_view_id.id
        env = self.env(user=user)
        values = {
            "uid": user.id,
            "user": user,
            "context_today": lambda: fields.Date.context_today(env["res.users"]),
            "datetime": datetime,
            "time": time,
            "relativedelta": relativedelta,
            "active_id": False,
            "allowed_company_ids": user.company_ids.ids,
            "current_company_id": user.company_id.id,
        }
        if isinstance(context, str):
            context = safe_eval(context, values)
        domain = safe_eval(domain, values) if isinstance(domain, str) else domain
        Model = env[model].with_context(
            **{k: v for k, v in context.items() if not k.startswith("search_default")}
        )
        filters = self.default_filters(Model, view_id, context, values)
        return Model.search_count(Domain(domain) & filters)

    def default_filters(self, Model, view_id, context, values):
        """The domain of the filters the action turns on, as the search view
        combines them: OR within a group of filters (between separators),
        AND across groups."""
        names = {
            key.removeprefix("search_default_")
            for key, value in context.items()
            if key.startswith("search_default_") and value
        }
        if not names:
            return Domain.TRUE
        arch = etree.fromstring(Model.get_view(view_id or None, "search")["arch"])
        groups, current = [], []
        for node in arch.iter("filter", "separator", "group"):
            if node.tag != "filter":
                groups.append(current)
                current = []
            elif node.get("name") in names and node.get("domain"):
                current.append(Domain(safe_eval(node.get("domain"), values)))
        groups.append(current)
        return Domain.AND(Domain.OR(group) for group in groups if group)

    def test_no_sfa_screen_is_empty_for_the_sales_force(self):
        empty = []
        for login, user in self.users.items():
            self.assertTrue(user, f"demo user {login}")
            screens = self.screens(user)
            self.assertGreater(len(screens), 10, login)
            for path, action in screens.items():
                try:
                    found = self.count(user, action)
                except AccessError as exc:
                    empty.append(f"{login}: {path}: {str(exc).splitlines()[0]}")
                    continue
                if not found:
                    empty.append(f"{login}: {path}")
        self.assertFalse(empty, "empty screens:\n" + "\n".join(sorted(empty)))
