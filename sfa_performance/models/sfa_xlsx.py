"""What the workbooks of sfa_performance share: their formats, a printable
sheet layout and the download of the file."""

import io
from urllib.parse import urlencode

import xlsxwriter

from odoo import fields

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Text is written as text: xlsxwriter's write() would turn a customer named
# '=HYPERLINK("http://...?"&C5, "Open")' into a live formula (sending the
# sheet's data to that address) and a name starting with http:// into a
# link. Totals are written with write_formula, numbers with write_number.
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


class Workbook:
    """An in-memory workbook with the house formats, laid out for printing:
    A4 landscape, one page wide, title and headers repeated on every page,
    who printed it and the page number in the footer."""

    def __init__(self, env):
        self.env = env
        self.output = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.output, WORKBOOK_OPTIONS)
        add = self.book.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.note = add({"italic": True, "font_color": "#555555"})
        self.head = add(
            {
                "bold": True,
                "bg_color": "#DDE3EA",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
        self.text = add({"border": 1})
        self.day = add({"border": 1, "num_format": "yyyy-mm-dd"})
        self.number = add({"border": 1, "num_format": "#,##0.00"})
        self.integer = add({"border": 1, "num_format": "#,##0"})
        self.score = add({"border": 1, "num_format": "0.0"})
        self.total = add({"border": 1, "num_format": "0.0", "bold": True})
        self.total_number = add({"border": 1, "num_format": "#,##0.00", "bold": True})
        self.muted = add({"border": 1, "num_format": "0.0", "font_color": "#999999"})
        self.printed = env._(
            "Printed on %(date)s by %(user)s",
            date=fields.Date.context_today(env.user),
            user=env.user.name,
        )

    def sheet(self, name, title, subtitle, columns, widths, frozen_columns=2):
        """A sheet with its title on row 0, subtitle on row 1 and the column
        headers on row 3; data starts on row 4."""
        sheet = self.book.add_worksheet(name)
        sheet.write_string(0, 0, title, self.title)
        sheet.write_string(1, 0, subtitle, self.note)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(3)
        sheet.freeze_panes(4, frozen_columns)
        sheet.set_footer("&L%s&R&P / &N" % self.printed.replace("&", "&&"))
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        for col, label in enumerate(columns):
            sheet.write_string(3, col, label, self.head)
        sheet.set_row(3, 32)
        return sheet

    def write_date(self, sheet, row, col, date):
        if date:
            sheet.write_datetime(row, col, fields.Datetime.to_datetime(date), self.day)
        else:
            sheet.write_blank(row, col, None, self.text)

    def content(self):
        """Close the workbook and return its bytes."""
        self.book.close()
        return self.output.getvalue()


def encode_ids(ids):
    """Ids as ranges for a URL: ``[1, 2, 3, 7]`` gives ``"1-3,7"`` (a
    director's thousand cards stay far below the length of a request line)."""
    parts, ids = [], sorted(set(ids))
    start = previous = None
    for record_id in [*ids, None]:
        if previous is not None and record_id == previous + 1:
            previous = record_id
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = record_id
    return ",".join(parts)


def decode_ids(text, limit=100_000):
    """The ids of ``encode_ids()``; a malformed text raises ValueError."""
    ids = []
    for part in filter(None, (text or "").split(",")):
        first, _sep, last = part.partition("-")
        first, last = int(first), int(last or first)
        if first < 1 or last < first or len(ids) + last - first >= limit:
            raise ValueError(part)
        ids.extend(range(first, last + 1))
    return ids


def export_action(records, **params):
    """The action that downloads the workbook of ``records`` from the
    read-only route of sfa_performance's controller (served by a read-only
    replica when there is one; no attachment is written)."""
    query = urlencode({"ids": encode_ids(records.ids), **params})
    return {
        "type": "ir.actions.act_url",
        "url": f"/sfa_performance/xlsx/{records._name}?{query}",
        "target": "download",
    }
