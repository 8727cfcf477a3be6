from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.sfa_base.tests.common import SfaCase


@tagged("post_install", "-at_install")
class TestStagnation(SfaCase):
    """Deals A, B (supervisor's reps) and C (manager 2's rep) stuck for 10 days
    in a stage that rots after 5; rep A also has a deal moved 2 days ago."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo's rotting compares with the database's clock, not freezegun's
        cls.now = cls.env.cr.now()
        cls.stage = cls.env["crm.stage"].create(
            {"name": "Waiting Signature", "sequence": 150, "rotting_threshold_days": 5}
        )
        cls.lead_fresh = cls.env["crm.lead"].create(
            {
                "name": "Deal A2",
                "type": "opportunity",
                "user_id": cls.rep_a.id,
                "partner_id": cls.cust_a.id,
            }
        )
        stuck = cls.lead_a | cls.lead_b | cls.lead_c | cls.lead_free
        (stuck | cls.lead_fresh).stage_id = cls.stage
        # Odoo dates stage changes with the database's clock: age them by hand
        stuck.date_last_stage_update = cls.now - timedelta(days=10)
        cls.lead_fresh.date_last_stage_update = cls.now - timedelta(days=2)
        cls.Digest = cls.env["sfa.stuck.digest"]

    def send(self, day=0):
        with freeze_time(self.now + timedelta(days=day)):
            return self.Digest._cron_send_digests()

    def digest(self, digests, user, kind):
        return digests.filtered(lambda d: d.user_id == user and d.kind == kind)

    def mail(self, digest):
        return self.env["mail.mail"].search(
            [("model", "=", "sfa.stuck.digest"), ("res_id", "=", digest.id)]
        )

    def test_each_owner_gets_their_stuck_deals_only(self):
        digests = self.send()
        for user, lead in (
            (self.rep_a, self.lead_a),
            (self.rep_b, self.lead_b),
            (self.rep_c, self.lead_c),
        ):
            digest = self.digest(digests, user, "owner")
            self.assertEqual(digest.lead_ids, lead, user.name)
            mail = self.mail(digest)
            self.assertEqual(len(mail), 1)
            self.assertEqual(mail.recipient_ids, user.partner_id)
            self.assertIn(lead.name, mail.body_html)
            self.assertIn("Waiting Signature", mail.body_html)
            self.assertIn("1 stuck opportunities", mail.subject)
        body = self.mail(self.digest(digests, self.rep_a, "owner")).body_html
        self.assertNotIn("Deal B", body, "not a colleague's deal")
        self.assertNotIn("Deal A2", body, "moved 2 days ago: not stuck yet")

    def test_supervisor_gets_the_team_digest(self):
        digests = self.send()
        digest = self.digest(digests, self.supervisor, "supervisor")
        self.assertEqual(digest.lead_ids, self.lead_a | self.lead_b)
        mail = self.mail(digest)
        self.assertEqual(mail.recipient_ids, self.supervisor.partner_id)
        self.assertIn("Your team has 2 stuck opportunities", mail.subject)
        for text in ("Deal A", "Deal B", "Rep A", "Rep B"):
            self.assertIn(text, mail.body_html)
        self.assertNotIn("Deal C", mail.body_html, "another manager's rep")
        self.assertEqual(
            self.digest(digests, self.manager_2, "supervisor").lead_ids, self.lead_c
        )
        self.assertFalse(
            self.digest(digests, self.manager, "supervisor"),
            "the supervisor's manager is not mailed for their grand-reports",
        )
        self.assertNotIn(self.lead_free, digests.lead_ids, "an unowned deal")

    def test_second_run_the_same_day_sends_nothing(self):
        first = self.send()
        mails = self.env["mail.mail"].search_count([("model", "=", "sfa.stuck.digest")])
        self.assertFalse(self.send())
        self.assertEqual(
            self.env["mail.mail"].search_count([("model", "=", "sfa.stuck.digest")]),
            mails,
        )
        next_day = self.send(day=1)
        self.assertEqual(len(next_day), len(first), "still stuck the next day")

    def test_digests_are_not_for_reps_to_read(self):
        digest = self.digest(self.send(), self.rep_a, "owner")
        with self.assertRaises(AccessError):
            digest.with_user(self.rep_a).read(["lead_ids"])

    def test_stuck_deals_report_per_stage(self):
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sfa_pipeline.action_sfa_stuck_deals"
        )
        domain = safe_eval(action["domain"])
        Lead = self.env["crm.lead"]
        self.assertEqual(
            Lead.with_user(self.supervisor).search(domain)
            & (self.lead_a | self.lead_b | self.lead_c | self.lead_fresh),
            self.lead_a | self.lead_b,
        )
        self.assertEqual(
            Lead.with_user(self.rep_a).search(domain),
            self.lead_a | self.lead_free,
            "own deals and unowned ones, as in the pipeline",
        )
        groups = Lead._read_group(
            domain + [("id", "in", self.all_leads.ids)], ["stage_id"], ["__count"]
        )
        self.assertEqual(groups, [(self.stage, 4)])
