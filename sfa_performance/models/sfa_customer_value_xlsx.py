from odoo import api, fields, models
from odoo.exceptions import UserError

from .sfa_xlsx import Workbook, export_action


class SfaCustomerValue(models.Model):
    _inherit = "sfa.customer.value"

    @api.readonly
    def action_export_xlsx(self):
        """Download the customer values (the selected ones, or all those the
        user reads) as a workbook to print: one row per customer, best first,
        with the facts behind each score and a totals row."""
        return export_action(self._sfa_export_records())

    def _sfa_export_records(self):
        values = self or self.search([])
        if not values:
            raise UserError(self.env._("There is no customer value to export."))
        values.check_access("read")
        return values

    def _sfa_export_file(self):
        """(file name, workbook bytes) of these customer values."""
        values = self._sfa_export_records()
        name = self.env._(
            "Customer Value %s.xlsx", fields.Date.context_today(self).isoformat()
        )
        return name, values._sfa_xlsx().content()

    def _sfa_xlsx(self):
        _ = self.env._
        values = self.sorted(lambda v: (v.company_id.id, -v.score, v.partner_id.name))
        xlsx = Workbook(self.env)
        grades = dict(self._fields["grade"]._description_selection(self.env))
        levels = dict(
            self._fields["relationship_level"]._description_selection(self.env)
        )
        windows = sorted({(v.date_from, v.date_to) for v in values if v.date_from})
        subtitle = "; ".join(
            _("Orders, invoices and actions from %(start)s to %(end)s", start=a, end=b)
            for a, b in windows
        )
        grade_formats = {
            code: xlsx.book.add_format(
                {"border": 1, "bold": True, "align": "center", "bg_color": color}
            )
            for code, color in (
                ("a", "#C6EFCE"),
                ("b", "#DDEBF7"),
                ("c", "#FFEB9C"),
                ("d", "#FFC7CE"),
            )
        }
        columns = [
            _("Customer"),
            _("Grade"),
            _("Score"),
            _("Salesperson"),
            _("Territory"),
            _("Category"),
            _("Orders"),
            _("Purchases"),
            _("Invoiced"),
            _("Received"),
            _("Receivable"),
            _("Overdue"),
            _("Margin"),
            _("Action Costs"),
            _("Profit Contribution"),
            _("Contacts"),
            _("Last Contact"),
            _("Relationship"),
            _("Purchasing Power (score)"),
            _("Credit Standing (score)"),
            _("Profit (score)"),
            _("Relationship (score)"),
        ]
        sheet = xlsx.sheet(
            _("Customer Value"),
            _("Customer Value"),
            subtitle,
            columns,
            [28, 7, 8, 20, 18, 16, 8, *[13] * 8, 9, 11, 11, 11, 11, 11, 11],
            frozen_columns=1,
        )
        amounts = (
            "sales_amount",
            "invoiced_amount",
            "received_amount",
            "receivable_amount",
            "overdue_amount",
            "margin_amount",
            "action_cost",
            "profit_amount",
        )
        row = 4
        for value in values:
            sheet.write_string(row, 0, value.partner_id.display_name, xlsx.text)
            sheet.write_string(
                row, 1, grades.get(value.grade, ""), grade_formats.get(value.grade)
            )
            sheet.write_number(row, 2, value.score, xlsx.total)
            sheet.write_string(row, 3, value.user_id.name or "", xlsx.text)
            sheet.write_string(
                row, 4, value.sfa_territory_id.display_name or "", xlsx.text
            )
            sheet.write_string(row, 5, value.sfa_category_id.name or "", xlsx.text)
            sheet.write_number(row, 6, value.order_count, xlsx.integer)
            for col, field in enumerate(amounts, start=7):
                sheet.write_number(row, col, value[field], xlsx.number)
            sheet.write_number(row, 15, value.contact_count, xlsx.integer)
            xlsx.write_date(sheet, row, 16, value.last_contact_date)
            sheet.write_string(
                row, 17, levels.get(value.relationship_level, ""), xlsx.text
            )
            for col, field in enumerate(
                (
                    "purchase_score",
                    "credit_score",
                    "profit_score",
                    "relationship_score",
                ),
                start=18,
            ):
                sheet.write_number(row, col, value[field], xlsx.score)
            row += 1
        # totals as formulas, with their value cached for readers that do not
        # calculate (openpyxl, previews)
        sheet.write(row, 0, _("Total"), xlsx.head)
        summed = ("order_count", *amounts, "contact_count")
        for col, field in enumerate(summed, start=6):
            letter = chr(ord("A") + col)
            sheet.write_formula(
                row,
                col,
                f"=SUM({letter}5:{letter}{row})",
                xlsx.total_number,
                sum(values.mapped(field)),
            )
        return xlsx
