from odoo import fields, models, tools
from odoo.tools import SQL


class SfaPipelineProductAnalysis(models.Model):
    """The pipeline cut by product: one row per product line of an opportunity.

    Open, won and lost opportunities are all kept (lost ones are archived by
    Odoo), so the same report answers "what is in the pipeline for product X"
    and "what did we win and lose on it". Open and lost lines carry the
    opportunity's current owner, team and territory; won lines are read from
    the won products facts (``won_lines``): the salesperson's day they were
    won, the customer's territory and category of that day, the amount in
    the company's currency. Visibility follows the opportunity's.
    """

    _name = "sfa.pipeline.product.analysis"
    _description = "Pipeline Analysis by Product"
    _inherit = ["sfa.visibility.mixin"]
    _auto = False
    _order = "create_date desc, id"
    _rec_name = "product_id"
    _sfa_share_model = "crm.lead"
    _sfa_share_field = "lead_id"

    line_id = fields.Many2one("sfa.lead.line", "Opportunity Line", readonly=True)
    lead_id = fields.Many2one("crm.lead", "Opportunity", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_tmpl_id = fields.Many2one(
        "product.template", "Product Template", readonly=True
    )
    categ_id = fields.Many2one("product.category", "Product Category", readonly=True)
    stage_id = fields.Many2one("crm.stage", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    sfa_territory_id = fields.Many2one("sfa.territory", "Territory", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    sfa_category_id = fields.Many2one(
        "sfa.customer.category", "Customer Category", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    won_status = fields.Selection(
        [("won", "Won"), ("lost", "Lost"), ("pending", "Pending")],
        "Won/Lost",
        readonly=True,
    )
    create_date = fields.Datetime("Created On", readonly=True)
    date_closed = fields.Datetime("Closed On", readonly=True)
    date_won = fields.Date(
        "Won On",
        readonly=True,
        help="The salesperson's day the deal was won (its facts' day).",
    )
    date_deadline = fields.Date("Expected Closing", readonly=True)
    quantity = fields.Float(readonly=True, aggregator="sum")
    amount = fields.Float(readonly=True, aggregator="sum")
    prorated_amount = fields.Float(
        readonly=True,
        aggregator="sum",
        help="Amount weighted by the opportunity's probability.",
    )
    won_amount = fields.Float(readonly=True, aggregator="sum")
    lead_count = fields.Integer(
        "Opportunities",
        readonly=True,
        aggregator="count_distinct",
        help="Distinct opportunities carrying the product.",
    )

    def _search(self, domain, *args, **kwargs):
        # the won lines are read from the facts: this transaction's wins are
        # in them before the report is read
        self.env["sfa.fact"]._sfa_sync({"won_lines"})
        return super()._search(domain, *args, **kwargs)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
                -- open and lost deals: their lines as they are
                SELECT ll.id, ll.id AS line_id, ll.lead_id, ll.product_id,
                       pp.product_tmpl_id, pt.categ_id,
                       l.stage_id, l.user_id, l.team_id, l.sfa_territory_id,
                       l.company_id, l.won_status, l.create_date,
                       l.date_closed, NULL::date AS date_won, l.date_deadline,
                       cp.id AS partner_id, cp.sfa_category_id,
                       ll.quantity, ll.amount,
                       ll.amount * COALESCE(l.probability, 0) / 100.0
                           AS prorated_amount,
                       0 AS won_amount,
                       ll.lead_id AS lead_count
                  FROM sfa_lead_line ll
                  JOIN crm_lead l ON l.id = ll.lead_id
                  JOIN product_product pp ON pp.id = ll.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  LEFT JOIN res_partner p ON p.id = l.partner_id
                  LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
                 WHERE l.type = 'opportunity' AND l.won_status != 'won'
                UNION ALL
                -- won deals: their won products (facts), on the salesperson's
                -- day, in the customer's territory and category of that day
                SELECT ll.id, ll.id, f.lead_id, ll.product_id,
                       pp.product_tmpl_id, pt.categ_id,
                       l.stage_id, f.user_id, f.team_id, f.territory_id,
                       f.company_id, 'won', l.create_date,
                       l.date_closed, f.date, l.date_deadline,
                       f.partner_id, f.category_id,
                       f.quantity, f.amount, f.amount, f.amount,
                       f.lead_id
                  FROM sfa_fact f
                  JOIN sfa_lead_line ll ON ll.id = f.res_id
                  JOIN crm_lead l ON l.id = f.lead_id
                  JOIN product_product pp ON pp.id = ll.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE f.metric = 'won_lines'
            )
            """,
                SQL.identifier(self._table),
            )
        )
