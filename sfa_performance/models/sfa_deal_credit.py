from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import SQL

ROLES = [("close", "Won It"), ("advance", "Advanced It")]


class SfaDealCredit(models.Model):
    """Who earned a won deal's revenue.

    The salesperson who won it (its owner when it entered the won stage)
    gets the company's closer share; the rest is split over the stage
    advances recorded in sfa_pipeline's stage history, each credited to the
    user who moved the deal, in proportion to the stage's credit weight.
    Only the sales force earns credit (an administrator who moves a deal
    does not); the closer's share of a deal won outside the sales force (by
    an administrator, by no one) goes to the row "Outside the Sales Force",
    so the credits of a deal always add up to its revenue. Only progress
    counts: a move into a stage beyond the furthest the deal had reached,
    so going back and forth earns nothing; moves made by the system
    (automations, imports as superuser) earn nothing. Written in SQL for
    all the deals a transaction won, changed while won or reopened, when it
    is flushed before commit (``crm.lead._sfa_credit_later``), never by
    hand.
    """

    _name = "sfa.deal.credit"
    _description = "Deal Contribution Credit"
    _sfa_system_records = True
    _inherit = ["sfa.lead.trail.mixin"]
    _order = "date desc, lead_id, role desc, id"
    _log_access = False
    _sfa_owner_field = "user_id"
    _sfa_territory_field = False

    lead_id = fields.Many2one(
        "crm.lead", "Opportunity", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one("res.partner", "Customer", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    team_id = fields.Many2one("crm.team", "Sales Team", index=True)
    user_id = fields.Many2one("res.users", "Credited To", required=True, index=True)
    role = fields.Selection(ROLES, required=True)
    stage_id = fields.Many2one("crm.stage", "Into Stage")
    date_moved = fields.Datetime("Moved On")
    date = fields.Datetime("Won On", required=True, index=True)
    share = fields.Float("Share (%)", aggregator=None)
    amount = fields.Monetary(currency_field="currency_id")

    @api.model
    def _sfa_compute(self, lead_ids):
        """Replace the credits of these deals: one DELETE and one INSERT for
        the whole batch, whatever its size."""
        if not lead_ids:
            return
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                "DELETE FROM sfa_deal_credit"
                " WHERE lead_id IN (SELECT unnest(%s::int[]))",
                list(lead_ids),
            )
        )
        self.env.execute_query(
            SQL(
                """
                WITH sales_force AS (
                    -- the sales force earns credit: not an administrator or
                    -- a colleague outside it who happened to move a deal
                    SELECT DISTINCT uid FROM res_groups_users_rel
                     WHERE gid = ANY(%(sales_force)s)
                ), won AS (
                    SELECT l.id, l.user_id, l.team_id, l.date_closed,
                           COALESCE(p.commercial_partner_id, l.partner_id)
                               AS partner_id,
                           COALESCE(l.company_id, tm.company_id, u.company_id)
                               AS company_id,
                           COALESCE(l.expected_revenue, 0) AS revenue
                      FROM crm_lead l
                      LEFT JOIN res_partner p ON p.id = l.partner_id
                      LEFT JOIN crm_team tm ON tm.id = l.team_id
                      LEFT JOIN res_users u ON u.id = l.user_id
                     -- a join, not "= ANY": linear in the number of deals
                     WHERE l.id IN (SELECT unnest(%(ids)s::int[]))
                       AND l.type = 'opportunity'
                       AND l.won_status = 'won' AND l.date_closed IS NOT NULL
                ), pos AS (
                    SELECT id, COALESCE(is_won, FALSE) AS is_won,
                           COALESCE(sfa_credit_weight, 0) AS weight,
                           ROW_NUMBER() OVER (ORDER BY sequence, id) AS pos
                      FROM crm_stage
                ), stays AS (
                    SELECT h.lead_id, h.stage_id, h.changed_by_id, h.user_id,
                           h.date_in, h.id, pos.pos, pos.is_won, pos.weight,
                           MAX(pos.pos) OVER (
                               PARTITION BY h.lead_id ORDER BY h.date_in, h.id
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                           ) AS reached
                      FROM sfa_stage_history h
                      JOIN won ON won.id = h.lead_id
                      JOIN pos ON pos.id = h.stage_id
                ), advances AS (
                    SELECT s.*
                      FROM stays s
                      JOIN res_users mover ON mover.id = s.changed_by_id
                     WHERE NOT s.is_won AND s.pos > s.reached AND s.weight > 0
                       AND NOT mover.share AND mover.id != %(system)s
                       AND mover.id IN (SELECT uid FROM sales_force)
                ), totals AS (
                    SELECT lead_id, SUM(weight) AS weight
                      FROM advances GROUP BY lead_id
                ), closers AS (
                    SELECT DISTINCT ON (s.lead_id) s.lead_id, s.user_id, s.date_in
                      FROM stays s
                     WHERE s.is_won
                     ORDER BY s.lead_id, s.date_in DESC, s.id DESC
                ), credits AS (
                    SELECT won.id AS lead_id,
                           COALESCE(c.user_id, won.user_id) AS user_id,
                           'close' AS role, NULL::int AS stage_id,
                           c.date_in AS date_moved,
                           CASE WHEN t.weight IS NULL THEN 100.0
                                ELSE co.sfa_credit_closer_share END AS share
                      FROM won
                      JOIN res_company co ON co.id = won.company_id
                      LEFT JOIN closers c ON c.lead_id = won.id
                      LEFT JOIN totals t ON t.lead_id = won.id
                    UNION ALL
                    SELECT a.lead_id, a.changed_by_id, 'advance', a.stage_id,
                           a.date_in,
                           (100.0 - co.sfa_credit_closer_share) * a.weight / t.weight
                      FROM advances a
                      JOIN totals t ON t.lead_id = a.lead_id
                      JOIN won ON won.id = a.lead_id
                      JOIN res_company co ON co.id = won.company_id
                )
                INSERT INTO sfa_deal_credit (
                    lead_id, partner_id, company_id, team_id, user_id, role,
                    stage_id, date_moved, date, share, amount)
                SELECT won.id, won.partner_id, won.company_id, won.team_id,
                       CASE WHEN cr.user_id IN (SELECT uid FROM sales_force)
                            THEN cr.user_id ELSE outside.id END,
                       cr.role, cr.stage_id, cr.date_moved,
                       won.date_closed, cr.share, won.revenue * cr.share / 100.0
                  FROM credits cr
                  JOIN won ON won.id = cr.lead_id
                  LEFT JOIN (SELECT res_id AS id FROM ir_model_data
                              WHERE module = 'sfa_base' AND model = 'res.users'
                                AND name = 'user_outside_sales_force') outside
                         ON TRUE
                 WHERE cr.share > 0
                   AND (cr.user_id IN (SELECT uid FROM sales_force)
                        OR outside.id IS NOT NULL)
                """,
                ids=list(lead_ids),
                system=SUPERUSER_ID,
                sales_force=list(self.env["res.users"]._sfa_sales_force_group_ids()),
            )
        )
        self.invalidate_model()
        # written in SQL: their facts follow
        self.env["sfa.fact"]._sfa_mark(["deal_credit"], "lead_id", list(lead_ids))
