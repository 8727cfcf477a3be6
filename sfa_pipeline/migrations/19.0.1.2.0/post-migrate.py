"""19.0.1.2.0 declares the won products (``won_lines``): the product
analysis reads its won amounts from them. Built once from the deals already
won."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["sfa.fact"]._sfa_rebuild(["won_lines"])
