from odoo import models

from .sfa_action import SYNC_ORIGIN


class MailActivity(models.Model):
    """An activity that mirrors a planned action carries its changes over.

    Done, cancelled, rescheduled or reassigned in the chatter or the activity
    view: the action follows. Changes made by the action itself carry the
    sync key in the context and are not sent back.
    """

    _inherit = "mail.activity"

    def _sfa_planned_actions(self):
        """Planned actions mirrored by these activities.

        sudo: whoever Odoo lets handle the activity (its assignee, anyone who
        may write on its document) moves its action along; only actions tied
        to these very activities are touched.
        """
        if SYNC_ORIGIN.get() or not self.ids:
            return self.env["sfa.action"]
        actions = (
            self.env["sfa.action"]
            .sudo()
            .search([("activity_id", "in", self.ids), ("state", "=", "planned")])
        )
        if actions and not self.env.su:
            # the action's own rule decides, whatever Odoo allows on this record
            actions.with_env(self.env).check_access("write")
        return actions

    def _action_done(self, feedback=False, attachment_ids=None):
        # Before Odoo archives the activity, so a refused outcome leaves both
        # sides as they were.
        if actions := self._sfa_planned_actions():
            actions._sfa_done_from_activity(feedback)
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def write(self, vals):
        actions = self.env["sfa.action"]
        if {"date_deadline", "user_id"} & vals.keys():
            actions = self._sfa_planned_actions()
        res = super().write(vals)
        if not actions:
            return res
        if "user_id" in vals:
            if not self.env.su:
                actions.with_env(self.env)._sfa_check_owner_change(vals)
            for user_id, user_actions in actions.grouped(
                lambda a: a.activity_id.user_id.id
            ).items():
                with SYNC_ORIGIN("activity"):
                    user_actions.write({"user_id": user_id})
        if "date_deadline" in vals:
            # With an event, Odoo's calendar moved it and the event moves the
            # action; alone, the activity moves its action by the same days.
            unbooked = actions.filtered(lambda a: not a.calendar_event_id.active)
            unbooked._sfa_follow_activity_deadline()
        return res

    def unlink(self):
        if actions := self._sfa_planned_actions():
            with SYNC_ORIGIN("activity"):
                actions.write({"state": "cancelled"})
        return super().unlink()
