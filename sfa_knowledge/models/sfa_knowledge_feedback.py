from odoo import fields, models


class SfaKnowledgeVote(models.Model):
    """A user found an article helpful: one vote per user and article."""

    _name = "sfa.knowledge.vote"
    _description = "Knowledge Helpful Vote"
    _sfa_system_records = True
    _rec_name = "article_id"

    article_id = fields.Many2one(
        "sfa.knowledge.article", required=True, ondelete="cascade", index=True
    )
    user_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", default=lambda s: s.env.uid
    )

    _one_vote = models.Constraint(
        "UNIQUE (article_id, user_id)", "A user finds an article helpful once."
    )


class SfaKnowledgeView(models.Model):
    """A user read an article on a day: the memory behind the view count."""

    _name = "sfa.knowledge.view"
    _description = "Knowledge Article Read"
    _sfa_system_records = True
    _log_access = False
    _rec_name = "article_id"

    article_id = fields.Many2one(
        "sfa.knowledge.article", required=True, ondelete="cascade", index=True
    )
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade")
    date = fields.Date(required=True)

    _one_a_day = models.Constraint(
        "UNIQUE (article_id, user_id, date)", "A reader counts once a day."
    )
