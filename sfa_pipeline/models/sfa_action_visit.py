import math
import time as time_module
from datetime import datetime, time, timedelta
from urllib.parse import quote_plus

import pytz

from odoo import api, fields, models, modules
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain

LOCATIONS = [
    ("located", "Located"),
    ("refused", "Refused by the User"),
    ("unavailable", "Not Available"),
]
EARTH_RADIUS_KM = 6371.0


def distance_km(lat1, lon1, lat2, lon2):
    """Great-circle distance between two points (haversine), in km."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = (
        math.sin(dphi / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


# customers located a night: the public geocoder takes one request a second
LOCATE_BATCH = 200


class SfaAction(models.Model):
    """The rep's day on the road: today's actions, checking in and out of a
    visit with the browser's position (when the user allows it), its
    distance to the customer (the partner's coordinates, which Odoo's
    geolocation fills from the address) and the time spent on site."""

    _inherit = "sfa.action"

    checkin_date = fields.Datetime("Checked In", readonly=True, copy=False)
    checkin_latitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    checkin_longitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    checkin_location = fields.Selection(
        LOCATIONS, "Check-in Location", readonly=True, copy=False
    )
    checkin_distance = fields.Float(
        "Distance at Check-in (km)",
        digits=(16, 2),
        readonly=True,
        copy=False,
        aggregator="avg",
        help="From the position the browser gave at check-in to the customer's "
        "coordinates; empty when either is unknown.",
    )
    checkin_far = fields.Boolean(
        "Checked In Far Away",
        readonly=True,
        copy=False,
        help="Checked in farther from the customer than the company allows.",
    )
    checkout_date = fields.Datetime("Checked Out", readonly=True, copy=False)
    checkout_latitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    checkout_longitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    checkout_location = fields.Selection(
        LOCATIONS, "Check-out Location", readonly=True, copy=False
    )
    time_on_site = fields.Float(
        "Time on Site (hours)",
        compute="_compute_time_on_site",
        store=True,
        aggregator="avg",
    )
    is_today = fields.Boolean(
        compute="_compute_is_today",
        search="_search_is_today",
        help="Starts today, on the user's calendar.",
    )
    partner_phone = fields.Char(related="partner_id.phone", string="Phone")
    partner_address = fields.Char(
        "Address", compute="_compute_partner_address", compute_sudo=False
    )
    maps_url = fields.Char("Map", compute="_compute_partner_address")

    can_check_in = fields.Boolean(
        compute="_compute_can_check_in",
        help="The current user is the visit's salesperson and it is planned: "
        "the check-in and check-out button is shown to them only.",
    )

    @api.depends("user_id", "is_visit", "state")
    @api.depends_context("uid")
    def _compute_can_check_in(self):
        for action in self:
            action.can_check_in = (
                action.is_visit
                and action.state == "planned"
                and action.user_id == self.env.user
            )

    @api.depends("checkin_date", "checkout_date")
    def _compute_time_on_site(self):
        for action in self:
            if action.checkin_date and action.checkout_date:
                seconds = (action.checkout_date - action.checkin_date).total_seconds()
                action.time_on_site = max(seconds, 0.0) / 3600
            else:
                action.time_on_site = 0.0

    def _sfa_today_bounds(self):
        """[start, end) of the user's today, in UTC."""
        tz = pytz.timezone(self.env.user.tz or "UTC")
        today = self._sfa_today()
        start = tz.localize(datetime.combine(today, time.min))
        end = start + timedelta(days=1)
        return (
            start.astimezone(pytz.utc).replace(tzinfo=None),
            end.astimezone(pytz.utc).replace(tzinfo=None),
        )

    @api.depends("start")
    @api.depends_context("uid")
    def _compute_is_today(self):
        start, end = self._sfa_today_bounds()
        for action in self:
            action.is_today = bool(action.start and start <= action.start < end)

    def _search_is_today(self, operator, value):
        if operator in ("=", "!="):
            value = [value]
            operator = "in" if operator == "=" else "not in"
        if operator not in ("in", "not in"):
            return NotImplemented
        start, end = self._sfa_today_bounds()
        domain = Domain("start", ">=", start) & Domain("start", "<", end)
        return domain if (operator == "in") == any(value) else ~domain

    @api.depends(
        "partner_id.street",
        "partner_id.street2",
        "partner_id.state_id",
        "partner_id.zip",
        "partner_id.city",
        "partner_id.country_id",
        "partner_id.partner_latitude",
        "partner_id.partner_longitude",
    )
    def _compute_partner_address(self):
        for action in self:
            partner = action.partner_id
            # Odoo's own address format of the partner's country, on one line
            lines = partner._display_address(without_company=True).splitlines()
            address = ", ".join(line.strip() for line in lines if line.strip())
            action.partner_address = address
            if partner.partner_latitude or partner.partner_longitude:
                query = f"{partner.partner_latitude},{partner.partner_longitude}"
            else:
                query = address
            action.maps_url = (
                f"https://www.google.com/maps/search/?api=1&query={quote_plus(query)}"
                if query
                else False
            )

    # ------------------------------------------------------------------
    # Check-in and check-out
    # ------------------------------------------------------------------

    def _sfa_check_on_site(self):
        """Only the visit's own salesperson checks in and out of it, while it
        is planned: a manager reads the check-ins, never makes them."""
        self.ensure_one()
        self.check_access("write")
        if self.user_id != self.env.user:
            raise AccessError(
                self.env._(
                    "Only %s checks in and out of this visit.", self.user_id.name
                )
            )
        if not self.is_visit:
            raise UserError(self.env._("Only visits are checked in and out of."))
        if self.state != "planned":
            raise UserError(
                self.env._("This visit is no longer planned: it cannot be checked in.")
            )

    def _sfa_position(self, latitude, longitude, location):
        """(location, latitude, longitude) as sent by the browser, checked."""
        if location not in dict(LOCATIONS):
            raise UserError(self.env._("Unknown location status: %s.", location))
        if location != "located":
            return location, 0.0, 0.0
        try:
            latitude, longitude = float(latitude), float(longitude)
        except (TypeError, ValueError):
            raise UserError(
                self.env._("The position sent is not a latitude and a longitude.")
            ) from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise UserError(self.env._("The position sent is not on Earth."))
        return location, latitude, longitude

    def action_check_in(self, latitude=None, longitude=None, location="located"):
        """Check in at the customer's: now, where the browser says the user is
        (or that they refused to say). The distance to the customer is kept,
        and a check-in farther than the company allows is flagged."""
        self._sfa_check_on_site()
        if self.checkin_date:
            raise UserError(self.env._("This visit is checked in already."))
        location, latitude, longitude = self._sfa_position(
            latitude, longitude, location
        )
        partner = self.partner_id.commercial_partner_id
        distance = 0.0
        known = location == "located" and (
            partner.partner_latitude or partner.partner_longitude
        )
        if known:
            distance = distance_km(
                latitude,
                longitude,
                partner.partner_latitude,
                partner.partner_longitude,
            )
        limit = self.company_id.sfa_checkin_distance or 0.0
        # sudo: fields only the check-in writes, on a visit of the user's own
        # (checked above)
        self.sudo().write(
            {
                "checkin_date": fields.Datetime.now(),
                "checkin_location": location,
                "checkin_latitude": latitude,
                "checkin_longitude": longitude,
                "checkin_distance": distance if known else 0.0,
                "checkin_far": bool(known and limit and distance > limit),
            }
        )
        return True

    @api.model
    def _cron_sfa_locate_customers(self, limit=LOCATE_BATCH):
        """Every night: the customers of the coming week's visits, and of
        visits checked in with a position, that have an address but no
        coordinates are located with Odoo's geolocation (one request per
        customer, spaced as the public geocoder asks, ``limit`` a night);
        then the check-ins made before their customer had coordinates get
        their distance, and are flagged if far."""
        today = fields.Datetime.now()
        # sudo: the system's job, over every company's visits
        Action = self.sudo()
        visits = Action.search(
            Domain("is_visit", "=", True)
            & (
                (
                    Domain("state", "=", "planned")
                    & Domain("start", ">=", today - timedelta(days=1))
                    & Domain("start", "<", today + timedelta(days=7))
                )
                | (
                    Domain("checkin_location", "=", "located")
                    & Domain("checkin_distance", "=", 0)
                    & Domain("checkin_date", ">=", today - timedelta(days=30))
                )
            )
        )
        unlocated = visits.partner_id.commercial_partner_id.filtered(
            lambda p: (
                not (p.partner_latitude or p.partner_longitude)
                and (p.city or p.zip)
                and p.country_id
            )
        )[:limit]
        for index, partner in enumerate(unlocated):
            if index and not modules.module.current_test:
                time_module.sleep(1)  # the public geocoder's usage policy
            partner.with_context(force_geo_localize=True).geo_localize()
        located = visits.filtered(
            lambda v: (
                v.checkin_location == "located"
                and not v.checkin_distance
                and (
                    v.partner_id.commercial_partner_id.partner_latitude
                    or v.partner_id.commercial_partner_id.partner_longitude
                )
            )
        )
        for visit in located:
            partner = visit.partner_id.commercial_partner_id
            distance = distance_km(
                visit.checkin_latitude,
                visit.checkin_longitude,
                partner.partner_latitude,
                partner.partner_longitude,
            )
            limit_km = visit.company_id.sfa_checkin_distance or 0.0
            visit.write(
                {
                    "checkin_distance": distance,
                    "checkin_far": bool(limit_km and distance > limit_km),
                }
            )
        return len(unlocated), len(located)

    def action_check_out(self, latitude=None, longitude=None, location="located"):
        """Check out of the visit: now, where the browser says the user is."""
        self._sfa_check_on_site()
        if not self.checkin_date:
            raise UserError(self.env._("Check in to this visit first."))
        if self.checkout_date:
            raise UserError(self.env._("This visit is checked out already."))
        location, latitude, longitude = self._sfa_position(
            latitude, longitude, location
        )
        # sudo: as for the check-in
        self.sudo().write(
            {
                "checkout_date": fields.Datetime.now(),
                "checkout_location": location,
                "checkout_latitude": latitude,
                "checkout_longitude": longitude,
            }
        )
        return True

    def action_done(self):
        """A visit finished without checking out is checked out when it is
        marked done (without a position)."""
        leaving = self.filtered(
            lambda a: a.state == "planned" and a.checkin_date and not a.checkout_date
        )
        res = super().action_done()
        if leaving:
            leaving.sudo().write(
                {
                    "checkout_date": fields.Datetime.now(),
                    "checkout_location": "unavailable",
                }
            )
        return res

    def action_open_finish(self):
        """Finish the visit from My Day: its result and outcome in a dialog,
        then Done, or Done and plan the next one."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Finish %s", self.name),
            "res_model": "sfa.action",
            "res_id": self.id,
            "view_mode": "form",
            "views": [
                (self.env.ref("sfa_pipeline.sfa_action_view_form_finish").id, "form")
            ],
            "target": "new",
        }
