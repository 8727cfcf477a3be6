from urllib.parse import parse_qs, urlparse

from odoo.addons.sfa_performance.models.sfa_xlsx import decode_ids


def exported(records):
    """(file name, bytes) of the workbook the export button of ``records``
    downloads, built as the read-only route builds it, as their user."""
    action = records.action_export_xlsx()
    url = urlparse(action["url"])
    assert action["type"] == "ir.actions.act_url", action
    assert url.path == f"/sfa_performance/xlsx/{records._name}", url.path
    params = {key: values[0] for key, values in parse_qs(url.query).items()}
    env = records.env
    if params.get("period"):
        env = env(context=dict(env.context, sfa_period=params["period"]))
    return env[records._name].browse(decode_ids(params.get("ids")))._sfa_export_file()
