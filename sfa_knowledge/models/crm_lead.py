from odoo import api, fields, models
from odoo.fields import Domain


class CrmLead(models.Model):
    _inherit = "crm.lead"

    sfa_guidance_count = fields.Integer(
        "Guidance", compute="_compute_sfa_guidance_count"
    )

    def _sfa_guidance_domain(self):
        """Published articles for the deal's stage or one of its products,
        in the reader's language (or for every language), among those the
        user may read (the article rule does the rest)."""
        self.ensure_one()
        products = self.sfa_line_ids.product_id.product_tmpl_id
        return (
            Domain("state", "=", "published")
            & Domain("in_my_language", "=", True)
            & (
                Domain("stage_ids", "in", self.stage_id.ids)
                | Domain("product_ids", "in", products.ids)
            )
        )

    @api.depends_context("uid")
    @api.depends("stage_id", "sfa_line_ids.product_id")
    def _compute_sfa_guidance_count(self):
        Article = self.env["sfa.knowledge.article"]
        if not Article.has_access("read"):
            self.sfa_guidance_count = 0
            return
        for lead in self:
            lead.sfa_guidance_count = (
                Article.search_count(lead._sfa_guidance_domain()) if lead.id else 0
            )

    @api.readonly
    def action_sfa_guidance(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sfa_knowledge.action_sfa_knowledge_guidance"
        )
        action["domain"] = list(self._sfa_guidance_domain())
        action["display_name"] = self.env._("Guidance for %s", self.name)
        return action
