"""19.0.1.1.0 holds a quota by its responsible too (a territory's manager,
a team's leader): "Nobody Holds It" is recomputed for the targets already
there, with the quota nobody holds beside it. The facts of the metrics
with products written before this module was installed get their product
(won products of sfa_pipeline, margins of sfa_performance)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    lines = env["sfa.target.line"].with_context(active_test=False).search([])
    env.add_to_compute(lines._fields["unheld"], lines)
    env.add_to_compute(lines._fields["unheld_value"], lines)
    lines.flush_recordset()
    env["sfa.fact"]._sfa_rebuild_with_products()
