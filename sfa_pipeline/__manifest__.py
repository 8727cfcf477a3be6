{
    "name": "SFA Pipeline",
    "summary": "Action records and schedules, stage playbooks, stage history and "
    "analytics, stagnation alerts, pipeline snapshots and forecast",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "author": "Odoo SFA",
    "website": "https://github.com/odoo-sfa/odoo-sfa",
    "license": "LGPL-3",
    "depends": ["sfa_base", "calendar"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/sfa_pipeline_security.xml",
        "security/ir.model.access.csv",
        "views/sfa_stage_history_views.xml",
        "report/sfa_stage_analysis_views.xml",
        "views/crm_lead_views.xml",
        "views/sfa_pipeline_menus.xml",
    ],
    "demo": [],
    "assets": {
        "web.assets_tests": [
            "sfa_pipeline/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "_sfa_pipeline_post_init",
    "installable": True,
}
