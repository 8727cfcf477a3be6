"""A year of performance for sfa_base's demo organization.

Loaded from ``demo/sfa_performance_demo.xml``:

* the demo deals won in the last twelve months become confirmed sales orders
  of their products (with a margin), invoiced a few days later; most
  invoices are paid, some are late, so customer values have purchases,
  profit and credit to grade; most customers rate their salesperson;
* a target of furniture sales in the demo plan, split over the product
  categories (control by product);
* a scorecard template for reps whose targets are the team's monthly
  average (10 % above it, or below for the sales cycle);
* the reps' scorecards of the last twelve complete months, computed and
  ranked: final up to the month before last, and last month's reviewed for
  half of each team with the supervisor's comment;
* the customer values, and today's alert digests (not mailed).
"""

import logging
import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL

from odoo.addons.sfa_targets.models.decomposition import split_exact

_logger = logging.getLogger(__name__)

ORG_XMLID = "sfa_base.demo_user_director"
TEMPLATE_XMLID = "sfa_performance.demo_scorecard_template_rep"
# KPI code, weight (%), fallback target.
REP_KPIS = [
    ("won_revenue", 30, 20000.0),
    ("deal_credit", 15, 20000.0),
    ("win_rate", 15, 50.0),
    ("new_customers", 10, 2.0),
    ("action_adherence", 10, 80.0),
    ("visits", 10, 6.0),
    ("cycle_days", 10, 45.0),
]
COMMENTS = {
    "top": "<p>Strong month: keep the pace and share how you closed the big deals "
    "with the team.</p>",
    "low": "<p>Below the team this month: let us plan your visits together and "
    "review the deals stuck in proposal.</p>",
}


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _sfa_performance_generate_demo(self):
        """Build the demo year once (called from demo data only)."""
        if not self.env.ref(ORG_XMLID, raise_if_not_found=False):
            return False
        if self.env.ref(TEMPLATE_XMLID, raise_if_not_found=False):
            return False
        env = self.env(context=dict(self.env.context, tracking_disable=True))
        company = env.ref(ORG_XMLID).company_id
        rng = random.Random(2026)
        today = fields.Date.context_today(self)
        months = []
        end = today.replace(day=1) - timedelta(days=1)
        for _i in range(12):
            months.append((end.replace(day=1), end))
            end = end.replace(day=1) - timedelta(days=1)
        months.reverse()
        orders = self._sfa_demo_sales(company, rng, today)
        ratings = self._sfa_demo_ratings(company, rng)
        self._sfa_demo_sales_targets(company)
        # demo data loads before the install hook: credit the won deals now,
        # or the year's scorecards would measure no deal credit
        from odoo.addons.sfa_performance import _sfa_credit_existing_deals

        _sfa_credit_existing_deals(env)
        template = self._sfa_demo_template(company, months)
        Card = env["sfa.scorecard"]
        cards = Card.browse()
        for date_from, date_to in months:
            cards |= Card._sfa_compute_period(date_from, date_to)
        last_month = cards.filtered(lambda c: c.date_from == months[-1][0])
        (cards - last_month).action_finalize()
        for cards_of_team in last_month.grouped("manager_id").values():
            ranked = cards_of_team.sorted("rank")
            reviewed = ranked[: max(1, len(ranked) // 2)]
            for card in reviewed:
                card.comment = COMMENTS["top" if card.rank <= 2 else "low"]
            manager = reviewed.manager_id[:1]
            (reviewed.with_user(manager) if manager else reviewed).action_review()
        env["sfa.customer.value"]._sfa_compute(company)
        alerts = env["sfa.performance.alert"]._sfa_create_alerts()
        _logger.info(
            "SFA performance demo: %s orders, %s ratings, template %s, "
            "%s scorecards, %s alert digests",
            orders,
            ratings,
            template.name,
            len(cards),
            len(alerts),
        )
        return True

    @api.model
    def _sfa_demo_sales(self, company, rng, today):
        """Orders, invoices and payments for the deals won in the last year."""
        env = self.env
        leads = env["crm.lead"].search(
            [
                ("company_id", "in", (company.id, False)),
                ("won_status", "=", "won"),
                ("partner_id", "!=", False),
                ("date_closed", ">=", today - relativedelta(years=1)),
            ],
            order="date_closed, id",
        )
        if not leads:
            return 0
        product = env["product.product"].create(
            {
                "name": env._("Sales Force Solution"),
                "type": "service",
                "invoice_policy": "order",
                "list_price": 1000.0,
                "standard_price": 600.0,
                "taxes_id": [(6, 0, [])],
            }
        )

        def order_lines(lead):
            """The deal's products, else the solution at the deal's amount;
            bought at 45-80 % of the price."""
            lines = [
                (line.product_id, line.name, line.quantity, line.price_unit)
                for line in lead.sfa_line_ids
            ] or [(product, lead.name, 1, lead.expected_revenue or 1000.0)]
            return [
                Command.create(
                    {
                        "product_id": line_product.id,
                        "name": name,
                        "product_uom_qty": quantity,
                        "price_unit": price,
                        "purchase_price": round(price * rng.uniform(0.45, 0.8), 2),
                        "tax_ids": [Command.clear()],
                    }
                )
                for line_product, name, quantity, price in lines
            ]

        orders = env["sale.order"].create(
            [
                {
                    "partner_id": lead.partner_id.id,
                    "user_id": lead.user_id.id,
                    "team_id": lead.team_id.id,
                    "company_id": company.id,
                    "opportunity_id": lead.id,
                    "order_line": order_lines(lead),
                }
                for lead in leads
            ]
        )
        orders.action_confirm()
        env.flush_all()
        # the orders were confirmed a day or two after the deal was won
        for order, lead in zip(orders, leads, strict=True):
            env.cr.execute(
                SQL(
                    "UPDATE sale_order SET date_order = %s WHERE id = %s",
                    lead.date_closed + timedelta(days=rng.randint(0, 2)),
                    order.id,
                )
            )
        orders.invalidate_recordset(["date_order"])
        invoices = orders._create_invoices(grouped=True)
        invoice_of = {
            invoice.invoice_line_ids.sale_line_ids.order_id: invoice
            for invoice in invoices
        }
        Register = env["account.payment.register"]
        for order, lead in zip(orders, leads, strict=True):
            invoice = invoice_of[order]
            day = min(
                lead.date_closed.date() + timedelta(days=rng.randint(3, 10)), today
            )
            invoice.write(
                {"invoice_date": day, "invoice_date_due": day + timedelta(days=30)}
            )
            invoice.action_post()
            late = rng.random() < 0.2
            if late and invoice.invoice_date_due < today:
                continue  # unpaid and overdue
            paid_on = min(day + timedelta(days=rng.randint(5, 40)), today)
            if paid_on < today or rng.random() < 0.5:
                Register.with_context(
                    active_model="account.move", active_ids=invoice.ids
                ).create({"payment_date": paid_on})._create_payments()
        return len(orders)

    @api.model
    def _sfa_demo_ratings(self, company, rng):
        """Most customers rate their order's salesperson a few days after
        the delivery: mostly 4 or 5 stars, some 3, a few 1 or 2."""
        env = self.env
        orders = env["sale.order"].search(
            [("company_id", "=", company.id), ("state", "=", "sale")], order="id"
        )
        rated = [order for order in orders if rng.random() < 0.6]
        if not rated:
            return 0
        model = env["ir.model"]._get("sale.order")
        ratings = (
            env["rating.rating"]
            .sudo()
            .create(
                [
                    {
                        "res_model_id": model.id,
                        "res_id": order.id,
                        "partner_id": order.partner_id.id,
                        "rated_partner_id": order.user_id.partner_id.id,
                        "rating": rng.choices((5, 4, 3, 2, 1), (45, 32, 14, 6, 3))[0],
                        "consumed": True,
                    }
                    for order in rated
                ]
            )
        )
        env.flush_all()
        env.cr.execute(
            SQL(
                "UPDATE rating_rating r SET rated_on = v.moment, write_date = v.moment"
                " FROM unnest(%s::int[], %s::timestamp[]) AS v(id, moment)"
                " WHERE r.id = v.id",
                ratings.ids,
                [
                    min(
                        order.date_order + timedelta(days=rng.randint(3, 20)),
                        fields.Datetime.now(),
                    )
                    for order in rated
                ],
            )
        )
        ratings.invalidate_recordset()
        env["sfa.fact"]._sfa_mark(["ratings", "rating_points"], "res_id", ratings.ids)
        return len(ratings)

    @api.model
    def _sfa_demo_sales_targets(self, company):
        """The demo plan gets this year's target of furniture sales, split
        over the furniture's categories by last year's sales (control by
        product)."""
        env = self.env
        plan = env.ref("sfa_targets.demo_plan_this_year", raise_if_not_found=False)
        furniture = env.ref(
            "sfa_pipeline.demo_categ_furniture", raise_if_not_found=False
        )
        if not plan or not furniture:
            return
        Line = env["sfa.target.line"]
        start = plan.date_from
        # the furniture sold over the last twelve months, 15 % more
        today = fields.Date.context_today(self)
        trailing = (today.replace(year=today.year - 1), today)
        row = (0, "company", company.id, company.id, *trailing, furniture.id, False)
        sold = Line._sfa_metric_actuals("sales_amount", [row]).get(0, 0.0)
        sales = Line.create(
            {
                "plan_id": plan.id,
                "owner_type": "company",
                "metric": "sales_amount",
                "product_categ_id": furniture.id,
                "date_from": start,
                "date_to": plan.date_to,
                "target_value": round(sold * 1.15, -3) or 1_000_000,
            }
        )
        wizard = env["sfa.target.decompose"].create(
            {"line_id": sales.id, "split_by": "product", "org_method": "weights"}
        )
        # each category's share of the last twelve months' sales
        sold_by_category = Line._sfa_metric_actuals(
            "sales_amount",
            [
                (
                    child.id,
                    "company",
                    company.id,
                    company.id,
                    *trailing,
                    child.owner_id,
                    False,
                )
                for child in wizard.child_ids
            ],
        )
        weights = split_exact(
            100,
            [max(sold_by_category.get(c.id, 0.0), 0.0) for c in wizard.child_ids],
            2,
        )
        for child, weight in zip(wizard.child_ids, weights, strict=True):
            child.weight = weight
        wizard.action_apply()
        plan.action_refresh_actuals()

    @api.model
    def _sfa_demo_template(self, company, months):
        """The reps' template, its targets set from the team's monthly
        averages over the demo year."""
        env = self.env
        Kpi = env["sfa.kpi"]
        kpis = {
            kpi.code: kpi
            for kpi in Kpi.search([("code", "in", [k[0] for k in REP_KPIS])])
        }
        reps = (
            env["res.users"]
            .search([("share", "=", False), ("company_ids", "in", company.ids)])
            .filtered(lambda u: u.sfa_role == "rep")
        )
        sums = {code: [] for code in kpis}
        for date_from, date_to in months:
            values = Kpi.browse([k.id for k in kpis.values()])._sfa_values(
                reps, company, date_from, date_to
            )
            for code, kpi in kpis.items():
                sums[code].extend(
                    v for v in values[kpi.id].values() if v is not None and v > 0
                )
        lines = []
        for sequence, (code, weight, fallback) in enumerate(REP_KPIS):
            if code not in kpis:
                continue
            seen = sums[code]
            average = sum(seen) / len(seen) if seen else fallback
            factor = 0.9 if kpis[code].direction == "lower" else 1.1
            target = average * factor
            if kpis[code].unit == "percent":
                target = min(target, 100.0)
            digits = -3 if target >= 10000 else (-2 if target >= 1000 else 0)
            lines.append(
                {
                    "sequence": sequence,
                    "kpi_id": kpis[code].id,
                    "weight": weight,
                    "target": max(round(target, digits), 1.0),
                    "cap": 150.0,
                }
            )
        # the weights of the KPIs found still add up to 100
        missing = 100 - sum(line["weight"] for line in lines)
        lines[0]["weight"] += missing
        template = env["sfa.scorecard.template"].create(
            {
                "name": env._("Sales Reps"),
                "role": "rep",
                "company_id": company.id,
                "line_ids": [(0, 0, line) for line in lines],
            }
        )
        env["ir.model.data"]._update_xmlids(
            [{"xml_id": TEMPLATE_XMLID, "record": template, "noupdate": True}]
        )
        return template
