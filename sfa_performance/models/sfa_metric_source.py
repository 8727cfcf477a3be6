from odoo import api, models
from odoo.tools import SQL


class SfaMetricSource(models.AbstractModel):
    """Deal contribution credit as a measured figure (targets, scorecards)."""

    _inherit = "sfa.metric.source"

    @api.model
    def _sfa_metrics(self):
        return [
            *super()._sfa_metrics(),
            ("deal_credit", self.env._("Deal Contribution Credit"), False),
        ]

    @api.model
    def _sfa_facts_deal_credit(self):
        """Each credit on the day the deal was won, on the credited user's
        calendar."""
        return SQL(
            """
            SELECT dc.company_id, dc.user_id, dc.team_id, dc.partner_id, %s,
                   dc.amount
              FROM sfa_deal_credit dc
              LEFT JOIN res_users u ON u.id = dc.user_id
              LEFT JOIN res_partner up ON up.id = u.partner_id
              JOIN res_company c ON c.id = dc.company_id
              LEFT JOIN res_partner cp ON cp.id = c.partner_id
            """,
            self._sfa_local_date_sql(SQL("dc.date"), SQL("up.tz"), SQL("cp.tz")),
        )
