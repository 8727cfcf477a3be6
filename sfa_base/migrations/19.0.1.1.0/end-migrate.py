"""Before 19.0.1.1.0 each figure read its documents itself: the sales facts
are built once, every module loaded, from the documents already there."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["sfa.fact"]._sfa_rebuild()
