"""19.0.1.2.0 declares the balances of customer invoices (``open_balance``,
``paid_on_invoices``): customer value reads its received, receivable and
overdue amounts from them. Built once from the invoices already posted."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["sfa.fact"]._sfa_rebuild(["open_balance", "paid_on_invoices"])
