from odoo import api, fields, models


class SfaKnowledgeCategory(models.Model):
    _name = "sfa.knowledge.category"
    _description = "Knowledge Category"
    _sfa_shared_configuration = True
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name, id"

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(
        compute="_compute_complete_name", store=True, recursive=True
    )
    parent_id = fields.Many2one(
        "sfa.knowledge.category", "Parent Category", ondelete="restrict", index=True
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("sfa.knowledge.category", "parent_id", "Subcategories")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    article_ids = fields.One2many("sfa.knowledge.article", "category_id")
    article_count = fields.Integer(compute="_compute_article_count")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            category.complete_name = (
                f"{category.parent_id.complete_name} / {category.name}"
                if category.parent_id
                else category.name
            )

    def _compute_article_count(self):
        counts = dict(
            self.env["sfa.knowledge.article"]._read_group(
                [("category_id", "child_of", self.ids)], ["category_id"], ["__count"]
            )
        )
        for category in self:
            category.article_count = sum(
                count
                for child, count in counts.items()
                if f"/{category.id}/" in f"/{child.parent_path}"
            )
