"""Before 19.0.1.3.0 the partner of an archived internal user (OdooBot's,
a former employee's) was taken for a customer: graded, given a lifecycle
and alerts. It is computed again (its facts follow)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    users = (
        env["res.users"]
        .with_context(active_test=False)
        .search([("active", "=", False), ("share", "=", False)])
    )
    partners = users.partner_id.filtered("sfa_is_customer")
    if partners:
        env.add_to_compute(env["res.partner"]._fields["sfa_is_customer"], partners)
        env.flush_all()
    # a last contact dated ahead (an order dated in the coming days) no
    # longer counts: set again from the contacts of today and before
    env["res.partner"]._sfa_contacts_arrived()
