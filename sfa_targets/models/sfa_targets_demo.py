"""A decomposed yearly plan for sfa_base's demo organization.

Loaded from ``demo/sfa_targets_demo.xml``: this year's plan gives the company
a won-revenue target (the last twelve months' plus 15 %, or 2 million without
history) split down the territory tree by headcount, each city's target over
the reps who work it (a rep covering two cities holds their quota in
the one where they won most), and each rep's over the months in equal
shares; and a
new-customers target split over the regions by headcount. The plan is
confirmed and its actuals refreshed, so *My Targets* shows progress for
every demo rep.
"""

import logging
from collections import defaultdict

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

ORG_XMLID = "sfa_base.demo_user_director"
PLAN_XMLID = "sfa_targets.demo_plan_this_year"


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _sfa_targets_generate_demo(self):
        """Build the demo plan once (called from demo data only)."""
        if not self.env.ref(ORG_XMLID, raise_if_not_found=False):
            return False
        if self.env.ref(PLAN_XMLID, raise_if_not_found=False):
            return False
        env = self.env(context=dict(self.env.context, tracking_disable=True))
        company = env.ref(ORG_XMLID).company_id
        today = fields.Date.context_today(self)
        start, end = today.replace(month=1, day=1), today.replace(month=12, day=31)
        plan = env["sfa.target.plan"].create(
            {
                "name": env._("%s Sales Plan", start.year),
                "company_id": company.id,
                "date_from": start,
                "date_to": end,
            }
        )
        env["ir.model.data"]._update_xmlids(
            [{"xml_id": PLAN_XMLID, "record": plan, "noupdate": True}]
        )
        Line = env["sfa.target.line"]
        # the demo's deals span the twelve months up to today: aim 15 % above
        trailing = [
            (
                0,
                "company",
                company.id,
                company.id,
                today.replace(year=today.year - 1),
                today,
            )
        ]
        won = Line._sfa_metric_actuals("won_revenue", trailing).get(0, 0)
        new = Line._sfa_metric_actuals("new_customers", trailing).get(0, 0)
        revenue = Line.create(
            {
                "plan_id": plan.id,
                "owner_type": "company",
                "metric": "won_revenue",
                "date_from": start,
                "date_to": end,
                "target_value": round(won * 1.15, -3) or 2_000_000,
                "stretch_value": round(won * 1.3, -3) or 2_500_000,
            }
        )
        homes = self._sfa_demo_homes(company, today.replace(year=today.year - 1))
        self._sfa_demo_split_down(revenue, homes)
        customers = Line.create(
            {
                "plan_id": plan.id,
                "owner_type": "company",
                "metric": "new_customers",
                "date_from": start,
                "date_to": end,
                "target_value": round(new * 1.1) or 60,
            }
        )
        self._sfa_demo_split(customers, owner_type="territory", org_method="equal")
        for country in customers.child_ids:
            self._sfa_demo_split(
                country, owner_type="territory", org_method="headcount"
            )
        plan.action_confirm()
        plan.action_refresh_actuals()
        _logger.info("SFA targets demo: %s targets in %s", plan.line_count, plan.name)
        return True

    @api.model
    def _sfa_demo_split(self, line, skip=(), weights=None, **values):
        """Split ``line`` with the wizard, leaving out the owners in ``skip``;
        ``weights`` ({owner: weight}) for a split by weights."""
        wizard = self.env["sfa.target.decompose"].create({"line_id": line.id, **values})
        wizard.child_ids.filtered(lambda child: child.owner_id in skip).unlink()
        if weights and wizard.child_ids:
            total = sum(weights.get(child.owner_id, 0) for child in wizard.child_ids)
            for child in wizard.child_ids:
                child.weight = 100.0 * weights.get(child.owner_id, 0) / total
        if wizard.child_ids:
            wizard.action_apply()
        return line.child_ids

    @api.model
    def _sfa_demo_homes(self, company, since):
        """{rep: city}: the city each demo rep works, where they won most
        since ``since`` (their first city if they won nothing). A person has
        one target per metric and period, so a rep covering two cities holds
        their quota in the one they work."""
        won = defaultdict(float)
        for user, territory, amount in (
            self.env["sfa.fact"]
            .sudo()
            ._read_group(
                [
                    ("metric", "=", "won_revenue"),
                    ("company_id", "=", company.id),
                    ("date", ">=", since),
                    ("territory_id", "!=", False),
                ],
                ["user_id", "territory_id"],
                ["amount:sum"],
            )
        ):
            won[user.id, territory.id] += amount
        cities = self.env["sfa.territory"].search(
            [("company_id", "=", company.id), ("child_ids", "=", False)]
        )
        homes = {}
        for city in cities:
            for rep in city.member_ids:
                best = homes.get(rep.id)
                if best is None or won[rep.id, city.id] > won[rep.id, best]:
                    homes[rep.id] = city.id
        return homes

    @api.model
    def _sfa_demo_split_down(self, line, homes):
        """Territories over their sub-territories by the reps who work there
        (``homes``), cities over those reps equally, reps over the months
        equally. Territories where no rep works get no quota: their wins show
        as outside the split of the territory above."""
        if line.owner_type == "user":
            self._sfa_demo_split(
                line, split_by="time", period="month", time_method="equal"
            )
            return
        territory = line.territory_id
        worked = self.env["sfa.territory"].browse(set(homes.values()))
        if line.owner_type == "company" or territory.child_ids:
            reps = {
                child.id: sum(
                    1
                    for city in homes.values()
                    if worked.browse(city).parent_path.startswith(child.parent_path)
                )
                for child in territory.child_ids
            }
            children = self._sfa_demo_split(
                line,
                skip=[tid for tid, count in reps.items() if not count],
                weights=reps,
                owner_type="territory",
                org_method="weights" if territory else "headcount",
            )
        else:
            elsewhere = territory.member_ids.filtered(
                lambda rep: homes.get(rep.id) != territory.id
            )
            children = self._sfa_demo_split(
                line, skip=elsewhere.ids, owner_type="user", org_method="equal"
            )
        for child in children:
            self._sfa_demo_split_down(child, homes)
