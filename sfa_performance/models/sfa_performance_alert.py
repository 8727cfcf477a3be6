from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import format_date

KINDS = [("owner", "Own Work"), ("team", "Team")]
# Share of a target's days that must be gone before it can be behind pace.
MID_PERIOD = 0.5
# Lines of each section shown in the mail; the digest keeps them all.
MAIL_ROWS = 20


class SfaPerformanceAlert(models.Model):
    """One daily alert digest sent to one user.

    Three sections, each only when it has something:

    * targets behind pace: a running target of a confirmed or locked plan,
      past the middle of its period, whose actual is below the company's
      pace (``sfa_alert_pace``) of what its days gone should have brought;
    * customers not contacted: the customer's last contact is older than
      its category's visit norm (``sfa_next_visit_date`` has passed);
    * overdue actions: still planned after their planned end.

    The owner of each item (the target's responsible, the customer's
    salesperson, the action's owner) gets their own digest, and their
    manager in the reporting line a team digest of their direct reports'
    items. A second run on the same day sends nothing: the rows are the
    memory, and the unique key makes two parallel runs fail rather than send
    twice.
    """

    _name = "sfa.performance.alert"
    _description = "Performance Alert Digest"
    _sfa_system_records = True
    _order = "date desc, id desc"
    _rec_name = "user_id"

    user_id = fields.Many2one(
        "res.users", "Recipient", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="user_id.company_id")
    date = fields.Date(required=True, index=True)
    kind = fields.Selection(KINDS, required=True)
    target_line_ids = fields.Many2many("sfa.target.line", string="Targets Behind Pace")
    partner_ids = fields.Many2many("res.partner", string="Customers Not Contacted")
    action_ids = fields.Many2many("sfa.action", string="Overdue Actions")
    target_count = fields.Integer(compute="_compute_counts")
    partner_count = fields.Integer(compute="_compute_counts")
    action_count = fields.Integer(compute="_compute_counts")

    _one_per_day = models.UniqueIndex(
        "(user_id, date, kind)",
        "A user gets one alert digest of each kind a day.",
    )

    @api.depends("user_id", "date", "kind")
    @api.depends_context("lang")
    def _compute_display_name(self):
        """ "Alerts of Rep One, 2 Dec 2026" (the recipient's own work) or
        "Team alerts of Manager One, 2 Dec 2026": read by their managers
        too, the name says whose they are, not "mine"."""
        for alert in self:
            day = format_date(self.env, alert.date)
            alert.display_name = (
                self.env._(
                    "Team alerts of %(user)s, %(date)s",
                    user=alert.user_id.name,
                    date=day,
                )
                if alert.kind == "team"
                else self.env._(
                    "Alerts of %(user)s, %(date)s", user=alert.user_id.name, date=day
                )
            )

    @api.depends("target_line_ids", "partner_ids", "action_ids")
    def _compute_counts(self):
        for alert in self:
            alert.target_count = len(alert.target_line_ids)
            alert.partner_count = len(alert.partner_ids)
            alert.action_count = len(alert.action_ids)

    # ------------------------------------------------------------------
    # What is alerted
    # ------------------------------------------------------------------

    @api.model
    def _sfa_targets_behind(self, today):
        """Running targets past mid-period and below the company's pace,
        their actuals refreshed first."""
        lines = self.env["sfa.target.line"].search(
            [
                ("plan_id.state", "in", ("confirmed", "locked")),
                ("date_from", "<=", today),
                ("date_to", ">=", today),
                ("target_value", ">", 0),
                ("owner_user_id", "!=", False),
            ]
        )
        lines = lines.filtered(
            lambda line: self._sfa_elapsed(line, today) >= MID_PERIOD
        )
        lines._refresh_actuals()
        return lines.filtered(
            lambda line: (
                line.actual_value
                < line.target_value
                * self._sfa_elapsed(line, today)
                * line.company_id.sfa_alert_pace
                / 100
            )
        )

    @api.model
    def _sfa_elapsed(self, line, today):
        """Share of the target's days gone, today included."""
        days = (line.date_to - line.date_from).days + 1
        return ((today - line.date_from).days + 1) / days

    @api.model
    def _sfa_customers_due(self, today):
        return self.env["res.partner"].search(
            [
                ("sfa_is_customer", "=", True),
                ("sfa_next_visit_date", "<", today),
                ("user_id", "!=", False),
            ]
        )

    @api.model
    def _sfa_actions_overdue(self):
        return self.env["sfa.action"].search(
            Domain("is_overdue", "=", True) & Domain("user_id", "!=", False)
        )

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_alerts(self):
        """Mail today's digests not sent yet."""
        alerts = self._sfa_create_alerts()
        if alerts:
            alerts.env.ref(
                "sfa_performance.mail_template_sfa_performance_alert"
            ).send_mail_batch(alerts.ids)
        return alerts

    @api.model
    def _sfa_create_alerts(self):
        """Today's digests not created yet: three searches, one create."""
        # sudo: the digests cover every owner's items, whatever the rights of
        # the cron's user; what each recipient gets is filtered on ownership.
        alerts = self.sudo()
        today = fields.Date.context_today(alerts)
        items = defaultdict(
            lambda: {
                "target_line_ids": set(),
                "partner_ids": set(),
                "action_ids": set(),
            }
        )

        def add(field, records, owner_of):
            for record in records:
                owner = owner_of(record)
                items[owner, "owner"][field].add(record.id)
                if owner.sfa_manager_id:
                    items[owner.sfa_manager_id, "team"][field].add(record.id)

        add(
            "target_line_ids",
            alerts._sfa_targets_behind(today),
            lambda line: line.owner_user_id,
        )
        add(
            "partner_ids",
            alerts._sfa_customers_due(today),
            lambda partner: partner.user_id,
        )
        add("action_ids", alerts._sfa_actions_overdue(), lambda action: action.user_id)
        sent = {
            (alert.user_id, alert.kind)
            for alert in alerts.search_fetch(
                [("date", "=", today)], ["user_id", "kind"]
            )
        }
        todo = [
            {
                "user_id": user.id,
                "date": today,
                "kind": kind,
                **{field: [(6, 0, sorted(ids))] for field, ids in found.items()},
            }
            for (user, kind), found in items.items()
            if (user, kind) not in sent and user.active and not user.share
        ]
        return alerts.create(todo) if todo else alerts.browse()

    # ------------------------------------------------------------------
    # What the mail shows
    # ------------------------------------------------------------------

    def _sfa_mail_targets(self):
        today = self.date or fields.Date.context_today(self)
        return [
            {
                "line": line,
                "expected": line.target_value * self._sfa_elapsed(line, today),
            }
            for line in self.target_line_ids.sorted(
                lambda line: (line.attainment, line.date_to)
            )[:MAIL_ROWS]
        ]

    def _sfa_mail_partners(self):
        return self.partner_ids.sorted(lambda p: (p.sfa_next_visit_date, p.name or ""))[
            :MAIL_ROWS
        ]

    def _sfa_mail_actions(self):
        return self.action_ids.sorted(lambda a: (a.stop, a.id))[:MAIL_ROWS]

    def _sfa_mail_subject(self):
        self.ensure_one()
        _ = self.env._
        parts = [
            text
            for count, text in (
                (
                    self.target_count,
                    _("%s targets behind pace", self.target_count)
                    if self.target_count > 1
                    else _("1 target behind pace"),
                ),
                (
                    self.partner_count,
                    _("%s customers to contact", self.partner_count)
                    if self.partner_count > 1
                    else _("1 customer to contact"),
                ),
                (
                    self.action_count,
                    _("%s overdue actions", self.action_count)
                    if self.action_count > 1
                    else _("1 overdue action"),
                ),
            )
            if count
        ]
        if self.kind == "team":
            return _("Your team: %s", ", ".join(parts))
        return _("Your alerts: %s", ", ".join(parts))

    def _sfa_mail_more(self):
        return MAIL_ROWS
