"""A year of sales activity for sfa_base's demo organization.

Loaded from ``demo/sfa_pipeline_demo.xml``. sfa_base's demo deals are
backdated over the past year, but their stage history (written when they
were created) says they all entered their stage today, and nobody has
recorded a single action: every report of this module would be empty or
flat. This builder gives each deal a plausible path through the stages and
products of the demo catalog (``demo/sfa_pipeline_demo.xml``), gives each
rep a year of calls, visits and meetings plus an agenda for the coming two
weeks, rebuilds the weekly pipeline snapshots of the past twelve weeks from
that history and refreshes the forecasts around today.

Everything is drawn from ``random.Random(42)``: two installs made on the
same day produce the same data. Dates are relative to the install day.
"""

import logging
import math
import random
import time
from collections import defaultdict
from datetime import datetime, timedelta

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .sfa_action_visit import distance_km

_logger = logging.getLogger(__name__)

DEMO_SEED = 42
ORG_XMLID = "sfa_base.demo_user_director"
# Set on the first action generated: the demo was built, do not build twice.
MARKER_XMLID = "sfa_pipeline.demo_action_first"
REP_COUNT = 12
DONE_PER_REP = 125
PLANNED_PER_REP = 8
OVERDUE_COUNT = 10
SNAPSHOT_WEEKS = 12
# Chance that a deal falls back one stage at each step forward.
REGRESSION_RATE = 0.12

# Type xml id suffix, weight, duration factor (min, max), cost (min, max).
DONE_TYPES = [
    ("call", 40, (0.4, 2.0), (0, 0)),
    ("visit", 30, (0.6, 1.6), (15, 120)),
    ("meeting", 12, (0.75, 2.0), (0, 80)),
    ("email", 9, (1.0, 1.0), (0, 0)),
    ("demo", 5, (0.75, 1.5), (40, 250)),
    ("task", 4, (0.5, 2.0), (0, 0)),
]
PLANNED_TYPES = [("call", 35), ("visit", 30), ("meeting", 15), ("demo", 10)] + [
    ("email", 5),
    ("task", 5),
]
RESULTS = [("positive", 40), ("neutral", 35), ("negative", 12), ("no_answer", 13)]
OUTCOMES = {
    "positive": [
        "Interested: asked for a detailed quotation.",
        "Good meeting, decision maker on board. Send the proposal this week.",
        "Confirmed the budget for next quarter.",
        "Happy with the last delivery, open to extending the contract.",
        "Agreed on the scope; technical visit to plan.",
    ],
    "neutral": [
        "Needs to discuss internally, call back in two weeks.",
        "Compared us with two competitors, no decision yet.",
        "Routine check-in, no new need for now.",
        "Asked for references of similar customers.",
        "Buyer changed: introduced myself to the new contact.",
    ],
    "negative": [
        "Budget frozen until next year.",
        "Found our prices too high against the competition.",
        "Complained about a late delivery; escalated to support.",
        "Project postponed indefinitely.",
    ],
    "no_answer": [
        "No answer, left a voicemail.",
        "Switchboard only, contact unavailable.",
        "Nobody at the reception, left documentation.",
    ],
}
DEMO_PRODUCTS = (
    "desk",
    "meeting_table",
    "chair",
    "conference_chair",
    "pedestal",
    "cabinet",
    "installation",
    "space_planning",
)
PLANNED_NOTES = {
    "call": "Follow-up call",
    "visit": "Visit to present the offer",
    "meeting": "Negotiation meeting",
    "demo": "Product demonstration on site",
    "email": "Send the revised quotation",
    "task": "Prepare the proposal",
}


class PipelineDemoBuilder:
    """Build the stage history, actions and snapshots in a few set-based steps."""

    def __init__(self, env):
        self.env = env
        self.rng = random.Random(DEMO_SEED)
        self.now = fields.Datetime.now().replace(microsecond=0)
        self.today = self.now.date()
        self.year_ago = self.now - timedelta(days=365)
        reps = [
            env.ref(f"sfa_base.demo_user_rep{n}", raise_if_not_found=False)
            for n in range(1, REP_COUNT + 1)
        ]
        self.reps = env["res.users"].union(*filter(None, reps))
        self.types = {
            key: env.ref(f"sfa_pipeline.sfa_action_type_{key}")
            for key, *_rest in DONE_TYPES
        }

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _weighted(self, choices):
        values, weights = zip(*[(choice[0], choice[1]) for choice in choices])
        return self.rng.choices(values, weights)[0]

    def _working_time(self, moment, forward=False):
        """``moment`` moved to a weekday between 7:00 and 16:00 UTC (office
        hours in France), so the calendar looks like a sales diary."""
        day = moment.date()
        while day.weekday() >= 5:
            day += timedelta(days=1 if forward else -1)
        return datetime.combine(day, datetime.min.time()) + timedelta(
            hours=self.rng.randint(7, 15), minutes=self.rng.choice((0, 15, 30, 45))
        )

    def _random_moment(self, start, end):
        span = max((end - start).total_seconds(), 0)
        return start + timedelta(seconds=self.rng.uniform(0, span))

    # ------------------------------------------------------------------
    # Steps
    # ------------------------------------------------------------------

    def build(self):
        started = time.perf_counter()
        self.env.flush_all()
        leads = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search(
                [
                    ("type", "=", "opportunity"),
                    ("user_id", "in", self.reps.ids),
                    ("stage_id", "!=", False),
                ],
                order="id",
            )
        )
        stay_count = self._rebuild_stage_history(leads)
        line_count = self._create_lead_lines(leads)
        done = self._create_done_actions(leads)
        planned = self._create_planned_actions(leads)
        self._link_next_actions(done, planned)
        # generators of their own from here: the demo above draws as before
        checked_in = self._check_in_done_visits(done)
        today = self._create_todays_actions(leads)
        if done:
            self.env["ir.model.data"]._update_xmlids(
                [{"xml_id": MARKER_XMLID, "record": done[:1], "noupdate": True}]
            )
        snapshot_rows = self._rebuild_snapshots(leads)
        forecasts = self._build_forecasts()
        self.env.flush_all()
        _logger.info(
            "SFA pipeline demo: %s stays of %s deals, %s product lines, %s done "
            "(%s visits checked in) and %s planned actions (%s today), %s "
            "snapshot rows, %s forecasts in %.1fs",
            stay_count,
            len(leads),
            line_count,
            len(done),
            checked_in,
            len(planned),
            len(today),
            snapshot_rows,
            len(forecasts),
            time.perf_counter() - started,
        )

    def _build_forecasts(self):
        """Forecasts of the last three months (their actuals: the forecast as
        it stood then is not known) up to the next two, and each supervisor's
        adjustment of one of their reps' current figure."""
        Forecast = self.env["sfa.forecast"]
        today = fields.Date.context_today(Forecast)
        # the reps' calls: likely deals committed, middling ones best case,
        # a few long shots left out
        open_deals = self.env["crm.lead"].search(
            [("user_id", "in", self.reps.ids), ("won_status", "=", "pending")]
        )
        by_category = defaultdict(lambda: self.env["crm.lead"])
        for deal in open_deals:
            if deal.probability >= 60:
                by_category["commit"] |= deal
            elif deal.probability >= 30:
                by_category["best_case"] |= deal
            elif self.rng.random() < 0.2:
                by_category["omitted"] |= deal
        for category, deals in by_category.items():
            deals.write({"sfa_forecast_category": category})
        forecasts = Forecast.browse()
        for months in range(-3, 3):
            day = today + relativedelta(months=months)
            forecasts |= Forecast._refresh_period(day)
        current = forecasts.filtered(
            lambda f: f.period_start == today.replace(day=1) and f.final_forecast
        )
        supervisors = self.reps.sfa_manager_id
        for supervisor in supervisors.sorted("id"):
            forecast = current.filtered(
                lambda f, s=supervisor: f.user_id in s.sfa_direct_report_ids
            )[:1]
            if forecast:
                self.env["sfa.forecast.adjustment"].with_user(supervisor).create(
                    {
                        "forecast_id": forecast.id,
                        "amount": round(forecast.final_forecast * 0.8, -2),
                        "reason": "The biggest deal depends on a budget vote "
                        "that may slip to next month.",
                    }
                )
        return forecasts

    def _stage_ladder(self):
        """Open stages in pipeline order, the won stage, and a probability on
        entry per stage (evenly spread, as a rep would set it)."""
        Stage = self.env["crm.stage"]
        open_stages = Stage.search(
            [("is_won", "=", False), ("team_ids", "=", False)], order="sequence, id"
        )
        won_stage = Stage.search([("is_won", "=", True)], order="sequence, id", limit=1)
        probability = {
            stage.id: round(100.0 * (index + 1) / (len(open_stages) + 1))
            for index, stage in enumerate(open_stages)
        }
        probability[won_stage.id] = 100.0
        return open_stages, won_stage, probability

    def _path(self, ladder, target, pending):
        """Stages a deal went through to reach ``target``, with fallbacks.

        Some deals fall back one stage on the way; some open ones have just
        fallen back into their current stage, so that week-to-week pipeline
        changes show deals going back too.
        """
        rank = (target.sequence, target.id)
        steps = [stage for stage in ladder if (stage.sequence, stage.id) < rank]
        higher = [
            stage
            for stage in ladder
            if (stage.sequence, stage.id) > rank and not stage.is_won
        ]
        steps.append(target)
        path = [steps[0]]
        for index in range(1, len(steps)):
            path.append(steps[index])
            if index < len(steps) - 1 and self.rng.random() < REGRESSION_RATE:
                path += [steps[index - 1], steps[index]]
        if pending and higher and self.rng.random() < 2 * REGRESSION_RATE:
            path += [higher[0], target]
        return path

    def _rebuild_stage_history(self, leads):
        """Replace the demo deals' stays by a path from creation to now.

        Won deals end in an open stay of the won stage entered on their
        closing date, lost ones with a stay closed as lost on that date, open
        ones with an open stay of their current stage: the database's one
        open stay per deal still holds. One DELETE, one INSERT and one UPDATE
        of the deals' last stage change.
        """
        if not leads:
            return 0
        open_stages, won_stage, probability = self._stage_ladder()
        ladder = open_stages | won_stage
        rows = []
        last_change = {}
        for lead in leads:
            closed = lead.won_status in ("won", "lost")
            end = min(lead.date_closed or self.now, self.now) if closed else self.now
            start = min(lead.create_date, end)
            path = self._path(ladder, lead.stage_id, lead.won_status == "pending")
            # The won stay starts on the closing date; others share the span.
            timed = path[:-1] if lead.won_status == "won" else path
            weights = [self.rng.uniform(0.4, 1.6) for _stage in timed]
            if lead.won_status == "pending":
                weights[-1] *= 1.5
            total, cursor, bounds = sum(weights), 0.0, []
            for weight in weights:
                bounds.append(start + (end - start) * (cursor / total))
                cursor += weight
            bounds = [moment.replace(microsecond=0) for moment in bounds]
            if lead.won_status == "won":
                bounds.append(end)
            amounts = [lead.expected_revenue] * len(path)
            for index in range(len(path) - 2, -1, -1):
                if self.rng.random() < 0.35:
                    drift = amounts[index + 1] * self.rng.uniform(0.75, 1.25)
                    amounts[index] = max(500, round(drift / 500) * 500)
                else:
                    amounts[index] = amounts[index + 1]
            for index, stage in enumerate(path):
                following = path[index + 1] if index + 1 < len(path) else None
                if following is None:
                    date_out = end if lead.won_status == "lost" else None
                    outcome = "lost" if lead.won_status == "lost" else "open"
                else:
                    date_out = bounds[index + 1]
                    outcome = (
                        "won"
                        if following.is_won
                        else "advanced"
                        if (following.sequence, following.id)
                        > (stage.sequence, stage.id)
                        else "regressed"
                    )
                is_current = following is None and lead.won_status == "pending"
                rows.append(
                    (
                        lead.id,
                        stage.id,
                        bounds[index],
                        date_out,
                        outcome,
                        amounts[index],
                        lead.probability
                        if is_current
                        else probability.get(stage.id, lead.probability),
                    )
                )
            last_change[lead.id] = bounds[-1]
        self.env["sfa.stage.history"].flush_model()
        self.env.execute_query(
            SQL("DELETE FROM sfa_stage_history WHERE lead_id = ANY(%s)", leads.ids)
        )
        columns = list(zip(*rows))
        self.env.execute_query(
            SQL(
                """
                INSERT INTO sfa_stage_history (
                    lead_id, stage_id, user_id, team_id, sfa_territory_id,
                    company_id, date_in, date_out, outcome, expected_revenue,
                    probability, changed_by_id)
                SELECT v.lead_id, v.stage_id, l.user_id, l.team_id,
                       l.sfa_territory_id, l.company_id, v.date_in, v.date_out,
                       v.outcome, v.expected_revenue, v.probability, l.user_id
                  FROM unnest(%s::int[], %s::int[], %s::timestamp[],
                              %s::timestamp[], %s::varchar[], %s::numeric[],
                              %s::float8[])
                       AS v(lead_id, stage_id, date_in, date_out, outcome,
                            expected_revenue, probability)
                  JOIN crm_lead l ON l.id = v.lead_id
                """,
                *[list(column) for column in columns],
            )
        )
        self.env.execute_query(
            SQL(
                """
                UPDATE crm_lead l SET date_last_stage_update = v.moment
                  FROM unnest(%s::int[], %s::timestamp[]) AS v(lead_id, moment)
                 WHERE l.id = v.lead_id
                """,
                list(last_change),
                list(last_change.values()),
            )
        )
        self.env.invalidate_all()
        return len(rows)

    def _create_lead_lines(self, leads):
        """One or two products of the demo catalog on every deal, priced so
        they add up to its expected revenue (a furniture deal often comes
        with its installation)."""
        catalog = [
            self.env.ref(f"sfa_pipeline.demo_product_{key}", raise_if_not_found=False)
            for key in DEMO_PRODUCTS
        ]
        catalog = [product for product in catalog if product]
        if not catalog:
            return 0
        vals_list = []
        for lead in leads:
            revenue = lead.expected_revenue
            if revenue <= 0:
                continue
            products = self.rng.sample(catalog, self.rng.choice((1, 1, 2)))
            shares = [1.0] if len(products) == 1 else [0.75, 0.25]
            left = revenue
            for index, (product, share) in enumerate(zip(products, shares)):
                amount = (
                    left if index == len(products) - 1 else round(revenue * share, 2)
                )
                left -= amount
                quantity = max(1, round(amount / product.lst_price))
                vals_list.append(
                    {
                        "lead_id": lead.id,
                        "product_id": product.id,
                        "quantity": quantity,
                        "price_unit": round(amount / quantity, 2),
                        "sequence": index,
                    }
                )
        self.env["sfa.lead.line"].create(vals_list)
        return len(vals_list)

    def _customers(self):
        """The reps' customers (companies) that are still seen.

        Dormant and lost customers are left out: recent actions on them would
        wake them up and take sfa_base's dormant examples away.
        """
        partners = self.env["res.partner"].search(
            [
                ("user_id", "in", self.reps.ids),
                ("is_company", "=", True),
                ("parent_id", "=", False),
                ("sfa_lifecycle_stage", "not in", ("dormant", "lost")),
            ],
            order="id",
        )
        return partners.grouped("user_id")

    def _create_done_actions(self, leads):
        """A year of done actions per rep, half of them on a deal while it
        was open. Created done (with their date), so no activity is opened;
        the customers' last contact moves as when a rep records them."""
        rng = self.rng
        customers = self._customers()
        leads_by_rep = leads.grouped("user_id")
        vals_list = []
        for rep in self.reps:
            rep_leads = leads_by_rep.get(rep, leads.browse())
            partners = customers.get(rep, self.env["res.partner"])
            if not rep_leads and not partners:
                continue
            for _index in range(DONE_PER_REP):
                # The day first, evenly over the year, then what was alive then.
                start = self._working_time(
                    self._random_moment(self.year_ago, self.now - timedelta(days=1))
                )
                alive = [
                    lead
                    for lead in rep_leads
                    if lead.create_date <= start < (lead.date_closed or self.now)
                ]
                known = [p for p in partners if p.create_date <= start]
                vals = {"user_id": rep.id, "state": "done", "start": start}
                if alive and (not known or rng.random() < 0.55):
                    vals["lead_id"] = rng.choice(alive).id
                elif known:
                    partner = rng.choice(known)
                    vals["partner_id"] = partner.id
                    if partner.child_ids and rng.random() < 0.6:
                        vals["contact_id"] = rng.choice(partner.child_ids).id
                else:
                    continue
                key = self._weighted(DONE_TYPES)
                if key == "demo" and "lead_id" not in vals:
                    key = "visit"
                _key, _weight, (short, long), (cheap, dear) = next(
                    row for row in DONE_TYPES if row[0] == key
                )
                action_type = self.types[key]
                duration = max(
                    0.25,
                    round(action_type.default_duration * rng.uniform(short, long) * 4)
                    / 4,
                )
                result = self._weighted(RESULTS)
                if key in ("visit", "meeting", "demo") and result == "no_answer":
                    result = "neutral"
                stop = start + timedelta(hours=duration)
                vals.update(
                    action_type_id=action_type.id,
                    duration=duration,
                    date_done=stop,
                    result=result,
                    outcome=rng.choice(OUTCOMES[result]),
                    cost=round(rng.uniform(cheap, dear), 2) if dear else 0.0,
                )
                vals_list.append(vals)
        # Newest first: each customer's last contact is written once.
        vals_list.sort(key=lambda vals: vals["start"], reverse=True)
        return self.env["sfa.action"].create(vals_list)

    def _check_in_done_visits(self, done):
        """The visits of the last three months were checked in from My Day:
        most near the customer, a few far from it, some without the position
        (refused or not available)."""
        rng = random.Random(DEMO_SEED + 2)
        since = self.now - timedelta(days=90)
        visits = done.filtered(
            lambda a: a.is_visit and a.start >= since and a.partner_id
        )
        for visit in visits:
            partner = visit.partner_id.commercial_partner_id
            checkin = visit.start + timedelta(minutes=rng.randint(-10, 15))
            checkout = visit.stop + timedelta(minutes=rng.randint(-20, 20))
            vals = {
                "checkin_date": checkin,
                "checkout_date": max(checkout, checkin + timedelta(minutes=10)),
            }
            draw = rng.random()
            if draw < 0.08 or not partner.partner_latitude:
                vals.update(checkin_location="refused", checkout_location="refused")
            elif draw < 0.14:
                vals.update(
                    checkin_location="unavailable", checkout_location="unavailable"
                )
            else:
                far = draw > 0.92
                km = rng.uniform(2.0, 12.0) if far else rng.uniform(0.02, 0.6)
                # km east of the customer (a degree of longitude shrinks with
                # the latitude)
                lon = partner.partner_longitude + km / (
                    111.32 * max(math.cos(math.radians(partner.partner_latitude)), 0.1)
                )
                vals.update(
                    checkin_location="located",
                    checkin_latitude=partner.partner_latitude,
                    checkin_longitude=lon,
                    checkin_distance=distance_km(
                        partner.partner_latitude,
                        partner.partner_longitude,
                        partner.partner_latitude,
                        lon,
                    ),
                    checkin_far=far,
                    checkout_location="located",
                    checkout_latitude=partner.partner_latitude,
                    checkout_longitude=lon,
                )
            visit.write(vals)
        return len(visits)

    def _create_todays_actions(self, leads):
        """Each rep's day: a visit late in the morning and a call in the
        afternoon, for My Day; the day and the hours are the user's (their
        time zone): just after midnight in Paris, UTC is still yesterday."""
        rng = random.Random(DEMO_SEED + 3)
        customers = self._customers()

        def at(user, hour):
            tz = pytz.timezone(user.tz or "UTC")
            day = pytz.utc.localize(self.now).astimezone(tz).date()
            local = tz.localize(datetime.combine(day, datetime.min.time()))
            return (
                (local + timedelta(hours=hour))
                .astimezone(pytz.utc)
                .replace(tzinfo=None)
            )

        vals_list = []
        for rep in self.reps:
            partners = customers.get(rep, self.env["res.partner"])
            if not partners:
                continue
            for key, hour in (("visit", 9), ("call", 13)):
                vals_list.append(
                    {
                        "user_id": rep.id,
                        "partner_id": rng.choice(partners).id,
                        "action_type_id": self.types[key].id,
                        "start": at(rep, hour + 0.5),
                        "description": PLANNED_NOTES[key],
                    }
                )
        # and their leads' day: a visit with one of their people's customers
        leads_ = self.env["res.users"].union(
            *filter(
                None,
                [
                    self.env.ref(
                        f"sfa_base.demo_user_{login}", raise_if_not_found=False
                    )
                    for login in (
                        "supervisor1",
                        "supervisor2",
                        "supervisor3",
                        "supervisor4",
                        "manager1",
                        "manager2",
                        "director",
                    )
                ],
            )
        )
        below = leads_._sfa_subordinates_map()
        for lead in leads_:
            team = [rep for rep in self.reps if rep.id in below.get(lead.id, [])]
            partners = [p for rep in team for p in customers.get(rep, [])]
            if partners:
                vals_list.append(
                    {
                        "user_id": lead.id,
                        "partner_id": rng.choice(partners).id,
                        "action_type_id": self.types["visit"].id,
                        "start": at(lead, 12),
                        "description": "Joint visit with the rep",
                    }
                )
        return self.env["sfa.action"].create(vals_list)

    def _create_planned_actions(self, leads):
        """The coming two weeks of each rep's agenda, on open deals first, and
        a few actions left overdue. These go through the activity and
        calendar mirroring like any planned action."""
        rng = self.rng
        customers = self._customers()
        open_by_rep = leads.filtered(
            lambda lead: lead.active and lead.won_status == "pending"
        ).grouped("user_id")
        overdue_reps = set(
            rng.sample(self.reps.ids, min(OVERDUE_COUNT, len(self.reps)))
        )
        vals_list = []
        for rep in self.reps:
            rep_leads = list(open_by_rep.get(rep, []))
            partners = customers.get(rep, self.env["res.partner"])
            if not rep_leads and not partners:
                continue
            count = PLANNED_PER_REP + (1 if rep.id in overdue_reps else 0)
            for index in range(count):
                vals = {"user_id": rep.id}
                key = self._weighted(PLANNED_TYPES)
                if rep_leads and (not partners or rng.random() < 0.7):
                    vals["lead_id"] = rng.choice(rep_leads).id
                else:
                    vals["partner_id"] = rng.choice(partners).id
                    if key == "demo":
                        key = "visit"
                if index == PLANNED_PER_REP:
                    moment = self.now - timedelta(days=rng.randint(1, 6))
                    start = self._working_time(moment)
                else:
                    moment = self.now + timedelta(days=rng.randint(1, 14))
                    start = self._working_time(moment, forward=True)
                vals.update(
                    action_type_id=self.types[key].id,
                    start=start,
                    description=PLANNED_NOTES[key],
                )
                vals_list.append(vals)
        return self.env["sfa.action"].create(vals_list)

    def _link_next_actions(self, done, planned):
        """Chain each planned action on a deal to the last one done on it, as
        "done, schedule next" does (one UPDATE)."""
        last_done = {}
        for action in done.filtered("lead_id").sorted("start"):
            last_done[action.lead_id.id] = action.id
        pairs = {
            last_done[action.lead_id.id]: action.id
            for action in planned
            if action.lead_id.id in last_done
        }
        if not pairs:
            return
        self.env.execute_query(
            SQL(
                """
                UPDATE sfa_action a SET next_action_id = v.next_id
                  FROM unnest(%s::int[], %s::int[]) AS v(id, next_id)
                 WHERE a.id = v.id
                """,
                list(pairs),
                list(pairs.values()),
            )
        )
        self.env["sfa.action"].invalidate_model(["next_action_id"])

    def _rebuild_snapshots(self, leads):
        """The weekly snapshots of the past twelve weeks, read off the stage
        history: on each date, every deal whose open stay was not the won
        stage, with that stay's stage, amount, probability, owner, team and
        territory. Some deals' expected closing slipped along the way: their
        older snapshots show an earlier date. One INSERT ... SELECT for all
        dates; dates that already have a snapshot are left alone.
        """
        rng = self.rng
        dates = [
            self.today - timedelta(weeks=week) for week in range(SNAPSHOT_WEEKS, 0, -1)
        ]
        slipped = [lead for lead in leads if lead.date_deadline and rng.random() < 0.3]
        slips = defaultdict(list)
        for lead in slipped:
            slips["lead_id"].append(lead.id)
            slips["since"].append(rng.choice(dates))
            slips["days"].append(rng.randint(7, 45))
        self.env["sfa.stage.history"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO sfa_pipeline_snapshot (
                    snapshot_date, lead_id, stage_id, user_id, team_id,
                    sfa_territory_id, sfa_category_id, company_id,
                    expected_revenue, probability, prorated_revenue, date_deadline)
                SELECT d.day, h.lead_id, h.stage_id, h.user_id, h.team_id,
                       h.sfa_territory_id, cp.sfa_category_id, h.company_id,
                       h.expected_revenue, h.probability,
                       h.expected_revenue * h.probability / 100.0,
                       CASE WHEN d.day < s.since THEN l.date_deadline - s.days
                            ELSE l.date_deadline END
                  FROM unnest(%(dates)s::date[]) AS d(day)
                  JOIN sfa_stage_history h
                    ON h.date_in < d.day + 1
                   AND (h.date_out IS NULL OR h.date_out >= d.day + 1)
                  JOIN crm_stage st ON st.id = h.stage_id AND st.is_won IS NOT TRUE
                  JOIN crm_lead l ON l.id = h.lead_id AND l.type = 'opportunity'
                  LEFT JOIN res_partner p ON p.id = l.partner_id
                  LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
                  LEFT JOIN unnest(%(slip_leads)s::int[], %(slip_since)s::date[],
                                   %(slip_days)s::int[]) AS s(lead_id, since, days)
                    ON s.lead_id = h.lead_id
                 WHERE NOT EXISTS (SELECT 1 FROM sfa_pipeline_snapshot x
                                    WHERE x.snapshot_date = d.day)
                 ORDER BY d.day, h.lead_id
                ON CONFLICT (snapshot_date, lead_id) DO NOTHING
                """,
                dates=dates,
                slip_leads=slips["lead_id"],
                slip_since=slips["since"],
                slip_days=slips["days"],
            )
        )
        return self.env.cr.rowcount


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _sfa_pipeline_generate_demo(self):
        """Give sfa_base's demo organization a year of pipeline history
        (called from demo data only).

        Does nothing without that organization (sfa_base installed without
        its demo) or when this demo was already built (its marker xml id is
        there), so reloading the demo data changes nothing.
        """
        if not self.env.ref(ORG_XMLID, raise_if_not_found=False):
            return False
        if self.env.ref(MARKER_XMLID, raise_if_not_found=False):
            return False
        env = self.env(
            context=dict(
                self.env.context,
                tracking_disable=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                mail_notrack=True,
                mail_activity_quick_update=True,
                no_mail_to_attendees=True,
            )
        )
        PipelineDemoBuilder(env).build()
        # the stage history was written in SQL: its facts (lost deals) too
        env["sfa.fact"]._sfa_rebuild()
        return True
