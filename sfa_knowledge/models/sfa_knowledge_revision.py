from odoo import fields, models


class SfaKnowledgeRevision(models.Model):
    """A version of an article's title and body: who saved it, when, what
    changed. Restoring one writes it back as a new revision."""

    _name = "sfa.knowledge.revision"
    _description = "Knowledge Article Revision"
    _sfa_system_records = True
    _order = "article_id, id desc"

    article_id = fields.Many2one(
        "sfa.knowledge.article", required=True, ondelete="cascade", index=True
    )
    name = fields.Char("Title", readonly=True)
    body = fields.Html(readonly=True)
    note = fields.Char("Change", readonly=True)
    author_id = fields.Many2one("res.users", "Saved By", readonly=True)
    create_date = fields.Datetime("Saved On", readonly=True)

    def action_restore(self):
        """Bring this version back: the article's title and body become this
        revision's, recorded as a new revision."""
        self.ensure_one()
        article = self.article_id
        article.check_access("write")
        Revision = self.sudo()  # sudo: revisions are the system's record
        last = Revision.search([("article_id", "=", article.id)], limit=1)
        article.write({"name": self.name, "body": self.body})
        Revision.search(
            [("article_id", "=", article.id), ("id", ">", last.id or 0)]
        ).write(
            {
                "note": self.env._(
                    "Restored the version of %s",
                    fields.Datetime.to_string(self.create_date),
                )
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": article._name,
            "res_id": article.id,
            "views": [(False, "form")],
        }
