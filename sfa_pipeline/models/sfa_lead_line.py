from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SfaLeadLine(models.Model):
    """A product on an opportunity, so the pipeline can be cut by product.

    The line carries no owner of its own: who may read or edit it is decided
    by its opportunity (record rules on ``lead_id``), so a line never outlives
    or escapes the visibility of its deal. When the opportunity's
    ``sfa_revenue_from_lines`` is set, its expected revenue is the sum of the
    lines' amounts (see ``crm.lead._sfa_sync_revenue_from_lines``).
    """

    _name = "sfa.lead.line"
    _description = "Opportunity Line"
    _order = "lead_id, sequence, id"
    _sfa_number_bounds = {
        "quantity": (0, None),
        "price_unit": (0, None),
        "discount": (0, 100),
    }

    lead_id = fields.Many2one(
        "crm.lead",
        "Opportunity",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product",
        required=True,
        index=True,
        domain="[('company_id', 'in', [company_id, False])]",
    )
    name = fields.Char(
        "Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
    )
    quantity = fields.Float(default=1.0, digits="Product Unit")
    # Own help: the product's one speaks of stock operations.
    product_uom_id = fields.Many2one(
        related="product_id.uom_id",
        string="Unit",
        help="The product's unit of measure, in which the quantity is counted.",
    )
    price_unit = fields.Float(
        "Unit Price",
        digits="Product Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
        help="The product's sales price by default.",
    )
    discount = fields.Float("Discount (%)", digits="Discount")
    amount = fields.Monetary(
        compute="_compute_amount",
        store=True,
        currency_field="currency_id",
    )
    currency_id = fields.Many2one(related="lead_id.company_currency")
    company_id = fields.Many2one(
        related="lead_id.company_id", store=True, index=True, precompute=True
    )

    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            line.name = line.product_id.display_name or line.name

    @api.depends("product_id")
    def _compute_price_unit(self):
        for line in self:
            line.price_unit = line.product_id.lst_price

    @api.depends("quantity", "price_unit", "discount")
    def _compute_amount(self):
        for line in self:
            line.amount = (
                line.quantity * line.price_unit * (1.0 - (line.discount or 0.0) / 100.0)
            )

    @api.constrains("quantity", "price_unit", "discount")
    def _check_figures(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(
                    self.env._(
                        "The quantity of %(product)s on %(lead)s must be positive "
                        "(got %(quantity)s).",
                        product=line.product_id.display_name,
                        lead=line.lead_id.display_name,
                        quantity=line.quantity,
                    )
                )
            if line.price_unit < 0:
                raise ValidationError(
                    self.env._(
                        "The unit price of %(product)s on %(lead)s cannot be negative.",
                        product=line.product_id.display_name,
                        lead=line.lead_id.display_name,
                    )
                )
            if not 0 <= line.discount <= 100:
                raise ValidationError(
                    self.env._(
                        "The discount of %(product)s on %(lead)s must be between "
                        "0 and 100%% (got %(discount)s).",
                        product=line.product_id.display_name,
                        lead=line.lead_id.display_name,
                        discount=line.discount,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.lead_id._sfa_sync_revenue_from_lines()
        return lines

    def write(self, vals):
        if not {"lead_id", "quantity", "price_unit", "discount", "product_id"} & set(
            vals
        ):
            return super().write(vals)
        leads = self.lead_id
        res = super().write(vals)
        (leads | self.lead_id)._sfa_sync_revenue_from_lines()
        return res

    def unlink(self):
        leads = self.lead_id
        res = super().unlink()
        leads.exists()._sfa_sync_revenue_from_lines()
        return res
