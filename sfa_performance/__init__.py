from . import controllers
from . import models
from . import wizard


def _sfa_credit_existing_deals(env):
    """Deals won before the module was installed get their credit too."""
    won = (
        env["crm.lead"]
        .with_context(active_test=False)
        .search([("type", "=", "opportunity"), ("won_status", "=", "won")])
    )
    env["sfa.deal.credit"]._sfa_compute(won.ids)
