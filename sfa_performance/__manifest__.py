{
    "name": "SFA Performance",
    "summary": "Deal contribution credit, KPIs and weighted rep scorecards",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "author": "Odoo SFA",
    "website": "https://github.com/odoo-sfa/odoo-sfa",
    "license": "LGPL-3",
    "depends": ["sfa_pipeline", "sfa_targets", "account", "rating"],
    "data": [
        "security/sfa_performance_security.xml",
        "security/ir.model.access.csv",
        "data/sfa_kpi_data.xml",
        "views/sfa_kpi_views.xml",
        "views/sfa_scorecard_views.xml",
        "views/sfa_deal_credit_views.xml",
        "views/crm_lead_views.xml",
        "views/crm_stage_views.xml",
        "views/res_config_settings_views.xml",
        "views/sfa_performance_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "sfa_performance/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "_sfa_credit_existing_deals",
    "installable": True,
}
