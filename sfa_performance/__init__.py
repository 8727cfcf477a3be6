import logging
import time

from . import controllers
from . import models
from . import wizard

_logger = logging.getLogger(__name__)


def _sfa_credit_existing_deals(env):
    """Deals won before the module was installed get their credit too, and
    the credit its facts: in a few statements, whatever the number of deals
    (the facts rebuilt at once, not refreshed deal by deal)."""
    start = time.monotonic()
    won = (
        env["crm.lead"]
        .with_context(active_test=False)
        .search([("type", "=", "opportunity"), ("won_status", "=", "won")])
    )
    env.flush_all()
    # statistics of the stays and deals written since the tables' last
    # analysis (at install, in this very transaction)
    env.cr.execute("ANALYZE sfa_stage_history")
    env.cr.execute("ANALYZE crm_lead")
    env["sfa.deal.credit"]._sfa_compute(won.ids)
    _logger.info(
        "sfa_performance: credit of %d won deals, %.1f s",
        len(won),
        time.monotonic() - start,
    )
    env["sfa.fact"]._sfa_rebuild(["deal_credit"])
