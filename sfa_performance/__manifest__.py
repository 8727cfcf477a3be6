{
    "name": "SFA Performance",
    "summary": "KPIs, weighted rep scorecards, deal credit, customer value, alerts, "
    "exports and a team dashboard",
    "version": "19.0.1.1.0",
    "category": "Sales/CRM",
    "author": "Odoo SFA",
    "website": "https://github.com/odoo-sfa/odoo-sfa",
    "license": "LGPL-3",
    "depends": ["sfa_pipeline", "sfa_targets", "account", "rating", "sale_margin"],
    "data": [
        "security/sfa_performance_security.xml",
        "security/ir.model.access.csv",
        "data/sfa_fact_data.xml",
        "data/sfa_kpi_data.xml",
        "data/ir_cron_data.xml",
        "data/mail_template_data.xml",
        "views/sfa_kpi_views.xml",
        "views/sfa_scorecard_views.xml",
        "views/sfa_deal_credit_views.xml",
        "views/sfa_customer_value_views.xml",
        "views/sfa_performance_alert_views.xml",
        "views/sfa_performance_dashboard_views.xml",
        "views/crm_lead_views.xml",
        "views/crm_stage_views.xml",
        "views/res_config_settings_views.xml",
        "views/sfa_performance_menus.xml",
    ],
    "demo": [
        "demo/sfa_performance_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "sfa_performance/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "_sfa_credit_existing_deals",
    "installable": True,
}
