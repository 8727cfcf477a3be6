from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.sfa_base.tests.common import SfaCase

NOW = datetime(2030, 3, 4, 8, 10)


@tagged("post_install", "-at_install")
class TestStageNorm(SfaCase):
    """Proposal stage playbook: 2 visits within 10 days and a call today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.visit = cls.env.ref("sfa_pipeline.sfa_action_type_visit")
        cls.call = cls.env.ref("sfa_pipeline.sfa_action_type_call")
        Stage = cls.env["crm.stage"]
        cls.qualify = Stage.create({"name": "Qualify", "sequence": 101})
        cls.propose = Stage.create({"name": "Propose", "sequence": 102})
        cls.negotiate = Stage.create({"name": "Negotiate", "sequence": 103})
        cls.won = Stage.create({"name": "Signed", "sequence": 104, "is_won": True})
        cls.Norm = cls.env["sfa.stage.norm"]
        cls.Norm.create(
            [
                {
                    "stage_id": cls.propose.id,
                    "action_type_id": cls.visit.id,
                    "min_count": 2,
                    "within_days": 10,
                },
                {
                    "stage_id": cls.propose.id,
                    "action_type_id": cls.call.id,
                    "min_count": 1,
                    "within_days": 0,
                },
            ]
        )
        (cls.lead_a | cls.lead_b | cls.lead_c).stage_id = cls.qualify
        cls.Action = cls.env["sfa.action"]

    def actions(self, leads):
        return self.Action.search([("lead_id", "in", leads.ids)], order="start, id")

    def move(self, leads, stage, user=None):
        with freeze_time(NOW):
            leads.with_user(user or self.rep_a).write({"stage_id": stage.id})

    def do_all(self, leads, action_type=None):
        actions = self.actions(leads)
        if action_type:
            actions = actions.filtered(lambda a: a.action_type_id == action_type)
        with freeze_time(NOW + timedelta(hours=2)):
            actions.write({"state": "done", "outcome": "Met the buyer"})

    def notes(self, lead):
        return self.env["mail.message"].search(
            [("model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )

    # ------------------------------------------------------------------
    # Entering a stage
    # ------------------------------------------------------------------

    def test_entering_plans_the_playbook_for_the_owner(self):
        self.move(self.lead_a, self.propose)
        actions = self.actions(self.lead_a)
        self.assertEqual(
            [(a.action_type_id, a.start) for a in actions],
            [
                # next half hour, then spread evenly up to day 10
                (self.call, datetime(2030, 3, 4, 8, 30)),
                (self.visit, datetime(2030, 3, 9, 8, 30)),
                (self.visit, datetime(2030, 3, 14, 8, 30)),
            ],
        )
        self.assertEqual(actions.user_id, self.rep_a)
        self.assertEqual(actions.partner_id, self.cust_a)
        self.assertEqual(set(actions.mapped("state")), {"planned"})
        self.assertEqual(len(actions.activity_id), 3, "in the rep's activities too")

    def test_back_and_forth_does_not_pile_up_the_playbook(self):
        self.move(self.lead_a, self.propose)
        self.move(self.lead_a, self.qualify)
        self.move(self.lead_a, self.propose)
        actions = self.actions(self.lead_a)
        self.assertEqual(
            sorted(actions.action_type_id.mapped("name")),
            sorted({self.visit.name, self.call.name}),
        )
        self.assertEqual(
            len(actions.filtered(lambda a: a.action_type_id == self.visit)), 2
        )
        self.assertEqual(
            len(actions.filtered(lambda a: a.action_type_id == self.call)), 1
        )
        # a done call no longer stands in for a planned one
        actions.filtered(lambda a: a.action_type_id == self.call).write(
            {"state": "done", "outcome": "Reached", "result": "positive"}
        )
        self.move(self.lead_a, self.qualify)
        self.move(self.lead_a, self.propose)
        self.assertEqual(
            len(
                self.actions(self.lead_a).filtered(
                    lambda a: a.action_type_id == self.call
                )
            ),
            2,
        )

    def test_batch_move_plans_each_deal_for_its_owner(self):
        leads = self.lead_a | self.lead_b | self.lead_c
        Action = self.registry["sfa.action"]
        create, batches = Action.create, []

        def counted_create(model, vals_list):
            batches.append(len(vals_list))
            return create(model, vals_list)

        with patch.object(Action, "create", counted_create):
            self.move(leads, self.propose, user=self.director)
        self.assertEqual(batches, [9], "one create for the whole batch")
        for lead, owner in (
            (self.lead_a, self.rep_a),
            (self.lead_b, self.rep_b),
            (self.lead_c, self.rep_c),
        ):
            actions = self.actions(lead)
            self.assertEqual(len(actions), 3, lead.name)
            self.assertEqual(actions.user_id, owner)
            self.assertEqual(actions.partner_id, lead.partner_id)

    def test_staying_or_other_stages_plan_nothing(self):
        self.move(self.lead_a, self.negotiate)
        self.lead_a.with_user(self.rep_a).write({"stage_id": self.negotiate.id})
        self.assertFalse(self.actions(self.lead_a))

    def test_new_opportunity_in_the_stage_gets_its_playbook(self):
        with freeze_time(NOW):
            lead = (
                self.env["crm.lead"]
                .with_user(self.rep_a)
                .create(
                    {
                        "name": "Direct proposal",
                        "type": "opportunity",
                        "user_id": self.rep_a.id,
                        "partner_id": self.cust_a.id,
                        "stage_id": self.propose.id,
                    }
                )
            )
        self.assertEqual(len(self.actions(lead)), 3)

    def test_team_norm_only_for_that_team(self):
        team = self.env["crm.team"].create({"name": "Key Accounts"})
        self.Norm.create(
            {
                "stage_id": self.negotiate.id,
                "action_type_id": self.call.id,
                "team_id": team.id,
            }
        )
        self.lead_b.team_id = team
        self.move(self.lead_a | self.lead_b, self.negotiate, user=self.director)
        self.assertFalse(self.actions(self.lead_a))
        self.assertEqual(self.actions(self.lead_b).action_type_id, self.call)

    # ------------------------------------------------------------------
    # Leaving a stage
    # ------------------------------------------------------------------

    def test_leaving_unfinished_notes_what_is_missing(self):
        self.move(self.lead_a, self.propose)
        self.do_all(self.lead_a, self.call)
        before = self.notes(self.lead_a)
        self.move(self.lead_a, self.negotiate)
        self.assertEqual(self.lead_a.stage_id, self.negotiate, "only a warning")
        note = self.notes(self.lead_a) - before
        self.assertEqual(len(note), 1)
        self.assertIn("Propose", note.body)
        self.assertIn("Visit: 0 of 2 done", note.body)
        self.assertNotIn("Call", note.body, "the call was done")

    def test_leaving_finished_says_nothing(self):
        self.move(self.lead_a, self.propose)
        self.do_all(self.lead_a)
        before = self.notes(self.lead_a)
        self.move(self.lead_a, self.negotiate)
        self.assertFalse(self.notes(self.lead_a) - before)

    def test_actions_done_before_entering_do_not_count(self):
        with freeze_time(datetime(2030, 3, 1)):
            self.Action.create(
                [
                    {
                        "action_type_id": self.call.id,
                        "lead_id": self.lead_a.id,
                        "user_id": self.rep_a.id,
                        "state": "done",
                    }
                ]
            )
        self.env.company.sfa_stage_norm_block = True
        self.move(self.lead_a, self.propose)
        self.do_all(self.lead_a, self.visit)
        with self.assertRaisesRegex(UserError, "Call: 0 of 1 done"):
            self.move(self.lead_a, self.negotiate)

    def test_block_setting_refuses_and_writes_nothing(self):
        with Form(self.env["res.config.settings"]) as settings:
            settings.sfa_stage_norm_block = True
        settings.record.execute()
        self.assertTrue(self.env.company.sfa_stage_norm_block)
        leads = self.lead_a | self.lead_b
        self.move(leads, self.propose, user=self.supervisor)
        self.do_all(self.lead_b)
        count = len(self.actions(leads))
        stays = self.lead_a.sfa_stage_history_ids
        with self.assertRaises(UserError) as caught:
            self.move(leads | self.lead_c, self.negotiate, user=self.director)
        self.assertIn("Deal A (Propose): Visit: 0 of 2 done", str(caught.exception))
        self.assertNotIn("Deal B", str(caught.exception), "Deal B's playbook is done")
        self.assertEqual(self.lead_b.stage_id, self.propose, "nothing half-written")
        self.assertEqual(self.lead_c.stage_id, self.qualify)
        self.assertEqual(len(self.actions(leads | self.lead_c)), count)
        self.assertEqual(self.lead_a.sfa_stage_history_ids, stays)

    def test_block_also_applies_to_imports(self):
        self.env.company.sfa_stage_norm_block = True
        self.move(self.lead_a, self.propose)
        with mute_logger("odoo.sql_db"):
            result = (
                self.env["crm.lead"]
                .with_user(self.rep_a)
                .load(
                    [".id", "stage_id/.id"],
                    [[str(self.lead_a.id), str(self.negotiate.id)]],
                )
            )
        self.assertFalse(result["ids"])
        self.assertIn("Visit: 0 of 2 done", result["messages"][0]["message"])
        self.assertEqual(self.lead_a.stage_id, self.propose)

    def team_bound_propose(self):
        """Propose becomes a stage of one team: moving a deal out of the team
        makes Odoo put it in the other team's first stage."""
        Team = self.env["crm.team"]
        team, other = Team.create([{"name": "Direct"}, {"name": "Partners"}])
        self.propose.team_ids = team
        self.qualify.team_ids = False
        self.lead_a.team_id = team
        self.move(self.lead_a, self.propose)
        return other

    def test_stage_recomputed_by_a_team_change_is_checked_too(self):
        other = self.team_bound_propose()
        before = self.notes(self.lead_a)
        with freeze_time(NOW):
            self.lead_a.with_user(self.rep_a).team_id = other
        self.assertNotEqual(self.lead_a.stage_id, self.propose, "Odoo moved it")
        note = self.notes(self.lead_a) - before
        self.assertEqual(len(note), 1)
        self.assertIn("Left stage Propose", note.body)
        self.assertIn("Visit: 0 of 2 done", note.body)
        stays = self.lead_a.sfa_stage_history_ids.sorted("id")
        self.assertEqual(
            stays[-2:].mapped("stage_id"), self.propose | self.lead_a.stage_id
        )

    def test_block_applies_to_a_stage_recomputed_by_a_team_change(self):
        other = self.team_bound_propose()
        self.env.company.sfa_stage_norm_block = True
        team = self.lead_a.team_id
        stays = self.lead_a.sfa_stage_history_ids
        with self.assertRaises(UserError) as caught, freeze_time(NOW):
            self.lead_a.with_user(self.rep_a).team_id = other
        self.assertIn("Deal A (Propose): Visit: 0 of 2", str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(self.lead_a.team_id, team, "nothing half-written")
        self.assertEqual(self.lead_a.stage_id, self.propose)
        self.assertEqual(self.lead_a.sfa_stage_history_ids, stays)

    def test_won_and_lost_are_never_blocked(self):
        self.env.company.sfa_stage_norm_block = True
        self.move(self.lead_a | self.lead_b, self.propose, user=self.supervisor)
        self.move(self.lead_a, self.won)
        self.assertEqual(self.lead_a.stage_id, self.won)
        self.lead_b.with_user(self.rep_b).action_set_lost()
        self.assertFalse(self.lead_b.active)

    # ------------------------------------------------------------------
    # Norms
    # ------------------------------------------------------------------

    def test_min_count_below_one_is_refused(self):
        for values, message in (
            ({"min_count": 0}, "at least one action"),
            ({"within_days": -1}, "cannot be negative"),
        ):
            with (
                self.assertRaises(IntegrityError) as caught,
                mute_logger("odoo.sql_db"),
                self.env.cr.savepoint(),
            ):
                self.Norm.create(
                    {
                        "stage_id": self.negotiate.id,
                        "action_type_id": self.call.id,
                        **values,
                    }
                )
            self.assertIn(message, self.Norm._sql_error_to_message(caught.exception))

    def test_norm_cache_follows_changes(self):
        norm = self.Norm.create(
            {"stage_id": self.negotiate.id, "action_type_id": self.call.id}
        )
        norm.active = False
        self.move(self.lead_a, self.negotiate)
        self.assertFalse(self.actions(self.lead_a), "archived norms plan nothing")
        norm.active = True
        self.move(self.lead_a, self.qualify)
        self.move(self.lead_a, self.negotiate)
        self.assertEqual(len(self.actions(self.lead_a)), 1)

    def test_stage_form_edits_the_playbook(self):
        with Form(self.negotiate) as stage:
            with stage.sfa_norm_ids.new() as line:
                line.action_type_id = self.visit
                line.min_count = 3
                line.within_days = 6
        self.move(self.lead_a, self.negotiate)
        self.assertEqual(
            self.actions(self.lead_a).mapped("start"),
            [datetime(2030, 3, 6, 8, 30), datetime(2030, 3, 8, 8, 30)]
            + [datetime(2030, 3, 10, 8, 30)],
        )

    def test_rep_reads_norms_but_cannot_change_them(self):
        norms = self.Norm.with_user(self.rep_a).search(
            [("stage_id", "=", self.propose.id)]
        )
        self.assertEqual(len(norms), 2)
        with self.assertRaises(AccessError):
            norms.write({"min_count": 1})
