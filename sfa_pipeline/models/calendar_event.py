from odoo import models
from odoo.exceptions import UserError

from .sfa_action import SYNC_ORIGIN


class CalendarEvent(models.Model):
    """A calendar event booked for a planned action carries its changes over.

    Dragged to another slot, the action is rescheduled (Odoo moves the
    activity's due date itself); deleted or archived, the action is cancelled.
    """

    _inherit = "calendar.event"

    def _compute_display_name(self):
        """A visit or meeting done keeps its place in the calendar (the time
        it took), ticked as the SFA schedule shows it: it no longer reads as
        one still to come."""
        super()._compute_display_name()
        if not self.ids:
            return
        # sudo: only whether the action booked on the event is done is read
        done = {
            action.calendar_event_id.id
            for action in self.env["sfa.action"]
            .sudo()
            .search_fetch(
                [("calendar_event_id", "in", self.ids), ("state", "=", "done")],
                ["calendar_event_id"],
            )
        }
        for event in self:
            if event.id in done and not event._check_private_event_conditions():
                event.display_name = f"✓ {event.display_name}"

    def _sfa_planned_actions(self):
        """Planned actions booked on these events.

        sudo: whoever Odoo lets edit the event reschedules or cancels the
        action booked on it; only actions tied to these very events are touched.
        """
        if SYNC_ORIGIN.get() or not self.ids:
            return self.env["sfa.action"]
        actions = (
            self.env["sfa.action"]
            .sudo()
            .search([("calendar_event_id", "in", self.ids), ("state", "=", "planned")])
        )
        if actions and not self.env.su:
            # the action's own rule decides, whatever Odoo allows on this record
            actions.with_env(self.env).check_access("write")
        return actions

    def write(self, vals):
        if (
            "privacy" in vals
            and vals["privacy"] != "private"
            and not self.env.su
            and self.env["sfa.action"]
            .sudo()
            .search_count([("calendar_event_id", "in", self.ids)], limit=1)
        ):
            # sudo: only whether an action is booked on these events is read
            raise UserError(
                self.env._(
                    "The event of a sales action stays private to its attendees: "
                    "its notes are the action's."
                )
            )
        actions = self.env["sfa.action"]
        if {"start", "stop", "start_date", "stop_date", "duration", "active"} & set(
            vals
        ):
            actions = self._sfa_planned_actions()
        event = self
        if actions:
            # Odoo moves the activity's due date, whose write moves the event
            # back onto itself and loses the new duration on the way: the
            # event already has its times, skip that echo.
            event = self.with_context(calendar_event_meeting_update=True)
        res = super(CalendarEvent, event).write(vals)
        if actions:
            archived = actions.filtered(lambda a: not a.calendar_event_id.active)
            with SYNC_ORIGIN("event"):
                archived.write({"state": "cancelled"})
            (actions - archived)._sfa_follow_event()
        return res

    def unlink(self):
        if actions := self._sfa_planned_actions():
            with SYNC_ORIGIN("event"):
                actions.write({"state": "cancelled"})
        return super().unlink()
