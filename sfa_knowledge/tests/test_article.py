from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import KnowledgeCase

DANGEROUS = (
    "<p>Call the buyer.</p>"
    "<script>alert('x')</script>"
    '<img src="x.png" onerror="alert(1)">'
    '<a href="javascript:alert(2)" onclick="steal()">link</a>'
    '<iframe src="https://example.com"></iframe>'
)


@tagged("post_install", "-at_install")
class TestKnowledgeArticle(KnowledgeCase):
    def test_body_is_sanitized_on_save(self):
        for env_user, article in (
            ("manager", self.Article.with_user(self.manager).create({"name": "S1"})),
            ("superuser", self.Article.sudo().create({"name": "S2"})),
        ):
            article.write({"body": DANGEROUS})
            body = str(article.body)
            with self.subTest(user=env_user):
                self.assertIn("Call the buyer.", body)
                self.assertIn("<img", body)
                for bad in (
                    "<script",
                    "alert(",
                    "onerror",
                    "onclick",
                    "javascript:",
                    "<iframe",
                ):
                    self.assertNotIn(bad, body)
        created = self.Article.with_user(self.rep_a).create(
            {"name": "S3", "body": DANGEROUS}
        )
        self.assertNotIn("<script", str(created.body))
        self.assertNotIn("alert(", created.search_text)

    def test_revisions_and_restore(self):
        article = self.Article.with_user(self.manager).create(
            {"name": "Objections", "body": "<p>First version</p>"}
        )
        article.write({"body": "<p>Second version</p>"})
        article.write({"name": "Price objections"})
        article.write({"summary": "no new revision for the summary"})
        revisions = article.revision_ids
        self.assertEqual(len(revisions), 3)
        first = revisions.sorted("id")[0]
        self.assertEqual(first.author_id, self.manager)
        self.assertEqual(first.note, "Created")
        self.assertEqual(revisions.sorted("id")[1].note, "Changed: Body")
        first.with_user(self.manager).action_restore()
        self.assertEqual(str(article.body), "<p>First version</p>")
        self.assertEqual(article.name, "Objections")
        self.assertEqual(len(article.revision_ids), 4)
        self.assertTrue(
            article.revision_ids.sorted("id")[-1].note.startswith("Restored")
        )
        # a reader of the published article neither sees nor restores history
        article.action_publish()
        self.assertEqual(
            article.with_user(self.rep_a).search([("id", "=", article.id)]), article
        )
        self.assertFalse(
            self.env["sfa.knowledge.revision"]
            .with_user(self.rep_a)
            .search([("article_id", "=", article.id)])
        )
        with self.assertRaises(AccessError):
            first.with_user(self.rep_a).action_restore()

    def test_workflow(self):
        article = self.Article.with_user(self.rep_a).create({"name": "Visit tips"})
        self.assertEqual(article.state, "draft")
        # the author cannot publish, by button or by a direct write
        with self.assertRaises(AccessError):
            article.action_publish()
        with self.assertRaises(AccessError):
            article.write({"state": "published"})
        article.action_submit()
        with self.assertRaises(UserError):
            article.action_submit()
        # a supervisor does not publish either
        with self.assertRaises(AccessError):
            article.with_user(self.supervisor).action_publish()
        # the manager of the author's territory does
        with freeze_time("2026-03-02 09:00:00"):
            article.with_user(self.manager).action_publish()
        self.assertEqual(article.state, "published")
        self.assertEqual(article.published_by_id, self.manager)
        self.assertEqual(str(article.date_published), "2026-03-02 09:00:00")
        self.assertIn(article, self.Article.with_user(self.rep_c).search([]))
        article.with_user(self.manager).action_archive_article()
        self.assertNotIn(article, self.Article.with_user(self.rep_c).search([]))
        self.assertNotIn(article, self.Article.with_user(self.manager_2).search([]))
        # a manager outside the article's scope cannot publish it
        south = self.article(
            "South only", state="in_review", territory_ids=[(6, 0, self.t_south.ids)]
        )
        with self.assertRaises(AccessError):
            south.with_user(self.manager).action_publish()
        south.with_user(self.manager_2).action_publish()
        self.assertEqual(south.state, "published")

    def test_review_reminder(self):
        article = self.article(
            "Pricing policy", state="published", review_date=date(2026, 5, 1)
        )
        later = self.article("Later", state="published", review_date=date(2026, 9, 1))
        self.article("Draft", review_date=date(2026, 5, 1))
        with freeze_time("2026-05-02"):
            reminded = self.Article._cron_review_reminders()
            self.assertEqual(reminded, article)
            self.assertFalse(self.Article._cron_review_reminders(), "only once")
        activity = article.activity_ids
        self.assertEqual(activity.user_id, self.director)
        self.assertEqual(activity.date_deadline, date(2026, 5, 1))
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("sfa_knowledge.mail_activity_type_review"),
        )
        self.assertFalse(later.activity_ids)
        # publishing again after the review closes the to-do
        article.action_back_to_draft()
        article.action_publish()
        self.assertFalse(article.activity_ids)

    def test_one_helpful_vote_per_user(self):
        article = self.article("Helpful", state="published")
        article.with_user(self.rep_a).action_mark_helpful()
        article.with_user(self.rep_b).action_mark_helpful()
        self.assertEqual(article.with_user(self.rep_a).helpful_count, 2)
        self.assertTrue(article.with_user(self.rep_a).voted)
        # a second click takes the vote back
        article.with_user(self.rep_a).action_mark_helpful()
        self.assertEqual(article.with_user(self.rep_b).helpful_count, 1)
        self.assertFalse(article.with_user(self.rep_a).voted)
        # the database refuses a second vote of the same user
        self.env["sfa.knowledge.vote"].create(
            {"article_id": article.id, "user_id": self.rep_c.id}
        )
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.env["sfa.knowledge.vote"].create(
                    {"article_id": article.id, "user_id": self.rep_c.id}
                )
        # nobody votes on what they cannot read
        secret = self.article("Secret", state="published", tier="director")
        with self.assertRaises(AccessError):
            secret.with_user(self.rep_a).action_mark_helpful()

    def test_views_count_readers_once_a_day(self):
        article = self.article("Read me", state="published")
        with freeze_time("2026-04-01 10:00:00"):
            article.with_user(self.rep_a).action_register_view()
            article.with_user(self.rep_a).action_register_view()
            article.with_user(self.rep_b).action_register_view()
        with freeze_time("2026-04-02 10:00:00"):
            article.with_user(self.rep_a).action_register_view()
        article.invalidate_recordset(["view_count"])
        self.assertEqual(article.view_count, 3)
        secret = self.article("Secret", state="published", tier="director")
        with self.assertRaises(AccessError):
            secret.with_user(self.rep_a).action_register_view()
        secret.invalidate_recordset(["view_count"])
        self.assertEqual(secret.view_count, 0)

    def test_system_fields_refused_over_rpc(self):
        """Views and publication are not for hand edits, even by the author
        of a draft or a manager: the form's read-only is not the guard."""
        mine = self.Article.with_user(self.rep_a).create({"name": "Mine"})
        for vals in (
            {"view_count": 999},
            {"date_published": "2026-01-01 00:00:00"},
            {"published_by_id": self.director.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                mine.write(vals)
        with self.assertRaises(AccessError):
            self.Article.with_user(self.rep_a).create({"name": "X", "view_count": 5})
        published = self.article("Published", state="in_review")
        with self.assertRaises(AccessError):
            published.with_user(self.manager).write({"view_count": 999})
        published.invalidate_recordset()
        self.assertEqual((mine.view_count, published.view_count), (0, 0))

    def test_no_context_key_unlocks_the_system_fields(self):
        """The publish button used a context key to write the publication
        stamps: an author who sent it set them, and the view count."""
        mine = self.Article.with_user(self.rep_a).with_context(
            sfa_knowledge_system=True
        )
        with self.assertRaises(AccessError):
            mine.create({"name": "Popular", "view_count": 5000})
        article = mine.create({"name": "Mine"})
        for vals in (
            {"view_count": 999},
            {"date_published": "2026-01-01 00:00:00"},
            {"published_by_id": self.director.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                article.write(vals)
        created = mine.with_context(
            default_view_count=777, default_published_by_id=self.director.id
        ).create({"name": "Defaults"})
        self.assertEqual((created.view_count, created.published_by_id.id), (0, False))

    def test_the_revision_note_is_the_systems(self):
        """A note sent in the context used to be written in the history as
        what happened (e.g. "Restored ..." for an ordinary edit)."""
        article = self.Article.with_user(self.manager).create({"name": "Notes"})
        article.with_context(sfa_revision_note="Approved by legal").write(
            {"name": "Notes 2"}
        )
        self.assertEqual(article.revision_ids.sorted("id")[-1].note, "Changed: Title")
        with self.assertRaises(AccessError):
            article.revision_ids[:1].with_user(self.manager).write({"note": "x"})

    def test_attachments_uploaded_and_linked(self):
        Attachment = self.env["ir.attachment"]
        upload = Attachment.with_user(self.rep_a).create(
            {"name": "pitch.pdf", "raw": b"pitch", "res_model": "sfa.knowledge.article"}
        )
        article = self.Article.with_user(self.rep_a).create(
            {"name": "With file", "attachment_ids": [(6, 0, upload.ids)]}
        )
        self.assertEqual((upload.res_model, upload.res_id), (article._name, article.id))
        # another document's file is not taken over, even by the author
        invoice_file = Attachment.create(
            {
                "name": "confidential.pdf",
                "raw": b"secret",
                "res_model": "res.partner",
                "res_id": self.cust_c.id,
            }
        )
        with self.assertRaises(AccessError):
            article.write({"attachment_ids": [(4, invoice_file.id)]})
        self.assertEqual(
            (invoice_file.res_model, invoice_file.res_id),
            ("res.partner", self.cust_c.id),
        )
        self.assertEqual(article.attachment_ids, upload)

    def test_category_tree(self):
        Category = self.env["sfa.knowledge.category"]
        root = Category.create({"name": "Sales"})
        child = Category.create({"name": "Objections", "parent_id": root.id})
        self.assertEqual(child.complete_name, "Sales / Objections")
        self.article("In child", category_id=child.id)
        self.article("In root", category_id=root.id)
        self.assertEqual((root.article_count, child.article_count), (2, 1))
        with self.assertRaises(UserError):
            root.parent_id = child
