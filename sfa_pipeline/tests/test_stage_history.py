import contextlib
from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.sfa_base.tests.common import SfaCase
from odoo.addons.sfa_pipeline.hooks import _sfa_pipeline_post_init


@tagged("post_install", "-at_install")
class TestStageHistory(SfaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Stage = cls.env["crm.stage"]
        cls.new = Stage.create({"name": "T New", "sequence": 1001})
        cls.qualified = Stage.create({"name": "T Qualified", "sequence": 1002})
        cls.proposal = Stage.create({"name": "T Proposal", "sequence": 1003})
        cls.won = Stage.create({"name": "T Won", "sequence": 1004, "is_won": True})
        with freeze_time("2026-01-05 09:00:00"):
            cls.deal = cls.env["crm.lead"].create(
                {
                    "name": "Tracked deal",
                    "type": "opportunity",
                    "user_id": cls.rep_a.id,
                    "partner_id": cls.cust_a.id,
                    "stage_id": cls.new.id,
                    "expected_revenue": 5000,
                    "probability": 20,
                }
            )

    def flush_tracking(self):
        """Write the tracking values now (Odoo does it at commit)."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.flush_all()

    def stays(self, lead):
        return [
            (h.stage_id, h.date_in, h.date_out, h.outcome)
            for h in lead.sfa_stage_history_ids.sorted(lambda h: (h.date_in, h.id))
        ]

    def test_creation_opens_a_stay_with_values_on_entry(self):
        stay = self.deal.sfa_stage_history_ids
        self.assertEqual(len(stay), 1)
        self.assertEqual(stay.stage_id, self.new)
        self.assertEqual(stay.outcome, "open")
        self.assertFalse(stay.date_out)
        self.assertEqual(stay.date_in, datetime(2026, 1, 5, 9, 0))
        self.assertEqual(
            (stay.user_id, stay.sfa_territory_id), (self.rep_a, self.t_lille)
        )
        self.assertEqual((stay.expected_revenue, stay.probability), (5000, 20))

    def test_advance_regress_win(self):
        with freeze_time("2026-01-08 09:00:00"):
            self.deal.stage_id = self.qualified
        with freeze_time("2026-01-10 21:00:00"):
            self.deal.stage_id = self.new
        with freeze_time("2026-01-12 09:00:00"):
            self.deal.write({"stage_id": self.proposal.id, "expected_revenue": 7000})
        with freeze_time("2026-01-20 09:00:00"):
            self.deal.action_set_won()
        self.assertEqual(
            self.stays(self.deal),
            [
                (
                    self.new,
                    datetime(2026, 1, 5, 9),
                    datetime(2026, 1, 8, 9),
                    "advanced",
                ),
                (
                    self.qualified,
                    datetime(2026, 1, 8, 9),
                    datetime(2026, 1, 10, 21),
                    "regressed",
                ),
                (
                    self.new,
                    datetime(2026, 1, 10, 21),
                    datetime(2026, 1, 12, 9),
                    "advanced",
                ),
                (
                    self.proposal,
                    datetime(2026, 1, 12, 9),
                    datetime(2026, 1, 20, 9),
                    "won",
                ),
                (self.won, datetime(2026, 1, 20, 9), False, "open"),
            ],
        )
        history = self.deal.sfa_stage_history_ids.sorted("date_in")
        self.assertEqual(history[1].previous_stage_id, self.new)
        self.assertEqual(history[1].next_stage_id, self.new)
        self.assertEqual(history[3].expected_revenue, 7000, "amount as it entered")
        self.assertAlmostEqual(history[1].duration_days, 2.5)

    def test_lost_then_restored(self):
        with freeze_time("2026-02-01 10:00:00"):
            self.deal.action_set_lost()
        self.assertEqual(
            self.stays(self.deal)[-1][2:], (datetime(2026, 2, 1, 10), "lost")
        )
        self.assertFalse(
            self.deal.sfa_stage_history_ids.filtered(lambda h: not h.date_out)
        )
        with freeze_time("2026-02-03 10:00:00"):
            self.deal.action_restore()
        open_stays = self.deal.sfa_stage_history_ids.filtered(lambda h: not h.date_out)
        self.assertEqual(len(open_stays), 1)
        self.assertEqual(open_stays.stage_id, self.new)
        self.assertEqual(open_stays.date_in, datetime(2026, 2, 3, 10))

    def test_batch_write_and_import(self):
        leads = self.lead_a | self.lead_b | self.lead_c | self.deal
        leads.write({"stage_id": self.proposal.id})
        for lead in leads:
            with self.subTest(lead=lead.name):
                current = lead.sfa_stage_history_ids.filtered(lambda h: not h.date_out)
                self.assertEqual(current.stage_id, self.proposal)
                self.assertEqual(len(lead.sfa_stage_history_ids), 2)
        result = self.env["crm.lead"].load(
            [".id", "stage_id"], [[str(self.deal.id), "T Qualified"]]
        )
        self.assertFalse(result["messages"])
        self.assertEqual(
            self.deal.sfa_stage_history_ids.sorted("id")[-2].outcome, "regressed"
        )
        imported = self.env["crm.lead"].load(
            ["name", "type", "stage_id"], [["Imported deal", "opportunity", "T Won"]]
        )
        lead = self.env["crm.lead"].browse(imported["ids"])
        self.assertEqual(lead.sfa_stage_history_ids.stage_id, self.won)

    def test_team_change_that_moves_stage_is_captured(self):
        team = self.env["crm.team"].create({"name": "Other team"})
        own_stage = self.env["crm.stage"].create(
            {"name": "Team stage", "sequence": 0, "team_ids": [(6, 0, team.ids)]}
        )
        self.deal.write({"team_id": team.id, "stage_id": own_stage.id})
        self.assertEqual(self.deal.stage_id, own_stage)
        open_stays = self.deal.sfa_stage_history_ids.filtered(lambda h: not h.date_out)
        self.assertEqual(open_stays.stage_id, self.deal.stage_id)

    @mute_logger("odoo.sql_db")
    def test_one_open_stay_enforced_by_database(self):
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["sfa.stage.history"].create(
                {
                    "lead_id": self.deal.id,
                    "stage_id": self.qualified.id,
                    "date_in": "2026-01-06 00:00:00",
                }
            )
            self.env.flush_all()

    def test_moves_one_by_one_are_written_together(self):
        """Deals moved one by one, twice, in one transaction: their stays are
        written at the flush, in a number of statements that does not grow
        with the deals, and each keeps its short stay in between."""

        def move(count):
            with freeze_time("2026-01-31 10:00:00"):
                leads = self.env["crm.lead"].create(
                    [
                        {
                            "name": f"Batch {i}",
                            "type": "opportunity",
                            "stage_id": self.new.id,
                        }
                        for i in range(count)
                    ]
                )
                self.env.flush_all()
            with freeze_time("2026-02-01 10:00:00"):
                for lead in leads:
                    lead.stage_id = self.qualified
            with freeze_time("2026-02-02 10:00:00"):
                for lead in leads:
                    lead.stage_id = self.proposal
            statements = []
            execute = type(self.env.cr).execute

            def counting(cr, query, params=None, log_exceptions=True):
                if "sfa_stage_history" in str(getattr(query, "code", query)):
                    statements.append(query)
                return execute(cr, query, params, log_exceptions)

            with patch.object(type(self.env.cr), "execute", counting):
                self.env.flush_all()
            return leads, len(statements)

        leads, few = move(3)
        _leads, many = move(12)
        self.assertEqual(few, many, "the statements do not grow with the deals")
        self.assertLessEqual(many, 4)
        for lead in leads:
            self.assertEqual(
                [stay[:3] for stay in self.stays(lead)],
                [
                    (self.new, datetime(2026, 1, 31, 10), datetime(2026, 2, 1, 10)),
                    (
                        self.qualified,
                        datetime(2026, 2, 1, 10),
                        datetime(2026, 2, 2, 10),
                    ),
                    (self.proposal, datetime(2026, 2, 2, 10), False),
                ],
            )
        self.assertEqual(
            [stay[3] for stay in self.stays(leads[0])], ["advanced", "advanced", "open"]
        )

    def test_a_move_undone_by_a_savepoint_leaves_no_stay(self):
        """A stage change rolled back with its savepoint (an import line that
        failed) leaves no stay: the queue is the transaction's."""
        with contextlib.suppress(ValueError), self.env.cr.savepoint():
            self.deal.stage_id = self.qualified
            raise ValueError("the rest of the line failed")
        self.deal.invalidate_recordset()
        self.assertEqual(self.deal.stage_id, self.new)
        self.assertEqual([stay[0] for stay in self.stays(self.deal)], [self.new])
        self.deal.stage_id = self.proposal
        self.assertEqual(
            [stay[0] for stay in self.stays(self.deal)], [self.new, self.proposal]
        )

    def test_every_active_opportunity_has_exactly_one_open_stay(self):
        (self.lead_a | self.lead_b).write({"stage_id": self.qualified.id})
        self.lead_c.action_set_lost()
        self.env.flush_all()
        self.env.cr.execute("""
            SELECT l.id, count(h.id) FROM crm_lead l
              LEFT JOIN sfa_stage_history h ON h.lead_id = l.id AND h.date_out IS NULL
             WHERE l.active GROUP BY l.id HAVING count(h.id) != 1
        """)
        self.assertEqual(self.env.cr.fetchall(), [])

    def test_backfill_from_stage_tracking(self):
        Lead = self.env["crm.lead"].with_context(
            tracking_disable=False, mail_notrack=False
        )
        with freeze_time("2026-03-01 08:00:00"):
            lead = Lead.create(
                {
                    "name": "Old deal",
                    "type": "opportunity",
                    "stage_id": self.new.id,
                    "user_id": self.rep_b.id,
                }
            )
            self.flush_tracking()
        # create_date is the transaction's clock, which freezegun does not move
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = '2026-03-01 08:00:00' WHERE id = %s",
            [lead.id],
        )
        with freeze_time("2026-03-04 08:00:00"):
            lead.stage_id = self.qualified
            self.flush_tracking()
        with freeze_time("2026-03-09 08:00:00"):
            lead.stage_id = self.won
            self.flush_tracking()
        lost = Lead.create(
            {"name": "Lost deal", "type": "opportunity", "stage_id": self.new.id}
        )
        with freeze_time("2026-03-10 08:00:00"):
            lost.action_set_lost()
            self.flush_tracking()
        live = {rec: self.stays(rec) for rec in (lead, lost)}
        self.env.cr.execute(
            "DELETE FROM sfa_stage_history WHERE lead_id IN %s", [(lead.id, lost.id)]
        )
        _sfa_pipeline_post_init(self.env)
        self.env.invalidate_all()
        self.assertEqual(self.stays(lead), live[lead])
        rebuilt = self.stays(lost)
        self.assertEqual(len(rebuilt), 1)
        self.assertEqual((rebuilt[0][0], rebuilt[0][3]), (self.new, "lost"))

    def test_new_owner_reads_the_stays_before_the_hand_over(self):
        """A deal handed over to another line: the new owner and their manager
        read its whole history, the previous owner keeps the stays they worked."""
        History = self.env["sfa.stage.history"]
        with freeze_time("2026-01-10 09:00:00"):
            self.deal.stage_id = self.qualified
        with freeze_time("2026-01-12 09:00:00"):
            self.deal.user_id = self.rep_c
            self.deal.stage_id = self.proposal
        self.env.flush_all()
        stays = History.search([("lead_id", "=", self.deal.id)])
        self.assertEqual(len(stays), 3)
        under_rep_a = stays.filtered(lambda stay: stay.user_id == self.rep_a)
        self.assertEqual(under_rep_a.stage_id, self.new | self.qualified)

        def seen_by(user):
            return History.with_user(user).search([("lead_id", "=", self.deal.id)])

        self.assertEqual(seen_by(self.rep_c), stays)
        self.assertEqual(seen_by(self.manager_2), stays)
        self.assertEqual(seen_by(self.rep_a), under_rep_a)
        self.assertEqual(seen_by(self.supervisor), under_rep_a)
        self.assertFalse(seen_by(self.rep_b))
        Analysis = self.env["sfa.stage.analysis"]
        self.assertEqual(
            len(
                Analysis.with_user(self.rep_c).search([("lead_id", "=", self.deal.id)])
            ),
            3,
            "the stage analysis follows the same rule",
        )
        self.assertFalse(
            Analysis.with_user(self.rep_b).search([("lead_id", "=", self.deal.id)])
        )

    def test_visibility_follows_the_rule(self):
        History = self.env["sfa.stage.history"]
        deal_b = self.lead_b
        self.assertTrue(
            History.with_user(self.rep_a).search([("lead_id", "=", self.deal.id)])
        )
        self.assertFalse(
            History.with_user(self.rep_a).search([("lead_id", "=", deal_b.id)])
        )
        self.assertTrue(
            History.with_user(self.supervisor).search([("lead_id", "=", deal_b.id)])
        )
        self.assertFalse(
            History.with_user(self.territory_manager).search(
                [("lead_id", "=", deal_b.id)]
            )
        )
        with self.assertRaises(AccessError):
            History.with_user(self.rep_a).create(
                {
                    "lead_id": self.deal.id,
                    "stage_id": self.won.id,
                    "date_in": "2026-01-01",
                }
            )
