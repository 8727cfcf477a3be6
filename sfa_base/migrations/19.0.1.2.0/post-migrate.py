"""Before 19.0.1.2.0 the territory rules named the user's territories in their
domain: Odoo caches rule domains per user, so every change of the reporting
line or of a territory cleared Odoo's whole cache on every server. The rules
(data kept on update) now read a search field instead."""

from odoo import SUPERUSER_ID, api

RULES = {
    "sfa_base.rule_sfa_territory_manager_scope": "[('sfa_in_my_scope', '=', True)]",
    "sfa_base.rule_sfa_territory_rule_manager_scope": (
        "[('territory_id.sfa_in_my_scope', '=', True)]"
    ),
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, domain in RULES.items():
        rule = env.ref(xmlid, raise_if_not_found=False)
        if rule:
            rule.domain_force = domain
