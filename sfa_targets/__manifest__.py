{
    "name": "SFA Targets",
    "summary": "Target plans decomposed over the sales organization and over "
    "time, with set-based actuals and attainment",
    "version": "19.0.1.1.0",
    "category": "Sales/CRM",
    "author": "Odoo SFA",
    "website": "https://github.com/odoo-sfa/odoo-sfa",
    "license": "LGPL-3",
    "depends": ["sfa_base", "sale_crm"],
    "data": [
        "security/sfa_targets_security.xml",
        "security/ir.model.access.csv",
        "data/sfa_fact_data.xml",
        "data/ir_cron_data.xml",
        "wizard/sfa_target_decompose_views.xml",
        "views/sfa_target_line_views.xml",
        "views/sfa_target_plan_views.xml",
        "views/sfa_targets_menus.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": [
        "demo/sfa_targets_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "sfa_targets/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
