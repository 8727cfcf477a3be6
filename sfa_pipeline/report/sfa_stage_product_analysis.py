from odoo import fields, models
from odoo.tools import SQL


class SfaStageProductAnalysis(models.Model):
    """Stage analytics cut by product.

    The stays of ``sfa.stage.analysis`` joined to the products of their
    opportunity: a stay is counted once for each distinct product the deal
    carries (two lines of the same product still count once). Grouped by
    product, every figure is that of the deals carrying it; totals over
    several products count a deal once per product, which is why this is a
    report of its own and ``sfa.stage.analysis`` keeps one row per stay.
    Products are the deal's current ones.
    """

    _name = "sfa.stage.product.analysis"
    _inherit = ["sfa.stage.analysis"]
    _description = "Stage Analysis by Product"
    _auto = False

    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", "Product Category", readonly=True)
    product_amount = fields.Float(
        readonly=True,
        aggregator="sum",
        help="Current amount of the product on the opportunity.",
    )

    def _id_sql(self):
        # At most 1000 distinct products per deal: stable ids without a
        # window over the whole history, so filters still reach the indexes.
        return SQL("h.id::bigint * 1000 + lp.product_rank")

    def _select_sql(self):
        return SQL(
            "%s, lp.product_id, pt.categ_id, lp.amount AS product_amount",
            super()._select_sql(),
        )

    def _from_sql(self):
        return SQL(
            """%s
                  JOIN (
                      SELECT lead_id, product_id, SUM(amount) AS amount,
                             ROW_NUMBER() OVER (
                                 PARTITION BY lead_id ORDER BY product_id
                             ) AS product_rank
                        FROM sfa_lead_line
                       GROUP BY lead_id, product_id
                  ) lp ON lp.lead_id = h.lead_id
                  JOIN product_product pp ON pp.id = lp.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
            """,
            super()._from_sql(),
        )
