"""Before 19.0.1.1.0 a KPI's source named a Python method; most KPIs are
now formulas over metrics that an administrator edits. The KPIs of those
sources get the formula their method computed."""

FORMULAS = {
    "won_revenue": "won_revenue",
    "new_customers": "new_customers",
    "orders": "orders",
    "visits": "done_visits",
    "deal_credit": "deal_credit",
    "win_rate": "100 * won_deals / (won_deals + lost_deals)",
    "avg_deal_size": "won_revenue / won_deals",
    "cycle_days": "won_cycle_days / won_deals",
    "action_adherence": "100 * on_time_actions / planned_actions",
    "call_minutes": "call_minutes / calls",
    "satisfaction": "rating_points / ratings",
}


def migrate(cr, version):
    for source, formula in FORMULAS.items():
        cr.execute(
            "UPDATE sfa_kpi SET source = 'formula', formula = %s WHERE source = %s",
            [formula, source],
        )
