from werkzeug.exceptions import NotFound

from odoo.http import Controller, content_disposition, request, route

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SfaAgendaController(Controller):
    @route(
        "/sfa_pipeline/agenda/<int:wizard_id>/xlsx",
        type="http",
        auth="user",
        readonly=True,
    )
    def sfa_agenda_xlsx(self, wizard_id, **kwargs):
        """Download an agenda; actions are read with the requesting user's rights."""
        wizard = request.env["sfa.agenda.wizard"].browse(wizard_id).exists()
        if not wizard:
            raise NotFound()
        wizard.check_access("read")
        content = wizard._sfa_agenda_xlsx()
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Length", len(content)),
                (
                    "Content-Disposition",
                    content_disposition(wizard._sfa_agenda_filename("xlsx")),
                ),
            ],
        )
