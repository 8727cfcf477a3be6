from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestAttachmentDownload(HttpCase):
    """Downloading an article's attachment over HTTP: its readers get the
    file, a rep below the article's tier, a portal user and a visitor do
    not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.rep = new_test_user(env, login="kb_dl_rep", groups="sfa_base.group_sfa_rep")
        cls.manager = new_test_user(
            env, login="kb_dl_manager", groups="sfa_base.group_sfa_manager"
        )
        new_test_user(env, login="kb_dl_portal", groups="base.group_portal")
        Article = env["sfa.knowledge.article"]
        cls.files = {}
        for tier in ("all", "manager"):
            article = Article.create(
                {"name": f"Download {tier}", "tier": tier, "state": "published"}
            )
            cls.files[tier] = env["ir.attachment"].create(
                {
                    "name": f"{tier}.txt",
                    "raw": f"content for {tier}".encode(),
                    "res_model": article._name,
                    "res_id": article.id,
                }
            )
        # a portal contact cannot be made a follower either
        portal_partner = (
            env["res.users"].search([("login", "=", "kb_dl_portal")]).partner_id
        )
        article.message_subscribe(portal_partner.ids)
        cls.portal_follows = portal_partner in article.message_partner_ids

    def download(self, tier):
        return self.url_open(f"/web/content/{self.files[tier].id}?download=true")

    def test_download_per_user(self):
        cases = {
            "kb_dl_rep": {"all": True, "manager": False},
            "kb_dl_manager": {"all": True, "manager": True},
            "kb_dl_portal": {"all": False, "manager": False},
            None: {"all": False, "manager": False},
        }
        for login, expected in cases.items():
            if login:
                self.authenticate(login, login)
            else:
                self.logout()
            for tier, allowed in expected.items():
                with self.subTest(user=login, tier=tier):
                    response = self.download(tier)
                    if allowed:
                        self.assertEqual(response.status_code, 200)
                        self.assertEqual(
                            response.content, f"content for {tier}".encode()
                        )
                    else:
                        self.assertNotEqual(
                            response.content, f"content for {tier}".encode()
                        )
                        self.assertIn(response.status_code, (403, 404))
        self.assertFalse(self.portal_follows)
