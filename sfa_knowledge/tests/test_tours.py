from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestGuidanceTour(HttpCase):
    """A rep opens an opportunity, clicks Guidance and reads the article for
    its stage; the directors' article for the same stage is not listed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.rep = new_test_user(
            env, login="tour_kb_rep", groups="sfa_base.group_sfa_rep", name="KB Rep"
        )
        proposal = env.ref("crm.stage_lead3")
        cls.lead = env["crm.lead"].create(
            {
                "name": "Tour KB deal",
                "type": "opportunity",
                "user_id": cls.rep.id,
                "stage_id": proposal.id,
            }
        )
        Article = env["sfa.knowledge.article"]
        cls.article = Article.create(
            {
                "name": "Tour: answering price objections",
                "summary": "Value first",
                "body": "<p>Reframe the price as the cost of the problem.</p>",
                "state": "published",
                "stage_ids": [(6, 0, proposal.ids)],
            }
        )
        Article.create(
            {
                "name": "Tour: directors' pricing strategy",
                "tier": "director",
                "state": "published",
                "stage_ids": [(6, 0, proposal.ids)],
            }
        )

    def test_rep_reads_guidance(self):
        self.start_tour(
            f"/odoo/crm/{self.lead.id}",
            "sfa_knowledge_guidance_tour",
            login="tour_kb_rep",
        )
        self.assertEqual(self.article.view_count, 1, "the rep's read was counted")
