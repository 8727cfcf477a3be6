import io

import xlsxwriter

from odoo import fields, models
from odoo.exceptions import UserError


class SfaScorecard(models.Model):
    _inherit = "sfa.scorecard"

    def action_export_xlsx(self):
        """Download the scorecards as a workbook a manager prints: the team
        sheet (one row per person, ranked, a score per KPI) and the detail
        sheet (every KPI's value, target, score and weight)."""
        cards = self or self.search([])
        if not cards:
            raise UserError(self.env._("There is no scorecard to export."))
        cards.check_access("read")
        attachment = self.env["ir.attachment"].create(
            {
                "name": cards._sfa_xlsx_name(),
                "raw": cards._sfa_xlsx(),
                "mimetype": (
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                ),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    def _sfa_xlsx_name(self):
        starts, ends = set(self.mapped("date_from")), set(self.mapped("date_to"))
        period = (
            f"{min(starts)} – {max(ends)}"
            if len(starts) > 1 or len(ends) > 1
            else f"{min(starts)} – {min(ends)}"
        )
        return self.env._("Scorecards %s.xlsx", period)

    def _sfa_xlsx(self):
        _ = self.env._
        cards = self.sorted(
            lambda c: (
                c.date_from,
                c.manager_id.name or "",
                c.rank or 0,
                c.user_id.name or "",
            )
        )
        kpis = cards.line_ids.kpi_id.sorted(lambda k: (k.sequence, k.id))
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        title = book.add_format({"bold": True, "font_size": 14})
        note = book.add_format({"italic": True, "font_color": "#555555"})
        head = book.add_format(
            {
                "bold": True,
                "bg_color": "#DDE3EA",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
        text = book.add_format({"border": 1})
        day = book.add_format({"border": 1, "num_format": "yyyy-mm-dd"})
        number = book.add_format({"border": 1, "num_format": "#,##0.00"})
        score = book.add_format({"border": 1, "num_format": "0.0"})
        total = book.add_format({"border": 1, "num_format": "0.0", "bold": True})
        muted = book.add_format(
            {"border": 1, "num_format": "0.0", "font_color": "#999999"}
        )
        printed = _(
            "Printed on %(date)s by %(user)s",
            date=fields.Date.context_today(self),
            user=self.env.user.name,
        )

        def setup(sheet, columns, widths):
            sheet.set_landscape()
            sheet.set_paper(9)  # A4
            sheet.fit_to_pages(1, 0)
            sheet.repeat_rows(3)
            sheet.freeze_panes(4, 2)
            sheet.set_footer("&L%s&R&P / &N" % printed.replace("&", "&&"))
            for col, width in enumerate(widths):
                sheet.set_column(col, col, width)
            for col, label in enumerate(columns):
                sheet.write(3, col, label, head)
            sheet.set_row(3, 32)

        # --- team sheet -------------------------------------------------
        team = book.add_worksheet(_("Team"))
        team.write(0, 0, _("Team Performance"), title)
        team.write(1, 0, self._sfa_xlsx_name().removesuffix(".xlsx"), note)
        columns = [
            _("Rank"),
            _("Salesperson"),
            _("Manager"),
            _("From"),
            _("To"),
            *[_("%s (score)", kpi.name) for kpi in kpis],
            _("Weighted Score"),
            _("Status"),
        ]
        setup(team, columns, [6, 24, 20, 11, 11, *[12] * len(kpis), 10, 11])
        states = dict(self._fields["state"]._description_selection(self.env))
        for row, card in enumerate(cards, start=4):
            team.write(row, 0, card.rank or "", text)
            team.write(row, 1, card.user_id.name or "", text)
            team.write(row, 2, card.manager_id.name or "", text)
            team.write_datetime(
                row, 3, fields.Datetime.to_datetime(card.date_from), day
            )
            team.write_datetime(row, 4, fields.Datetime.to_datetime(card.date_to), day)
            lines = {line.kpi_id: line for line in card.line_ids}
            for col, kpi in enumerate(kpis, start=5):
                line = lines.get(kpi)
                if line:
                    team.write_number(
                        row, col, line.score, score if line.measured else muted
                    )
                else:
                    team.write_blank(row, col, None, text)
            team.write_number(row, 5 + len(kpis), card.total_score, total)
            team.write(row, 6 + len(kpis), states.get(card.state, ""), text)

        # --- detail sheet -----------------------------------------------
        detail = book.add_worksheet(_("Scorecards"))
        detail.write(0, 0, _("Scorecards in Detail"), title)
        detail.write(1, 0, self._sfa_xlsx_name().removesuffix(".xlsx"), note)
        columns = [
            _("Salesperson"),
            _("From"),
            _("KPI"),
            _("Value"),
            _("Target"),
            _("Score"),
            _("Weight (%)"),
            _("Weighted"),
            _("Manager's Comment"),
        ]
        setup(detail, columns, [24, 11, 26, 13, 13, 8, 9, 9, 50])
        row = 4
        for card in cards:
            comment = fields.Html.to_plaintext(card.comment) if card.comment else ""
            for line in card.line_ids:
                detail.write(row, 0, card.user_id.name or "", text)
                detail.write_datetime(
                    row, 1, fields.Datetime.to_datetime(card.date_from), day
                )
                detail.write(row, 2, line.kpi_id.name, text)
                if line.measured:
                    detail.write_number(row, 3, line.value, number)
                else:
                    detail.write(row, 3, _("no measure"), text)
                detail.write_number(row, 4, line.target, number)
                detail.write_number(row, 5, line.score, score)
                detail.write_number(row, 6, line.weight, score)
                detail.write_number(row, 7, line.weighted_score, score)
                detail.write(row, 8, comment, text)
                comment = ""  # once per scorecard
                row += 1
        book.close()
        return output.getvalue()
