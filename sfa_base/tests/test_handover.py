from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import SfaCase


@tagged("post_install", "-at_install")
class TestHandover(SfaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead_a2 = cls.env["crm.lead"].create(
            {
                "name": "Deal A2",
                "type": "opportunity",
                "user_id": cls.rep_a.id,
                "partner_id": cls.cust_a.id,
            }
        )
        cls.lead_won = cls.env["crm.lead"].create(
            {
                "name": "Won A",
                "type": "opportunity",
                "user_id": cls.rep_a.id,
                "partner_id": cls.cust_a.id,
            }
        )
        cls.lead_won.action_set_won()
        cls.cust_a2 = cls.env["res.partner"].create(
            {
                "name": "Alpha Two",
                "is_company": True,
                "user_id": cls.rep_a.id,
                "zip": "59300",
            }
        )
        cls.lead_a.activity_schedule(
            "mail.mail_activity_data_call", user_id=cls.rep_a.id
        )
        cls.cust_a2.activity_schedule(
            "mail.mail_activity_data_todo", user_id=cls.rep_a.id
        )

    def owned(self, user):
        Partner = self.env["res.partner"].with_context(active_test=False)
        return (
            Partner.search_count(
                [("user_id", "=", user.id), ("sfa_is_customer", "=", True)]
            ),
            self.env["crm.lead"].search_count(
                [("user_id", "=", user.id), ("won_status", "=", "pending")]
            ),
            self.env["mail.activity"].search_count([("user_id", "=", user.id)]),
        )

    def totals(self):
        """Everything the leaver and the recipient own, closed deals included:
        a hand-over moves records between them and must not lose or add any."""
        users = [self.rep_a.id, self.rep_b.id]
        return (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search_count([("user_id", "in", users)]),
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search_count([("user_id", "in", users)]),
            self.env["mail.activity"].search_count([("user_id", "in", users)]),
        )

    def test_handover_to_one_colleague(self):
        contact = self.env["res.partner"].create(
            {"name": "Anna Alpha", "parent_id": self.cust_a.id}
        )
        self.assertEqual(contact.user_id, self.rep_a)
        before = self.totals()
        self.assertEqual(self.owned(self.rep_a), (2, 2, 2))
        wizard = (
            self.env["sfa.handover.wizard"]
            .with_user(self.manager)
            .create(
                {
                    "from_user_id": self.rep_a.id,
                    "to_user_id": self.rep_b.id,
                }
            )
        )
        wizard.action_preview()
        counts = {line.model: line.count for line in wizard.line_ids}
        self.assertEqual(
            [counts[model] for model in ("res.partner", "crm.lead", "mail.activity")],
            [2, 2, 2],
            "later modules add their own lines",
        )
        wizard.action_apply()
        self.assertEqual(
            self.owned(self.rep_a), (0, 0, 0), "the leaver owns nothing open"
        )
        self.assertEqual(contact.user_id, self.rep_b, "contacts follow their company")
        self.assertTrue(contact.with_user(self.rep_b).read(["name"]))
        self.assertEqual(self.owned(self.rep_b), (3, 3, 2))
        self.assertEqual(self.totals(), before, "no record lost")
        self.assertEqual(
            self.lead_won.user_id, self.rep_a, "closed deals keep their history"
        )
        summary = self.rep_a.partner_id.message_ids[0]
        self.assertIn("Hand-over", summary.body)
        self.assertIn(self.rep_b.name, summary.body)

    def test_spread_over_territory_members(self):
        self.t_north.member_ids += self.rep_c
        wizard = self.env["sfa.handover.wizard"].create(
            {
                "from_user_id": self.rep_a.id,
                "mode": "territory",
                "territory_id": self.t_north.id,
            }
        )
        wizard.action_preview()
        wizard.action_apply()
        self.assertEqual(self.owned(self.rep_a), (0, 0, 0))
        new_owners = (self.cust_a | self.cust_a2).user_id
        self.assertEqual(new_owners, self.rep_b | self.rep_c, "customers are spread")
        self.assertEqual(
            self.lead_a.user_id, self.cust_a.user_id, "deals follow their customer"
        )
        self.assertEqual(self.lead_a2.user_id, self.cust_a.user_id)

    def test_rule_holds_after_handover(self):
        wizard = self.env["sfa.handover.wizard"].create(
            {
                "from_user_id": self.rep_a.id,
                "to_user_id": self.rep_c.id,
            }
        )
        wizard.action_preview()
        wizard.action_apply()
        self.assertNotIn(self.lead_a, self.visible_leads(self.rep_a))
        self.assertIn(self.lead_a, self.visible_leads(self.rep_c))
        self.assertIn(self.lead_a, self.visible_leads(self.manager_2))
        self.assertIn(
            self.lead_a,
            self.visible_leads(self.manager),
            "still in the manager's territory",
        )
        self.assertNotIn(self.lead_a, self.visible_leads(self.rep_b))

    def test_bad_recipients(self):
        Wizard = self.env["sfa.handover.wizard"]
        same = Wizard.create(
            {"from_user_id": self.rep_a.id, "to_user_id": self.rep_a.id}
        )
        with self.assertRaises(UserError):
            same.action_preview()
        self.rep_b.action_archive()
        archived = Wizard.create(
            {"from_user_id": self.rep_a.id, "to_user_id": self.rep_b.id}
        )
        with self.assertRaises(UserError):
            archived.action_preview()
        lonely = self.env["sfa.territory"].create(
            {
                "name": "Solo",
                "code": "SOLO",
                "member_ids": [(6, 0, self.rep_a.ids)],
            }
        )
        empty = Wizard.create(
            {
                "from_user_id": self.rep_a.id,
                "mode": "territory",
                "territory_id": lonely.id,
            }
        )
        with self.assertRaises(UserError):
            empty.action_preview()
        foreign = Wizard.create(
            {"from_user_id": self.rep_a.id, "to_user_id": self.other_rep.id}
        )
        with self.assertRaises(UserError):
            foreign.action_preview()
        self.assertEqual(self.owned(self.rep_a), (2, 2, 2), "nothing moved")

    def test_rep_cannot_hand_over(self):
        with self.assertRaises(AccessError):
            self.env["sfa.handover.wizard"].with_user(self.rep_b).create(
                {
                    "from_user_id": self.rep_a.id,
                    "to_user_id": self.rep_b.id,
                }
            )

    def test_manager_hands_over_only_within_their_team(self):
        Wizard = self.env["sfa.handover.wizard"].with_user(self.manager)
        peer = Wizard.create(
            {"from_user_id": self.rep_c.id, "to_user_id": self.rep_b.id}
        )
        with self.assertRaises(AccessError):
            peer.action_preview()
        to_outsider = Wizard.create(
            {"from_user_id": self.rep_a.id, "to_user_id": self.rep_c.id}
        )
        with self.assertRaises(AccessError):
            to_outsider.action_preview()
        self.assertEqual(self.owned(self.rep_c)[:2], (1, 1), "nothing moved")

    def test_leaver_leaves_territories_and_shares(self):
        self.t_lille.manager_id = self.rep_a
        self.env["sfa.share"].create(
            {
                "res_model": "crm.lead",
                "res_id": self.lead_c.id,
                "user_id": self.rep_a.id,
                "granted_by_id": self.rep_c.id,
            }
        )
        wizard = self.env["sfa.handover.wizard"].create(
            {"from_user_id": self.rep_a.id, "to_user_id": self.rep_b.id}
        )
        wizard.action_preview()
        wizard.action_apply()
        self.assertEqual(self.t_lille.manager_id, self.rep_b)
        self.assertNotIn(self.rep_a, self.t_north.member_ids)
        self.assertIn(self.rep_b, self.t_north.member_ids)
        self.assertNotIn(self.lead_c, self.visible_leads(self.rep_a))
        self.assertIn(self.lead_free, self.visible_leads(self.rep_a))
