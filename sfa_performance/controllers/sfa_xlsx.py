from werkzeug.exceptions import BadRequest, NotFound

from odoo import http
from odoo.http import content_disposition, request

from ..models.sfa_xlsx import XLSX_MIMETYPE, decode_ids

# the models whose workbooks this route builds
EXPORTS = ("sfa.performance.dashboard", "sfa.scorecard", "sfa.customer.value")
PERIODS = ("month", "quarter", "year", "this_month", "this_quarter", "this_year")


class SfaXlsx(http.Controller):
    @http.route(
        "/sfa_performance/xlsx/<string:model>",
        type="http",
        auth="user",
        methods=["GET"],
        readonly=True,
    )
    def sfa_xlsx(self, model, ids="", period="", **_kwargs):
        """The workbook of the export buttons, built as the user (record rules
        apply) on a read-only cursor: on the replica when there is one."""
        if model not in EXPORTS:
            raise NotFound()
        try:
            record_ids = decode_ids(ids)
        except ValueError:
            raise BadRequest("ids") from None
        env = request.env
        if period:
            if period not in PERIODS:
                raise BadRequest("period")
            env = env(context=dict(env.context, sfa_period=period))
        name, content = env[model].browse(record_ids)._sfa_export_file()
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Length", len(content)),
                ("Content-Disposition", content_disposition(name)),
            ],
        )
