from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.sfa_base.tests.common import SfaCase
from odoo.addons.sfa_performance import _sfa_credit_existing_deals


@tagged("post_install", "-at_install")
class TestDealCredit(SfaCase):
    """Worked out by hand. Stages New > Qualified (weight 1) > Proposition
    (weight 2) > Won; the closer's share is 40 %.

    The deal of 10,000: rep_a qualifies it, the supervisor brings it to
    Proposition, rep_a moves it back to Qualified and again to Proposition
    (no progress: no credit), then wins it. rep_a: 40 % for winning it plus
    60 % x 1/3 for Qualified = 6,000; the supervisor: 60 % x 2/3 = 4,000.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Stage = cls.env["crm.stage"]
        cls.s_new = Stage.create({"name": "New", "sequence": 101})
        cls.s_qualified = Stage.create(
            {"name": "Qualified", "sequence": 102, "sfa_credit_weight": 1}
        )
        cls.s_proposition = Stage.create(
            {"name": "Proposition", "sequence": 103, "sfa_credit_weight": 2}
        )
        cls.s_won = Stage.create({"name": "Won", "sequence": 104, "is_won": True})
        cls.company.sfa_credit_closer_share = 40
        cls.Credit = cls.env["sfa.deal.credit"]

    def deal(self, revenue=10000, user=None):
        with freeze_time("2026-02-01 09:00:00"):
            return self.env["crm.lead"].create(
                {
                    "name": f"Deal {revenue}",
                    "type": "opportunity",
                    "user_id": (user or self.rep_a).id,
                    "partner_id": self.cust_a.id,
                    "expected_revenue": revenue,
                    "stage_id": self.s_new.id,
                }
            )

    def move(self, lead, stage, user, moment):
        with freeze_time(moment):
            lead.with_user(user).stage_id = stage
        self.env.cr.flush()  # as a commit does: credits are written then

    def credits(self, lead):
        return _ordered(
            (c.user_id, c.role, c.stage_id, round(c.share, 6), round(c.amount, 2))
            for c in self.Credit.search([("lead_id", "=", lead.id)])
        )

    def worked_deal(self):
        lead = self.deal()
        self.move(lead, self.s_qualified, self.rep_a, "2026-03-01 09:00:00")
        self.move(lead, self.s_proposition, self.supervisor, "2026-03-05 09:00:00")
        self.move(lead, self.s_qualified, self.rep_a, "2026-03-06 09:00:00")
        self.move(lead, self.s_proposition, self.rep_a, "2026-03-07 09:00:00")
        self.assertFalse(self.credits(lead), "nothing earned before the win")
        self.move(lead, self.s_won, self.rep_a, "2026-03-10 09:00:00")
        return lead

    def test_the_closer_and_the_contributors_share_the_revenue(self):
        lead = self.worked_deal()
        self.assertEqual(
            self.credits(lead),
            _ordered(
                [
                    (self.rep_a, "close", self.env["crm.stage"], 40.0, 4000.0),
                    (self.rep_a, "advance", self.s_qualified, 20.0, 2000.0),
                    (self.supervisor, "advance", self.s_proposition, 40.0, 4000.0),
                ]
            ),
        )
        self.assertEqual(sum(lead.sfa_credit_ids.mapped("amount")), 10000)
        per_rep = {
            user.id: amount
            for user, amount in self.Credit._read_group(
                [("lead_id", "=", lead.id)], ["user_id"], ["amount:sum"]
            )
        }
        self.assertEqual(per_rep, {self.rep_a.id: 6000, self.supervisor.id: 4000})

    def test_credit_follows_the_deal(self):
        lead = self.worked_deal()
        lead.expected_revenue = 20000
        self.env.cr.flush()
        self.assertEqual(
            sorted(lead.sfa_credit_ids.mapped("amount")), [4000.0, 8000.0, 8000.0]
        )
        self.move(lead, self.s_proposition, self.rep_a, "2026-03-11 09:00:00")
        self.assertFalse(lead.sfa_credit_ids, "reopened: no credit any more")
        self.move(lead, self.s_won, self.rep_a, "2026-03-12 09:00:00")
        self.assertEqual(len(lead.sfa_credit_ids), 3)
        lead_id = lead.id
        lead.unlink()
        self.assertFalse(self.Credit.search([("lead_id", "=", lead_id)]))

    def test_a_deal_won_without_help_is_all_the_closers(self):
        lead = self.deal(500, user=self.rep_b)
        self.move(lead, self.s_won, self.rep_b, "2026-04-01 09:00:00")
        self.assertEqual(
            self.credits(lead),
            [(self.rep_b, "close", self.env["crm.stage"], 100.0, 500.0)],
        )

    def test_only_the_sales_force_earns_credit(self):
        """An internal user outside the sales force (an administrator, a
        colleague of another department) earns nothing for moving a deal or
        owning it when it is won: a deal they win is credited to the row
        "Outside the Sales Force", so the credits add up to the revenue."""
        outsider = self.env["res.users"].create(
            {
                "name": "Office Admin",
                "login": "office_admin",
                "group_ids": [
                    (6, 0, self.env.ref("sales_team.group_sale_manager").ids)
                ],
            }
        )
        lead = self.deal()
        self.move(lead, self.s_qualified, outsider, "2026-03-01 09:00:00")
        self.move(lead, self.s_proposition, self.supervisor, "2026-03-05 09:00:00")
        self.move(lead, self.s_won, self.rep_a, "2026-03-10 09:00:00")
        self.assertEqual(
            self.credits(lead),
            _ordered(
                [
                    (self.rep_a, "close", self.env["crm.stage"], 40.0, 4000.0),
                    (self.supervisor, "advance", self.s_proposition, 60.0, 6000.0),
                ]
            ),
            "the advances of the sales force share what the closer leaves",
        )
        owned = self.deal(800, user=outsider)
        self.move(owned, self.s_won, outsider, "2026-04-01 09:00:00")
        outside = self.env.ref("sfa_base.user_outside_sales_force")
        self.assertEqual(
            self.credits(owned),
            [(outside, "close", self.env["crm.stage"], 100.0, 800.0)],
        )
        self.assertEqual(
            self.Credit.with_user(self.director)
            .search([("lead_id", "=", owned.id)])
            .user_id,
            outside,
        )

    def test_a_batch_is_credited_in_constant_queries(self):
        leads = [self.deal(100 * (n + 1)) for n in range(6)]
        for lead in leads:
            self.move(lead, self.s_qualified, self.supervisor, "2026-05-01 09:00:00")
        one, five = leads[0], self.env["crm.lead"].union(*leads[1:])
        with freeze_time("2026-05-02 09:00:00"):
            (one | five).stage_id = self.s_won
        self.env.cr.flush()
        self.assertEqual(len((one | five).sfa_credit_ids), 12, "a batch at once")
        for batch in (one, five):
            self.env.invalidate_all()
            with self.assertQueryCount(3):  # flush, delete, insert
                self.Credit._sfa_compute(batch.ids)
        self.assertEqual(
            self.Credit.search_count([("lead_id", "in", five.ids)]), 10, "2 each"
        )

    def test_bad_weights_are_refused(self):
        # assertRaises rolls back to a savepoint, as a failed request does
        for share in (120, -1):
            with self.assertRaises(ValidationError) as refused:
                self.company.sfa_credit_closer_share = share
            self.assertIn("between 0 and 100", str(refused.exception))
        self.env.invalidate_all(flush=False)
        self.assertEqual(self.company.sfa_credit_closer_share, 40, "not written")
        with self.assertRaises(ValidationError) as refused:
            self.s_qualified.sfa_credit_weight = -1
        self.assertIn("cannot be negative", str(refused.exception))
        self.env.invalidate_all(flush=False)
        self.assertEqual(self.s_qualified.sfa_credit_weight, 1)

    def test_who_reads_the_credit(self):
        lead = self.worked_deal()
        other = self.deal(300, user=self.rep_b)
        self.move(other, self.s_won, self.rep_b, "2026-03-20 09:00:00")

        def seen(user):
            return {
                (c.lead_id, c.user_id)
                for c in self.Credit.with_user(user).search(
                    [("lead_id", "in", (lead | other).ids)]
                )
            }

        mine = {(lead, self.rep_a), (lead, self.supervisor)}
        self.assertEqual(seen(self.rep_a), mine, "the deal's, the supervisor's too")
        self.assertEqual(seen(self.rep_b), {(other, self.rep_b)})
        self.assertEqual(seen(self.supervisor), mine | {(other, self.rep_b)})
        self.assertEqual(seen(self.rep_c), set())

    def test_credit_is_a_measured_figure(self):
        self.worked_deal()
        self.env.flush_all()
        march = (date(2026, 3, 1), date(2026, 3, 31))
        actuals = self.env["sfa.target.line"]._sfa_metric_actuals(
            "deal_credit",
            [
                (1, "user", self.rep_a.id, self.company.id, *march),
                (2, "user", self.supervisor.id, self.company.id, *march),
                (3, "company", self.company.id, self.company.id, *march),
            ],
        )
        self.assertEqual(actuals, {1: 6000.0, 2: 4000.0, 3: 10000.0})

    def test_the_credit_of_deals_won_before_the_install_is_a_fact(self):
        """The install credits the deals already won (post-init hook): the
        credits become facts too, for the targets and KPIs of past periods."""
        lead = self.worked_deal()
        Fact = self.env["sfa.fact"]
        facts = [("metric", "=", "deal_credit"), ("lead_id", "=", lead.id)]
        self.assertEqual(sum(Fact.search(facts).mapped("amount")), 10000)
        # as before the module: no credit, no fact
        self.env.cr.execute("DELETE FROM sfa_deal_credit WHERE lead_id = %s", [lead.id])
        self.env.cr.execute(
            "DELETE FROM sfa_fact WHERE metric = 'deal_credit' AND lead_id = %s",
            [lead.id],
        )
        self.env.invalidate_all()
        _sfa_credit_existing_deals(self.env)
        self.assertEqual(sum(Fact.search(facts).mapped("amount")), 10000)


def _ordered(credits):
    """Credits in one order: by user, role, stage and share (recordsets do
    not order themselves: ``<`` between two users is a subset test)."""
    return sorted(credits, key=lambda c: (c[0].id, c[1], c[2].id or 0, c[3]))
