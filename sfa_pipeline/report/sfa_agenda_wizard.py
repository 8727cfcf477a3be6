import io
from datetime import datetime, time, timedelta
from typing import NamedTuple

import pytz

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import format_date, format_time


class AgendaColumn(NamedTuple):
    """A column of the xlsx agenda: the key of its value in an agenda row (see
    ``_sfa_agenda_days``), its translated header and its width.

    Columns are built by calling this class, never as bare tuples: after a
    ``_("...")`` call, Odoo's term extractor takes the next parenthesis for
    another ``_(`` and would offer the internal key that opens it to the
    translators.
    """

    key: str
    label: str
    width: int


class SfaAgendaWizard(models.TransientModel):
    """Period and salesperson of a printed or exported agenda.

    Both the PDF and the xlsx file are built from ``_sfa_agenda_days``, read
    with the printing user's rights: an agenda never shows an action its
    reader could not open.
    """

    _name = "sfa.agenda.wizard"
    _description = "Print an Agenda"

    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    date_from = fields.Date(
        "From",
        required=True,
        default=lambda self: self._default_week()[0],
    )
    date_to = fields.Date(
        "To",
        required=True,
        default=lambda self: self._default_week()[1],
    )
    include_done = fields.Boolean(
        "Include Done Actions",
        default=True,
        help="Also list what was already done in the period, with its outcome.",
    )

    _dates_ordered = models.Constraint(
        "CHECK (date_to >= date_from)",
        "The agenda cannot end before it starts.",
    )

    @api.model
    def _default_week(self):
        today = fields.Date.context_today(self)
        monday = today - timedelta(days=today.weekday())
        return monday, monday + timedelta(days=6)

    def _sfa_tz(self):
        self.ensure_one()
        return pytz.timezone(self.user_id.tz or self.env.context.get("tz") or "UTC")

    def _sfa_agenda_actions(self):
        """The salesperson's actions starting in the period, in their time zone."""
        self.ensure_one()
        tz = self._sfa_tz()

        def utc(day):
            local = tz.localize(datetime.combine(day, time.min))
            return local.astimezone(pytz.utc).replace(tzinfo=None)

        states = ["planned", "done"] if self.include_done else ["planned"]
        domain = (
            Domain("user_id", "=", self.user_id.id)
            & Domain("start", ">=", utc(self.date_from))
            & Domain("start", "<", utc(self.date_to + timedelta(days=1)))
            & Domain("state", "in", states)
        )
        return self.env["sfa.action"].search(domain, order="start, id")

    def _sfa_agenda_days(self):
        """[{'date', 'label', 'rows': [row, ...]}, ...], one entry per day."""
        self.ensure_one()
        actions = self._sfa_agenda_actions()
        tz = self._sfa_tz()
        Action = self.env["sfa.action"]
        states = dict(Action._fields["state"]._description_selection(self.env))
        results = dict(Action._fields["result"]._description_selection(self.env))
        # Phone and address only for readers who may open the customer.
        people = actions.partner_id | actions.contact_id
        readable = people._filtered_access("read")
        days = {}
        for action in actions:
            start = pytz.utc.localize(action.start).astimezone(tz)
            stop = pytz.utc.localize(action.stop).astimezone(tz)
            reach = action.contact_id if action.contact_id in readable else None
            customer = action.partner_id if action.partner_id in readable else None
            phone = (reach and reach.phone) or (customer and customer.phone) or ""
            address = ""
            if customer:
                address = ", ".join(
                    line.strip()
                    for line in customer._display_address(without_company=True).split(
                        "\n"
                    )
                    if line.strip()
                )
            day = days.setdefault(start.date(), [])
            day.append(
                {
                    "action": action,
                    "start": format_time(self.env, start.time(), time_format="short"),
                    "stop": format_time(self.env, stop.time(), time_format="short"),
                    "duration": action.duration,
                    "type": action.action_type_id.name,
                    "subject": action.name,
                    # sudo: names only, as any many2one of a readable action
                    "customer": action.partner_id.sudo().display_name or "",
                    "contact": action.contact_id.sudo().name or "",
                    "phone": phone,
                    "address": address,
                    "opportunity": action.lead_id.sudo().name or "",
                    "state": states.get(action.state, ""),
                    "result": results.get(action.result, ""),
                    "outcome": action.outcome or "",
                    "cost": action.cost,
                    "currency": action.currency_id,
                }
            )
        return [
            {
                "date": day,
                "label": format_date(self.env, day, date_format="full"),
                "rows": rows,
            }
            for day, rows in sorted(days.items())
        ]

    def _sfa_agenda_title(self):
        self.ensure_one()
        return self.env._(
            "Agenda of %(user)s, %(date_from)s to %(date_to)s",
            user=self.user_id.name,
            date_from=format_date(self.env, self.date_from),
            date_to=format_date(self.env, self.date_to),
        )

    def _sfa_agenda_filename(self, extension):
        self.ensure_one()
        name = self.env._(
            "Agenda %(user)s %(date_from)s",
            user=self.user_id.name,
            date_from=self.date_from.isoformat(),
        )
        return f"{name}.{extension}"

    def action_print_pdf(self):
        self.ensure_one()
        # data={} rather than Odoo's None: an XML-RPC client cannot read None
        # (the web client treats both alike)
        return self.env.ref("sfa_pipeline.action_report_sfa_agenda").report_action(
            self, data={}
        )

    def action_export_xlsx(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/sfa_pipeline/agenda/{self.id}/xlsx",
            "target": "download",
        }

    def _sfa_agenda_xlsx(self):
        """The agenda as an xlsx workbook a rep can print: one row per action,
        a band per day, landscape, one page wide, header repeated."""
        self.ensure_one()
        import xlsxwriter  # noqa: PLC0415 - optional at import, required here

        _ = self.env._
        columns = [
            AgendaColumn("start", _("Start"), 8),
            AgendaColumn("stop", _("End"), 8),
            AgendaColumn("type", _("Type"), 12),
            AgendaColumn("customer", _("Customer"), 26),
            AgendaColumn("contact", _("Contact"), 18),
            AgendaColumn("phone", _("Phone"), 16),
            AgendaColumn("address", _("Address"), 34),
            AgendaColumn("opportunity", _("Opportunity"), 22),
            AgendaColumn("state", _("Status"), 10),
            AgendaColumn("result", _("Result"), 11),
            AgendaColumn("outcome", _("Outcome"), 40),
            AgendaColumn("duration", _("Hours"), 7),
            AgendaColumn("cost", _("Cost"), 10),
        ]
        output = io.BytesIO()
        # text as text: a customer named '=HYPERLINK(...)' stays a name
        workbook = xlsxwriter.Workbook(
            output,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        sheet = workbook.add_worksheet(_("Agenda")[:31])
        title = workbook.add_format({"bold": True, "font_size": 14})
        header = workbook.add_format(
            {
                "bold": True,
                "bg_color": "#D9D9D9",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
        day_band = workbook.add_format(
            {"bold": True, "bg_color": "#EDEDED", "top": 2, "bottom": 1}
        )
        cell = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        hours = workbook.add_format(
            {"border": 1, "valign": "top", "num_format": "[h]:mm"}
        )
        money = workbook.add_format(
            {"border": 1, "valign": "top", "num_format": "#,##0.00"}
        )
        total = workbook.add_format({"bold": True, "top": 2})
        total_hours = workbook.add_format(
            {"bold": True, "top": 2, "num_format": "[h]:mm"}
        )
        total_money = workbook.add_format(
            {"bold": True, "top": 2, "num_format": "#,##0.00"}
        )

        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        sheet.repeat_rows(2)
        sheet.set_footer("&L&A&R&P / &N")
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column.width)
        last_col = len(columns) - 1
        sheet.merge_range(0, 0, 0, last_col, "", title)
        sheet.write_string(0, 0, self._sfa_agenda_title(), title)
        for col, column in enumerate(columns):
            sheet.write_string(2, col, column.label, header)
        sheet.freeze_panes(3, 0)

        row = 3
        count, duration, cost = 0, 0.0, 0.0
        for day in self._sfa_agenda_days():
            sheet.merge_range(row, 0, row, last_col, "", day_band)
            sheet.write_string(row, 0, day["label"], day_band)
            row += 1
            for line in day["rows"]:
                for col, column in enumerate(columns):
                    key = column.key
                    if key == "duration":
                        sheet.write_number(row, col, line[key] / 24, hours)
                    elif key == "cost":
                        sheet.write_number(row, col, line[key] or 0.0, money)
                    else:
                        sheet.write_string(row, col, line[key] or "", cell)
                row += 1
                count += 1
                duration += line["duration"]
                cost += line["cost"] or 0.0
        row += 1
        sheet.write(row, 0, _("%(count)s actions", count=count), total)
        sheet.write_number(row, last_col - 1, duration / 24, total_hours)
        sheet.write_number(row, last_col, cost, total_money)
        workbook.close()
        return output.getvalue()
