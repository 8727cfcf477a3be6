import io

import openpyxl

from odoo.tests import HttpCase, new_test_user, tagged

from ..controllers.sfa_xlsx import SfaXlsx
from ..models.sfa_xlsx import decode_ids, encode_ids


@tagged("post_install", "-at_install")
class TestExportRoute(HttpCase):
    """The export buttons download from a read-only route: no attachment is
    written, the workbook is built as the user on a read-only cursor (the
    replica's when there is one), and the route checks what it is given."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, role, manager=None):
            return new_test_user(
                cls.env,
                login=login,
                groups=f"sfa_base.group_sfa_{role}",
                name=login.replace("_", " ").title(),
                sfa_manager_id=manager.id if manager else False,
            )

        cls.supervisor = user("xlsx_supervisor", "supervisor")
        cls.rep = user("xlsx_rep", "rep", cls.supervisor)
        cls.other_rep = user("xlsx_other_rep", "rep")
        cls.Dashboard = cls.env["sfa.performance.dashboard"]

    def cards(self, user):
        return self.Dashboard.with_user(user).search(
            [("user_id", "in", (self.supervisor | self.rep | self.other_rep).ids)]
        )

    def download(self, url):
        with self.assertNoLogs("odoo.http", "WARNING"):
            # a write on the read-only cursor would be retried on a read/write
            # one with a warning of odoo.http
            return self.url_open(url)

    def test_supervisor_downloads_the_team(self):
        cards = self.cards(self.supervisor).with_context(sfa_period="year")
        self.assertEqual(cards.user_id, self.supervisor | self.rep)
        attachments = self.env["ir.attachment"].search_count([])
        action = cards.action_export_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn("period=year", action["url"])
        self.authenticate("xlsx_supervisor", "xlsx_supervisor")
        response = self.download(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assertIn("Team%20Performance%20", response.headers["Content-Disposition"])
        sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Team"]
        names = {row[0].value for row in sheet.iter_rows(min_row=5)}
        self.assertEqual(names, {"Xlsx Supervisor", "Xlsx Rep", "Total"})
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)

    def test_route_refuses_what_the_user_may_not_read(self):
        self.authenticate("xlsx_rep", "xlsx_rep")
        theirs = self.cards(self.supervisor).filtered(
            lambda c: c.user_id == self.supervisor
        )
        for url, status in (
            (f"/sfa_performance/xlsx/sfa.performance.dashboard?ids={theirs.id}", 403),
            ("/sfa_performance/xlsx/res.users?ids=1", 404),
            ("/sfa_performance/xlsx/sfa.scorecard?ids=1-x", 400),
            ("/sfa_performance/xlsx/sfa.scorecard?ids=5-2", 400),
            ("/sfa_performance/xlsx/sfa.performance.dashboard?period=decade", 400),
        ):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, status)
                self.assertFalse(response.content.startswith(b"PK"))

    def test_ids_in_ranges(self):
        self.assertEqual(encode_ids([7, 1, 2, 3, 9, 10]), "1-3,7,9-10")
        self.assertEqual(decode_ids("1-3,7,9-10"), [1, 2, 3, 7, 9, 10])
        self.assertEqual(decode_ids(""), [])
        for text in ("0", "3-1", "a", "1-200000"):
            with self.subTest(text=text), self.assertRaises(ValueError):
                decode_ids(text)

    def test_read_only_entry_points(self):
        """What Odoo's RPC routes (call_kw, call_button) serve on a read-only
        cursor: the export buttons, the dashboard's and the reports' buttons
        that only open views, and the route itself."""
        self.assertTrue(SfaXlsx.sfa_xlsx.original_routing["readonly"])
        entry_points = {
            "sfa.performance.dashboard": [
                "action_export_xlsx",
                "action_open_pipeline",
                "action_open_team_pipeline",
                "action_open_overdue_actions",
                "action_open_customers_due",
                "action_open_customer_values",
                "action_open_scorecard",
                "action_open_targets",
            ],
            "sfa.scorecard": ["action_export_xlsx"],
            "sfa.customer.value": ["action_export_xlsx"],
            "res.partner": ["action_sfa_customer_value"],
            "sfa.territory": ["action_view_customers", "action_view_opportunities"],
            "crm.lead": ["action_sfa_view_actions"],
            "sfa.target.plan": ["action_view_lines", "action_view_tree"],
        }
        for model, methods in entry_points.items():
            for method in methods:
                with self.subTest(model=model, method=method):
                    self.assertTrue(self.readonly(model, method))
        # and what writes stays on the primary
        self.assertFalse(self.readonly("sfa.scorecard", "action_compute"))
        self.assertFalse(self.readonly("sfa.customer.value", "action_sfa_recompute"))

    def readonly(self, model, method):
        """As DataSet._call_kw_readonly decides."""
        for cls in self.registry[model].mro():
            function = getattr(cls, method, None)
            if function is not None and hasattr(function, "_readonly"):
                return function._readonly
        return False
