from odoo.addons.sfa_base.tests.common import SfaCase


class KnowledgeCase(SfaCase):
    """SfaCase's sales force with a sales team (rep_b is its only member)
    and helpers to write articles."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.Article = env["sfa.knowledge.article"]
        cls.team_x = env["crm.team"].create({"name": "Team X", "user_id": False})
        env["crm.team.member"].create(
            {"crm_team_id": cls.team_x.id, "user_id": cls.rep_b.id}
        )
        cls.stage_new = env.ref("crm.stage_lead1")
        cls.stage_proposal = env.ref("crm.stage_lead3")

    @classmethod
    def article(cls, name, **values):
        return cls.Article.create({"name": name, "owner_id": cls.director.id, **values})
