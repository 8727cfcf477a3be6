from odoo import api, fields, models
from odoo.exceptions import UserError

from .sfa_xlsx import Workbook, export_action


class SfaScorecard(models.Model):
    _inherit = "sfa.scorecard"

    @api.readonly
    def action_export_xlsx(self):
        """Download the scorecards as a workbook a manager prints: the team
        sheet (one row per person, ranked, a score per KPI) and the detail
        sheet (every KPI's value, target, score and weight)."""
        return export_action(self._sfa_export_records())

    def _sfa_export_records(self):
        cards = self or self.search([])
        if not cards:
            raise UserError(self.env._("There is no scorecard to export."))
        cards.check_access("read")
        return cards

    def _sfa_export_file(self):
        """(file name, workbook bytes) of these scorecards."""
        cards = self._sfa_export_records()
        return cards._sfa_xlsx_name(), cards._sfa_xlsx().content()

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
        xlsx = Workbook(self.env)
        subtitle = self._sfa_xlsx_name().removesuffix(".xlsx")

        # --- team sheet -------------------------------------------------
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
        team = xlsx.sheet(
            _("Team"),
            _("Team Performance"),
            subtitle,
            columns,
            [6, 24, 20, 11, 11, *[12] * len(kpis), 10, 11],
        )
        states = dict(self._fields["state"]._description_selection(self.env))
        for row, card in enumerate(cards, start=4):
            if card.rank:
                team.write_number(row, 0, card.rank, xlsx.integer)
            else:
                team.write_blank(row, 0, None, xlsx.text)
            team.write_string(row, 1, card.user_id.name or "", xlsx.text)
            team.write_string(row, 2, card.manager_id.name or "", xlsx.text)
            xlsx.write_date(team, row, 3, card.date_from)
            xlsx.write_date(team, row, 4, card.date_to)
            lines = {line.kpi_id: line for line in card.line_ids}
            for col, kpi in enumerate(kpis, start=5):
                line = lines.get(kpi)
                if line:
                    team.write_number(
                        row,
                        col,
                        line.score,
                        xlsx.score if line.measured else xlsx.muted,
                    )
                else:
                    team.write_blank(row, col, None, xlsx.text)
            team.write_number(row, 5 + len(kpis), card.total_score, xlsx.total)
            team.write_string(row, 6 + len(kpis), states.get(card.state, ""), xlsx.text)

        # --- detail sheet -----------------------------------------------
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
        detail = xlsx.sheet(
            _("Scorecards"),
            _("Scorecards in Detail"),
            subtitle,
            columns,
            [24, 11, 26, 13, 13, 8, 9, 9, 50],
        )
        row = 4
        for card in cards:
            comment = fields.Html.to_plaintext(card.comment) if card.comment else ""
            for line in card.line_ids:
                detail.write_string(row, 0, card.user_id.name or "", xlsx.text)
                xlsx.write_date(detail, row, 1, card.date_from)
                detail.write_string(row, 2, line.kpi_id.name, xlsx.text)
                if line.measured:
                    detail.write_number(row, 3, line.value, xlsx.number)
                else:
                    detail.write_string(row, 3, _("no measure"), xlsx.text)
                detail.write_number(row, 4, line.target, xlsx.number)
                detail.write_number(row, 5, line.score, xlsx.score)
                detail.write_number(row, 6, line.weight, xlsx.score)
                detail.write_number(row, 7, line.weighted_score, xlsx.score)
                detail.write_string(row, 8, comment, xlsx.text)
                comment = ""  # once per scorecard
                row += 1
        return xlsx
