from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Command, Domain
from odoo.tools.misc import clean_context

from odoo.addons.sfa_base.tools import CallScope

# Where the change being mirrored comes from ("action", "activity", "event")
# while an action and its activity or event update each other, so that each
# side is updated once and nothing loops back. It lives in the server's call,
# not in the context: a client that could set it would move or delete
# another rep's event without the action's rule being checked.
SYNC_ORIGIN = CallScope("sfa_action_sync_origin")


STATES = [
    ("planned", "Planned"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
RESULTS = [
    ("positive", "Positive"),
    ("neutral", "Neutral"),
    ("negative", "Negative"),
    ("no_answer", "No Answer"),
]
# Changing any of these re-creates the activity and the calendar event: they
# decide where the activity lives and whether a time slot is booked.
RELINK_FIELDS = {"action_type_id", "lead_id", "partner_id"}
TIME_FIELDS = {"start", "stop", "duration"}
# The longest an action lasts, in hours: a month (a trade fair, a tour).
MAX_HOURS = 31 * 24


class SfaAction(models.Model):
    """A customer interaction, planned or done: the sales force's diary.

    A planned action lives in Odoo too: one ``mail.activity`` on the
    opportunity (or the customer) and, when its type books a time slot, one
    ``calendar.event`` owning that activity. Whichever side the user works on,
    the others follow: done, cancelled, rescheduled or reassigned.
    """

    _name = "sfa.action"
    _description = "Sales Action"
    _inherit = ["mail.thread", "sfa.visibility.mixin"]
    _order = "start desc, id desc"
    _check_company_auto = True
    # an action lasts at most a month (in hours); its cost is not negative
    _sfa_number_bounds = {"duration": (0, MAX_HOURS), "cost": (0, None)}
    # A shared deal shares its actions, with the same access.
    _sfa_share_model = "crm.lead"
    _sfa_share_field = "lead_id"

    name = fields.Char(
        "Subject",
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    action_type_id = fields.Many2one(
        "sfa.action.type",
        string="Type",
        required=True,
        ondelete="restrict",
        tracking=True,
        index=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        check_company=True,
        tracking=True,
    )
    contact_id = fields.Many2one(
        "res.partner",
        compute="_compute_contact_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('id', 'child_of', partner_id)]",
    )
    lead_id = fields.Many2one(
        "crm.lead",
        string="Opportunity",
        index="btree_not_null",
        check_company=True,
        domain="[('partner_id', 'child_of', partner_id)] if partner_id else []",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    participant_ids = fields.Many2many(
        "res.users",
        string="Participants",
        domain="[('share', '=', False)]",
        help="Colleagues taking part; they are invited to the calendar event "
        "and can read the action.",
    )
    sfa_territory_id = fields.Many2one(
        "sfa.territory",
        string="Territory",
        compute="_compute_sfa_territory_id",
        store=True,
        compute_sudo=True,
        index="btree_not_null",
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    start = fields.Datetime(
        required=True, default=lambda self: self._default_start(), tracking=True
    )
    stop = fields.Datetime(
        "End",
        compute="_compute_stop",
        inverse="_inverse_stop",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    duration = fields.Float(
        compute="_compute_duration",
        store=True,
        readonly=False,
        precompute=True,
        aggregator="sum",
        help="Length of the action in hours: planned, then as it actually was.",
    )
    state = fields.Selection(
        STATES,
        default="planned",
        required=True,
        tracking=True,
        index=True,
        copy=False,
    )
    is_overdue = fields.Boolean(
        "Overdue",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="Still planned after its planned end.",
    )
    # Odoo's calendar draws a record hatched or struck through by these
    is_hatched = fields.Boolean(
        compute="_compute_calendar_look", help="Done: drawn hatched in calendars."
    )
    is_striked = fields.Boolean(
        compute="_compute_calendar_look",
        help="Cancelled: struck through in calendars.",
    )
    can_write = fields.Boolean(
        compute="_compute_can_write",
        help="The current user may change this action (the buttons that move "
        "it are shown to them only).",
    )
    in_my_team = fields.Boolean(
        compute="_compute_in_my_team",
        search="_search_in_my_team",
        help="Owned by me or by someone below me in the reporting line.",
    )
    date_done = fields.Datetime("Done On", readonly=True, copy=False)
    outcome = fields.Text(copy=False)
    result = fields.Selection(RESULTS, copy=False, tracking=True)
    cost = fields.Monetary(
        currency_field="currency_id",
        aggregator="sum",
        help="Sales expense of this action (travel, samples, meals).",
    )
    description = fields.Html("Notes")
    is_visit = fields.Boolean(related="action_type_id.is_visit", store=True)
    next_action_id = fields.Many2one("sfa.action", copy=False, index="btree_not_null")
    previous_action_ids = fields.One2many(
        "sfa.action", "next_action_id", string="Previous Actions"
    )
    activity_id = fields.Many2one(
        "mail.activity",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    calendar_event_id = fields.Many2one(
        "calendar.event",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )

    _stop_after_start = models.Constraint(
        "CHECK (stop >= start)",
        "An action cannot end before it starts.",
    )
    _duration_positive = models.Constraint(
        "CHECK (duration >= 0)",
        "The duration of an action cannot be negative.",
    )
    _cost_positive = models.Constraint(
        "CHECK (cost IS NULL OR cost >= 0)",
        "The cost of an action cannot be negative.",
    )
    _user_start_idx = models.Index("(user_id, start)")

    @api.model
    def _default_start(self):
        """The next half hour, like a new calendar event."""
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        return now + timedelta(minutes=30 - now.minute % 30)

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------

    @api.depends("action_type_id", "partner_id")
    def _compute_name(self):
        """ "Visit: <customer>" by default, following the type and customer
        until the user types a subject of their own, which is kept."""
        actions = self.filtered("action_type_id")
        if not actions:
            return
        type_names = (
            self.env["sfa.action.type"]
            .with_context(active_test=False)
            .search([])
            .mapped("name")
        )
        prefixes = [
            self.env._("%(type)s: %(customer)s", type=name, customer="")
            for name in type_names
        ]

        def typed(name):
            return bool(name) and not (
                name in type_names or any(name.startswith(p) for p in prefixes)
            )

        for action in actions:
            if typed(action.name):
                continue
            action.name = (
                self.env._(
                    "%(type)s: %(customer)s",
                    type=action.action_type_id.name,
                    customer=action.partner_id.name,
                )
                if action.partner_id
                else action.action_type_id.name
            )

    @api.depends("lead_id")
    def _compute_partner_id(self):
        for action in self.filtered("lead_id.partner_id"):
            action.partner_id = action.lead_id.partner_id.commercial_partner_id

    @api.depends("lead_id", "partner_id")
    def _compute_contact_id(self):
        for action in self:
            person = action.lead_id.partner_id
            if person and not person.is_company and person != action.partner_id:
                action.contact_id = person
            elif action.contact_id and action.contact_id.commercial_partner_id != (
                action.partner_id.commercial_partner_id
            ):
                action.contact_id = False

    @api.depends(
        "partner_id.commercial_partner_id.sfa_territory_id", "lead_id.sfa_territory_id"
    )
    def _compute_sfa_territory_id(self):
        for action in self:
            action.sfa_territory_id = (
                action.partner_id.commercial_partner_id.sfa_territory_id
                or action.lead_id.sfa_territory_id
            )

    @api.depends("lead_id", "partner_id")
    def _compute_company_id(self):
        for action in self:
            action.company_id = (
                action.lead_id.company_id
                or action.partner_id.company_id
                or action.company_id
                or self.env.company
            )

    @api.depends("action_type_id")
    def _compute_duration(self):
        for action in self:
            action.duration = action.action_type_id.default_duration

    @api.depends("start", "duration")
    def _compute_stop(self):
        for action in self:
            # A negative duration is refused by its own constraint; do not let
            # it also produce a second, misleading error on the end date.
            # One too long is refused too: it must not overflow the date first.
            minutes = round(min(max(action.duration, 0.0), MAX_HOURS) * 60)
            action.stop = action.start and action.start + timedelta(minutes=minutes)

    def _inverse_stop(self):
        for action in self:
            if action.start and action.stop:
                seconds = (action.stop - action.start).total_seconds()
                action.duration = max(seconds, 0.0) / 3600

    @api.depends("state")
    def _compute_calendar_look(self):
        for action in self:
            action.is_hatched = action.state == "done"
            action.is_striked = action.state == "cancelled"

    @api.depends("name", "state")
    def _compute_display_name(self):
        for action in self:
            name = action.name or ""
            action.display_name = f"✓ {name}" if action.state == "done" else name

    @api.depends_context("uid")
    def _compute_can_write(self):
        writable = self._filtered_access("write") if self.ids else self
        for action in self:
            action.can_write = not action.id or action in writable

    @api.depends("state", "stop")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for action in self:
            action.is_overdue = bool(
                action.state == "planned" and action.stop and action.stop < now
            )

    def _search_is_overdue(self, operator, value):
        if operator in ("=", "!="):
            value = [value]
            operator = "in" if operator == "=" else "not in"
        if operator not in ("in", "not in"):
            return NotImplemented
        overdue = Domain("state", "=", "planned") & Domain(
            "stop", "<", fields.Datetime.now()
        )
        return overdue if any(value) == (operator == "in") else ~overdue

    @api.depends("user_id")
    @api.depends_context("uid")
    def _compute_in_my_team(self):
        team = set(self.env["res.users"]._sfa_scope(self.env.uid)[0])
        for action in self:
            action.in_my_team = action.user_id.id in team

    def _search_in_my_team(self, operator, value):
        if operator in ("=", "!="):
            value = [value]
            operator = "in" if operator == "=" else "not in"
        if operator not in ("in", "not in"):
            return NotImplemented
        team = Domain(
            "user_id", "in", list(self.env["res.users"]._sfa_scope(self.env.uid)[0])
        )
        return team if any(value) == (operator == "in") else ~team

    @api.constrains("state", "outcome", "action_type_id")
    def _check_outcome(self):
        missing = self.filtered(
            lambda a: (
                a.state == "done"
                and a.action_type_id.outcome_required
                and not (a.outcome or "").strip()
            )
        )
        if missing:
            raise ValidationError(
                self.env._(
                    "Describe the outcome before marking these actions done: "
                    "%(actions)s. Their type requires one.",
                    actions=", ".join(missing.mapped("display_name")),
                )
            )

    @api.constrains("duration")
    def _check_duration(self):
        for action in self:
            if action.duration > MAX_HOURS:
                raise ValidationError(
                    self.env._(
                        "%(action)s lasts %(hours)s hours: an action lasts at most "
                        "%(max)s hours (31 days).",
                        action=action.name,
                        hours=f"{action.duration:,g}",
                        max=MAX_HOURS,
                    )
                )

    @api.constrains("partner_id", "lead_id")
    def _check_customer(self):
        if self.filtered(lambda a: not a.partner_id and not a.lead_id):
            raise ValidationError(
                self.env._("An action needs a customer or an opportunity.")
            )

    @api.constrains("next_action_id")
    def _check_next_action_id(self):
        if self._has_cycle("next_action_id"):
            raise ValidationError(
                self.env._("An action cannot follow itself, directly or not.")
            )

    @api.model
    def _sfa_extra_access_domains(self, mode):
        """Read access to the history of what one works on: participants read
        the actions they take part in, a deal's owner (and those above) and a
        customer's colleagues with a share read the actions on it."""
        if mode != "read":
            return []
        uid = self.env.uid
        users = self.env["res.users"]._sfa_scope(uid)[0]
        domains = [
            Domain("participant_ids", "in", [uid]),
            Domain("lead_id.user_id", "in", list(users)),
        ]
        if partner_ids := self.env["sfa.share"]._sfa_shared_res_ids(
            "res.partner", uid, "read"
        ):
            domains.append(
                Domain("partner_id.commercial_partner_id", "in", partner_ids)
            )
        return domains

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        actions = super().create(vals_list)
        actions.filtered(lambda a: a.state == "done")._sfa_after_done(logged=True)
        actions.filtered(lambda a: a.state == "planned")._sfa_schedule()
        return actions

    def write(self, vals):
        """Push the change to the activity and the event, except to the side
        it came from (``SYNC_ORIGIN``), which already has it."""
        self.check_access("write")
        self._sfa_check_owner_change(vals)
        origin = SYNC_ORIGIN.get()
        old_states = {a.id: a.state for a in self} if "state" in vals else {}
        if RELINK_FIELDS & vals.keys() and origin is None:
            relinked = self.filtered(lambda a: a.state == "planned")
            relinked._sfa_unschedule(delete_events=True)
        res = super().write(vals)
        if TIME_FIELDS & vals.keys():
            # Raise the constraints on dates now, before the calendar sees them.
            self.flush_recordset(["start", "stop", "duration"])
        changed = self.filtered(lambda a: old_states.get(a.id, a.state) != a.state)
        changed._sfa_apply_state(origin)
        planned = self.filtered(lambda a: a.state == "planned") - changed
        if origin is None and RELINK_FIELDS & vals.keys():
            planned._sfa_schedule()
        elif origin is None:
            if TIME_FIELDS & vals.keys():
                planned._sfa_push_times()
            if {"name", "description"} & vals.keys():
                planned._sfa_push_texts()
        if {"user_id", "participant_ids"} & vals.keys() and origin != "event":
            planned._sfa_push_people(origin)
        return res

    def unlink(self):
        self.check_access("unlink")
        self.filtered(lambda a: a.state == "planned")._sfa_unschedule(
            delete_events=True
        )
        return super().unlink()

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_done(self):
        self.filtered(lambda a: a.state != "done").write({"state": "done"})
        return True

    def action_done_schedule_next(self):
        """Mark done and open the follow-up, linked as this action's next one."""
        self.ensure_one()
        self.action_done()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Next Action"),
            "res_model": "sfa.action",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_action_type_id": self.action_type_id.id,
                "default_partner_id": self.partner_id.id,
                "default_contact_id": self.contact_id.id,
                "default_lead_id": self.lead_id.id,
                "default_user_id": self.user_id.id,
                "default_previous_action_ids": [Command.set(self.ids)],
            },
        }

    def action_cancel(self):
        self.filtered(lambda a: a.state == "planned").write({"state": "cancelled"})
        return True

    def action_reset_to_planned(self):
        self.filtered(lambda a: a.state != "planned").write({"state": "planned"})
        return True

    def action_open_calendar_event(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "calendar.event",
            "res_id": self.calendar_event_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    # ------------------------------------------------------------------
    # Mirroring on Odoo's activities and calendar
    # ------------------------------------------------------------------

    def _sfa_sync_env(self, **extra):
        """Environment for writing the mirror side (inside ``SYNC_ORIGIN``):
        no stray ``default_*`` keys from the action window.

        sudo: the event is private to its attendees, and a supervisor who
        reassigns a rep's visit is not one of them. Whoever may edit the
        action (checked by its create, write or unlink before any mirror is
        touched) moves its mirror along.
        """
        return self.with_context(clean_context(self.env.context), **extra).sudo().env

    def _sfa_set_links(self, values):
        """Link the action to its activity and event, or date it: fields only
        the system writes. sudo: the caller may edit these actions (their
        rule was checked by the write that got here)."""
        with SYNC_ORIGIN("action"):
            self.sudo().write(values)

    def _sfa_document(self):
        """The record the activity lives on: the deal, else the customer."""
        self.ensure_one()
        return self.lead_id or self.partner_id

    def _sfa_deadline(self):
        """The planned day in the owner's time zone (an activity's due date)."""
        self.ensure_one()
        tz = self.user_id.tz or self.env.context.get("tz") or "UTC"
        return fields.Datetime.context_timestamp(
            self.with_context(tz=tz), self.start
        ).date()

    def _sfa_activity_values(self):
        self.ensure_one()
        document = self._sfa_document()
        return {
            "res_model_id": self.env["ir.model"]._get_id(document._name),
            "res_id": document.id,
            "activity_type_id": self.action_type_id.activity_type_id.id,
            "summary": self.name,
            "note": self._sfa_mirrored_notes(),
            "date_deadline": self._sfa_deadline(),
            "user_id": self.user_id.id,
        }

    def _sfa_mirrored_notes(self):
        """The notes an activity may carry: on a deal, read by the deal's
        readers, yes; on a customer, which every employee reads in Odoo's
        contact book, no (they stay on the action)."""
        self.ensure_one()
        return self.description if self.lead_id else False

    def _sfa_attendees(self):
        self.ensure_one()
        return (self.user_id | self.participant_ids).partner_id

    def _sfa_event_values(self):
        self.ensure_one()
        document = self._sfa_document()
        return {
            "name": self.name,
            "start": self.start,
            "stop": self.stop,
            "user_id": self.user_id.id,
            "partner_ids": [Command.set(self._sfa_attendees().ids)],
            "res_model_id": self.env["ir.model"]._get_id(document._name),
            "res_id": document.id,
            "opportunity_id": self.lead_id.id,
            "description": self.description,
            # every internal user reads the calendar: the event of an action
            # shows its time to the others, its subject and notes to its
            # attendees only (as the action shows them to its readers)
            "privacy": "private",
            # A complete activity command: calendar links it and syncs nothing.
            "activity_ids": [Command.create(self._sfa_activity_values())],
        }

    def _sfa_schedule(self):
        """Create the activity (and event) of planned actions, in batches.

        Actions that still have an open activity keep it: never two.
        """
        todo = self.filtered(lambda a: not a.activity_id.active)
        if not todo:
            return
        env = todo._sfa_sync_env(skip_contact_description=True)
        booked = todo.filtered(lambda a: a.action_type_id.use_calendar)
        unbooked = todo - booked
        with SYNC_ORIGIN("action"):
            events = env["calendar.event"].create(
                [a._sfa_event_values() for a in booked]
            )
            activities = env["mail.activity"].create(
                [a._sfa_activity_values() for a in unbooked]
            )
        for action, event in zip(booked, events):
            action._sfa_set_links(
                {
                    "calendar_event_id": event.id,
                    "activity_id": event.activity_ids[:1].id,
                }
            )
        for action, activity in zip(unbooked, activities):
            action._sfa_set_links({"activity_id": activity.id})

    def _sfa_unschedule(self, delete_events=False, origin=None):
        """Remove the open activities; archive (or delete) the events."""
        if not self:
            return
        env = self._sfa_sync_env()
        with SYNC_ORIGIN("action"):
            if origin != "activity":
                self.activity_id.filtered("active").with_env(env).unlink()
            events = self.calendar_event_id.filtered("active")
            if origin != "event" and events:
                if delete_events:
                    events.with_env(env).unlink()
                else:
                    events.with_env(env).write(events._get_archive_values())

    def _sfa_push_times(self):
        """Move the events (their activity follows) or the activities' due dates."""
        booked = self.filtered(lambda a: a.calendar_event_id.active)
        with SYNC_ORIGIN("action"):
            for action in booked:
                tz = action.user_id.tz or self.env.context.get("tz") or "UTC"
                env = action._sfa_sync_env(tz=tz, calendar_event_meeting_update=True)
                action.calendar_event_id.with_env(env).write(
                    {"start": action.start, "stop": action.stop}
                )
            env = self._sfa_sync_env()
            for deadline, actions in (
                (self - booked).grouped(lambda a: a._sfa_deadline()).items()
            ):
                actions.activity_id.filtered("active").with_env(env).write(
                    {"date_deadline": deadline}
                )

    def _sfa_push_texts(self):
        env = self._sfa_sync_env()
        with SYNC_ORIGIN("action"):
            for action in self:
                if action.calendar_event_id.active:
                    action.calendar_event_id.with_env(env).write(
                        {"name": action.name, "description": action.description}
                    )
                elif action.activity_id.active:
                    action.activity_id.with_env(env).write(
                        {"summary": action.name, "note": action._sfa_mirrored_notes()}
                    )

    def _sfa_push_people(self, origin=None):
        """Owner and participants: event organizer and attendees, activity user."""
        env = self._sfa_sync_env()
        with SYNC_ORIGIN("action"):
            for action in self:
                if action.calendar_event_id.active:
                    action.calendar_event_id.with_env(env).write(
                        {
                            "user_id": action.user_id.id,
                            "partner_ids": [Command.set(action._sfa_attendees().ids)],
                        }
                    )
            if origin == "activity":
                return
            for user, actions in self.grouped("user_id").items():
                actions.activity_id.filtered(
                    lambda a, u=user: a.active and a.user_id != u
                ).with_env(env).write({"user_id": user.id})

    def _sfa_apply_state(self, origin=None):
        """Follow a change of state on the activity and the event."""
        if not self:
            return
        done = self.filtered(lambda a: a.state == "done")
        if done:
            if origin is None:
                done._sfa_complete_activities()
            done._sfa_after_done()
        cancelled = self.filtered(lambda a: a.state == "cancelled")
        cancelled._sfa_unschedule(origin=origin)
        replanned = self.filtered(lambda a: a.state == "planned")
        replanned.filtered("date_done")._sfa_set_links({"date_done": False})
        replanned._sfa_schedule()

    def _sfa_complete_activities(self):
        """Mark the activities done with the outcome as feedback (one message)."""
        env = self._sfa_sync_env()
        with SYNC_ORIGIN("action"):
            for outcome, actions in self.grouped(lambda a: a.outcome or False).items():
                activities = actions.activity_id.filtered("active")
                if activities:
                    activities.with_env(env)._action_done(feedback=outcome)

    def _sfa_after_done(self, logged=False):
        """Date the done actions (their facts then move the customers' last
        contact): an action logged as done when it is created (a past visit)
        is done at its end, one marked done later when it is marked."""
        now = fields.Datetime.now()
        for done_on, actions in (
            self.filtered(lambda a: not a.date_done)
            .grouped(lambda a: min(a.stop, now) if logged else now)
            .items()
        ):
            actions._sfa_set_links({"date_done": done_on})

    # ------------------------------------------------------------------
    # Called by the activity and the calendar event overrides
    # ------------------------------------------------------------------

    def _sfa_done_from_activity(self, feedback):
        """The activity was marked done: so is its action, feedback as outcome."""
        with SYNC_ORIGIN("activity"):
            if feedback:
                self.filtered(lambda a: not a.outcome).write({"outcome": feedback})
            self.write({"state": "done"})

    def _sfa_follow_activity_deadline(self):
        """The activity's due date moved: move the action by as many days."""
        with SYNC_ORIGIN("activity"):
            for action in self:
                delta = action.activity_id.date_deadline - action._sfa_deadline()
                if delta:
                    action.write({"start": action.start + delta})

    def _sfa_follow_event(self):
        """The event was moved in the calendar: take its times."""
        with SYNC_ORIGIN("event"):
            for action in self:
                event = action.calendar_event_id
                if (event.start, event.stop) != (action.start, action.stop):
                    action.write({"start": event.start, "stop": event.stop})
