from odoo import api, fields, models
from odoo.exceptions import UserError

from .sfa_xlsx import Workbook, export_action


class SfaPerformanceDashboard(models.Model):
    _inherit = "sfa.performance.dashboard"

    @api.readonly
    def action_export_xlsx(self):
        """Download the team's performance of the period as a workbook to
        print: the cards shown (or all those the user reads), one row each,
        grouped by manager, with a totals row."""
        cards = self._sfa_export_records()
        return export_action(cards, period=self.env.context.get("sfa_period") or "")

    def _sfa_export_records(self):
        cards = self or self.search([("in_sales_force", "=", True)])
        if not cards:
            raise UserError(self.env._("There is no one to export."))
        cards.check_access("read")
        return cards

    def _sfa_export_file(self):
        """(file name, workbook bytes) of these cards."""
        cards = self._sfa_export_records()
        today = fields.Date.context_today(self)
        _start, _end, label = self._sfa_period()
        name = self.env._("Team Performance %s.xlsx", label)
        return name, cards._sfa_xlsx(today, label).content()

    def _sfa_xlsx(self, today, label):
        _ = self.env._
        cards = self.sorted(lambda c: (c.manager_id.name or "", c.name or ""))
        xlsx = Workbook(self.env)
        percent = xlsx.book.add_format({"border": 1, "num_format": "0.0"})
        columns = [
            _("Salesperson"),
            _("Manager"),
            _("Target"),
            _("Actual"),
            _("Attainment (%)"),
            _("Won"),
            _("Deal Credit"),
            _("Open Pipeline"),
            _("Open Deals"),
            _("Score"),
            _("Rank"),
            _("Overdue Actions"),
            _("Customers Due"),
            _("Overdue Payments"),
            _("A Customers"),
        ]
        sheet = xlsx.sheet(
            _("Team"),
            _("Team Performance"),
            _(
                "%(period)s, as of %(today)s: each person's own figures",
                period=label,
                today=today.isoformat(),
            ),
            columns,
            [24, 20, 13, 13, 10, 13, 13, 13, 8, 8, 8, 9, 9, 13, 9],
        )
        amounts = {
            2: "month_target",
            3: "month_actual",
            5: "month_won",
            6: "month_credit",
            7: "pipeline_amount",
            13: "overdue_amount",
        }
        counts = {
            8: "pipeline_count",
            11: "overdue_action_count",
            12: "customer_due_count",
            14: "grade_a_count",
        }
        row = 4
        for card in cards:
            sheet.write_string(row, 0, card.name or "", xlsx.text)
            sheet.write_string(row, 1, card.manager_id.name or "", xlsx.text)
            for col, field in amounts.items():
                sheet.write_number(row, col, card[field], xlsx.number)
            for col, field in counts.items():
                sheet.write_number(row, col, card[field], xlsx.integer)
            if card.month_target:
                sheet.write_number(row, 4, card.month_attainment, percent)
            else:
                sheet.write_blank(row, 4, None, xlsx.text)
            if card.scorecard_id:
                sheet.write_number(row, 9, card.scorecard_score, xlsx.score)
            else:
                sheet.write_blank(row, 9, None, xlsx.text)
            if card.scorecard_rank:
                sheet.write_string(row, 10, card.scorecard_rank, xlsx.text)
            else:
                sheet.write_blank(row, 10, None, xlsx.text)
            row += 1
        # totals as formulas, their value cached for readers that do not
        # calculate
        sheet.write(row, 0, _("Total"), xlsx.head)
        for col, field in {**amounts, **counts}.items():
            letter = chr(ord("A") + col)
            sheet.write_formula(
                row,
                col,
                f"=SUM({letter}5:{letter}{row})",
                xlsx.total_number,
                sum(cards.mapped(field)),
            )
        return xlsx
