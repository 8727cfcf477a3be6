{
    "name": "SFA Knowledge",
    "summary": "Tiered sales knowledge base: articles by role, territory, team, "
    "stage and product, with review workflow, revisions and guidance on deals",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "author": "Odoo SFA",
    "website": "https://github.com/odoo-sfa/odoo-sfa",
    "license": "LGPL-3",
    "depends": ["sfa_pipeline", "product"],
    "data": [
        "security/sfa_knowledge_security.xml",
        "security/ir.model.access.csv",
        "data/mail_activity_type_data.xml",
        "data/ir_cron_data.xml",
        "views/sfa_knowledge_article_views.xml",
        "views/sfa_knowledge_category_views.xml",
        "views/sfa_knowledge_tag_views.xml",
        "views/crm_lead_views.xml",
        "views/sfa_knowledge_menus.xml",
    ],
    "demo": [
        "demo/sfa_knowledge_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "sfa_knowledge/static/src/**/*",
        ],
        "web.assets_tests": [
            "sfa_knowledge/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
