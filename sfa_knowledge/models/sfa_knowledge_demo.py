"""Demo articles for sfa_base's demo organization, across the four tiers,
in English and in Chinese, linked to CRM stages, one restricted to the
North region and one to a team; one draft, one in review and one due for
review. Loaded from ``demo/sfa_knowledge_demo.xml``."""

import logging
from datetime import timedelta

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

ORG_XMLID = "sfa_base.demo_user_director"
FIRST_XMLID = "sfa_knowledge.demo_article_qualify"

# xml id suffix, title, summary, category, tier, stages, owner, state, extra
ARTICLES = [
    (
        "qualify",
        "Qualifying a new lead in ten minutes",
        "Budget, authority, need and timing: the four questions to ask first.",
        "playbooks",
        "all",
        ["crm.stage_lead1"],
        "manager1",
        "published",
        {},
    ),
    (
        "price_objection",
        "Handling price objections",
        "Reframe on value, trade rather than give, and never discount first.",
        "objections",
        "all",
        ["crm.stage_lead3"],
        "manager1",
        "published",
        {},
    ),
    (
        "price_objection_zh",
        "如何处理客户的价格异议",
        "先讲价值，再谈条件：以交换代替让步，绝不主动打折。",
        "objections",
        "all",
        ["crm.stage_lead3"],
        "manager2",
        "published",
        {},
    ),
    (
        "visit_zh",
        "客户拜访准备清单",
        "拜访前确认目标、决策人、上次承诺和下一步行动。",
        "playbooks",
        "all",
        ["crm.stage_lead2"],
        "manager2",
        "published",
        {},
    ),
    (
        "north_key_accounts",
        "North region: key account rules",
        "Who signs, how often to visit and which discounts need approval in the North.",
        "playbooks",
        "all",
        ["crm.stage_lead2", "crm.stage_lead3"],
        "manager1",
        "published",
        {"territory": "sfa_base.demo_territory_north"},
    ),
    (
        "pipeline_review",
        "Coaching reps in the weekly pipeline review",
        "Three questions per deal and how to follow up stuck opportunities.",
        "management",
        "supervisor",
        [],
        "manager1",
        "published",
        {"review_overdue": True},
    ),
    (
        "pipeline_review_zh",
        "督导周例会：如何辅导销售代表",
        "每个商机问三个问题，并跟进停滞的商机。",
        "management",
        "supervisor",
        [],
        "manager2",
        "published",
        {"team": "sfa_base.demo_team_south_east"},
    ),
    (
        "discount_approval",
        "Approving discounts above 15 %",
        "When a manager approves, what to ask for in return, and how to record it.",
        "management",
        "manager",
        ["crm.stage_lead3"],
        "director",
        "published",
        {},
    ),
    (
        "target_setting",
        "Setting annual targets with seasonality",
        "Split the company target top-down with last year's months as weights.",
        "management",
        "director",
        ["crm.stage_lead3"],
        "director",
        "published",
        {},
    ),
    (
        "target_setting_zh",
        "年度目标分解与季节性",
        "按去年各月实绩为权重，自上而下分解公司目标。",
        "management",
        "director",
        [],
        "director",
        "published",
        {},
    ),
    (
        "demo_script",
        "Product demo script (draft)",
        "A fifteen-minute demo that follows the customer's own process.",
        "playbooks",
        "all",
        ["crm.stage_lead2"],
        "rep1",
        "draft",
        {},
    ),
    (
        "closing_checklist",
        "Closing checklist",
        "Everything to confirm before asking for the signature.",
        "playbooks",
        "all",
        ["crm.stage_lead3"],
        "supervisor1",
        "in_review",
        {},
    ),
]
CATEGORIES = {
    "playbooks": "Sales Playbooks",
    "objections": "Objection Handling",
    "management": "Sales Management",
}
BODY = (
    "<h2>{title}</h2><p>{summary}</p>"
    "<ul><li>{step1}</li><li>{step2}</li><li>{step3}</li></ul>"
)
STEPS = {
    "en": (
        "Prepare before the call.",
        "Listen more than you talk.",
        "Agree on a next step.",
    ),
    "zh": ("通话前做好准备。", "多听少说。", "约定下一步行动。"),
}


class SfaKnowledgeArticle(models.Model):
    _inherit = "sfa.knowledge.article"

    @api.model
    def _sfa_generate_demo(self):
        """Create the demo articles once (called from demo data only)."""
        if not self.env.ref(ORG_XMLID, raise_if_not_found=False):
            return False
        if self.env.ref(FIRST_XMLID, raise_if_not_found=False):
            return False
        env = self.env(context=dict(self.env.context, tracking_disable=True))
        root = env["sfa.knowledge.category"].create({"name": "Sales Knowledge"})
        categories = {
            key: env["sfa.knowledge.category"].create(
                {"name": name, "parent_id": root.id}
            )
            for key, name in CATEGORIES.items()
        }
        tags = {
            name: env["sfa.knowledge.tag"].create({"name": name})
            for name in ("Playbook", "Negotiation", "Coaching", "中文")
        }
        today = fields.Date.context_today(self)
        langs = {
            lang.code: lang.id
            for lang in env["res.lang"]
            .with_context(active_test=False)
            .search([("code", "in", ("en_US", "zh_CN"))])
        }
        xmlids = []
        for (
            key,
            title,
            summary,
            category,
            tier,
            stages,
            owner,
            state,
            extra,
        ) in ARTICLES:
            chinese = key.endswith("_zh")
            steps = STEPS["zh" if chinese else "en"]
            values = {
                "name": title,
                "summary": summary,
                "body": BODY.format(
                    title=title,
                    summary=summary,
                    step1=steps[0],
                    step2=steps[1],
                    step3=steps[2],
                ),
                "lang_id": langs.get("zh_CN" if chinese else "en_US", False),
                "category_id": categories[category].id,
                "tier": tier,
                "stage_ids": [(6, 0, [env.ref(xmlid).id for xmlid in stages])],
                "tag_ids": [
                    (
                        6,
                        0,
                        [
                            tags[
                                "Coaching"
                                if category == "management"
                                else "Negotiation"
                                if category == "objections"
                                else "Playbook"
                            ].id,
                            *([tags["中文"].id] if chinese else []),
                        ],
                    )
                ],
                "owner_id": env.ref(f"sfa_base.demo_user_{owner}").id,
                "state": state,
                "review_date": today - timedelta(days=3)
                if extra.get("review_overdue")
                else today + timedelta(days=180),
            }
            if state == "published":
                values["date_published"] = fields.Datetime.now()
            if extra.get("territory"):
                values["territory_ids"] = [(6, 0, [env.ref(extra["territory"]).id])]
            if extra.get("team"):
                values["team_ids"] = [(6, 0, [env.ref(extra["team"]).id])]
            article = self.create(values)
            xmlids.append(
                {
                    "xml_id": f"sfa_knowledge.demo_article_{key}",
                    "record": article,
                    "noupdate": True,
                }
            )
        env["ir.model.data"]._update_xmlids(xmlids)
        reminded = self._cron_review_reminders()
        _logger.info(
            "SFA knowledge demo: %s articles, %s review to-dos",
            len(xmlids),
            len(reminded),
        )
        return True
