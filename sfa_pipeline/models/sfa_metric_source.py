from odoo import api, models
from odoo.tools import SQL


class SfaMetricSource(models.AbstractModel):
    """Done actions and done visits, for targets and scorecards."""

    _inherit = "sfa.metric.source"

    @api.model
    def _sfa_metrics(self):
        return [
            *super()._sfa_metrics(),
            ("done_actions", self.env._("Done Actions"), True),
            ("done_visits", self.env._("Done Visits"), True),
        ]

    @api.model
    def _sfa_done_actions_sql(self, visits_only):
        """Done actions by the day they were done (on the owner's calendar),
        credited to their owner, the deal's team (or the owner's main team)
        and the customer."""
        return SQL(
            """
            SELECT a.company_id, a.user_id, COALESCE(l.team_id, u.sale_team_id),
                   p.commercial_partner_id, %s, 1
              FROM sfa_action a
              LEFT JOIN crm_lead l ON l.id = a.lead_id
              LEFT JOIN res_users u ON u.id = a.user_id
              LEFT JOIN res_partner up ON up.id = u.partner_id
              LEFT JOIN res_company c ON c.id = a.company_id
              LEFT JOIN res_partner cp ON cp.id = c.partner_id
              LEFT JOIN res_partner p ON p.id = a.partner_id
             WHERE a.state = 'done' AND a.date_done IS NOT NULL %s
            """,
            self._sfa_local_date_sql(SQL("a.date_done"), SQL("up.tz"), SQL("cp.tz")),
            SQL("AND a.is_visit") if visits_only else SQL(),
        )

    @api.model
    def _sfa_facts_done_actions(self):
        return self._sfa_done_actions_sql(visits_only=False)

    @api.model
    def _sfa_facts_done_visits(self):
        return self._sfa_done_actions_sql(visits_only=True)
