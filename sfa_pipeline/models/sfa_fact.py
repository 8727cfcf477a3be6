import dataclasses

from odoo import api, models
from odoo.tools import SQL

from odoo.addons.sfa_base.models.sfa_fact import (
    WON_DEAL_FIELDS,
    FactSource,
    closed_leads,
    won_leads,
)

ACTION_FIELDS = (
    "state",
    "date_done",
    "start",
    "stop",
    "user_id",
    "partner_id",
    "contact_id",
    "lead_id",
    "company_id",
    "cost",
    "action_type_id",
)


class SfaFact(models.Model):
    """Actions (done, planned, on time, calls, costs) and lost deals as
    facts; an action's own activity and calendar event are not counted
    twice."""

    _inherit = "sfa.fact"

    @api.model
    def _sfa_fact_sources(self):
        _ = self.env._
        sources = super()._sfa_fact_sources()
        action = {
            "res_id": "a.id",
            "company_id": "a.company_id",
            "user_id": "a.user_id",
            # the deal's team, else the owner's main team
            "team_id": "COALESCE(l.team_id, u.sale_team_id)",
            "partner_id": "p.commercial_partner_id",
            "lead_id": "a.lead_id",
        }
        done = {**action, "moment": "a.date_done"}
        planned = {**action, "moment": "a.start"}
        calls = SQL(
            "%s AND mt.category = 'phonecall'", self._sfa_actions_sql(done=True)
        )
        sources.update(
            {
                "done_actions": FactSource(
                    "done_actions",
                    _("Done Actions"),
                    "sfa.action",
                    done,
                    self._sfa_actions_sql(done=True),
                    unit="count",
                    depends=ACTION_FIELDS,
                    contact="action",
                    sequence=40,
                ),
                "done_visits": FactSource(
                    "done_visits",
                    _("Done Visits"),
                    "sfa.action",
                    done,
                    SQL("%s AND a.is_visit", self._sfa_actions_sql(done=True)),
                    unit="count",
                    depends=ACTION_FIELDS,
                    sequence=41,
                ),
                "action_cost": FactSource(
                    "action_cost",
                    _("Sales Expenses"),
                    "sfa.action",
                    {**done, "amount": "COALESCE(a.cost, 0)"},
                    self._sfa_actions_sql(done=True),
                    depends=ACTION_FIELDS,
                    target=False,
                    sequence=42,
                ),
                "planned_actions": FactSource(
                    "planned_actions",
                    _("Planned Actions"),
                    "sfa.action",
                    planned,
                    self._sfa_actions_sql(done=False),
                    unit="count",
                    depends=ACTION_FIELDS,
                    target=False,
                    sequence=43,
                ),
                "on_time_actions": FactSource(
                    "on_time_actions",
                    _("Actions Done on Time"),
                    "sfa.action",
                    planned,
                    SQL(
                        "%s AND a.state = 'done' AND a.date_done <= a.stop",
                        self._sfa_actions_sql(done=False),
                    ),
                    unit="count",
                    depends=ACTION_FIELDS,
                    target=False,
                    sequence=44,
                ),
                "calls": FactSource(
                    "calls",
                    _("Calls"),
                    "sfa.action",
                    done,
                    calls,
                    unit="count",
                    depends=ACTION_FIELDS,
                    sequence=45,
                ),
                "call_minutes": FactSource(
                    "call_minutes",
                    _("Call Minutes"),
                    "sfa.action",
                    {**done, "quantity": "a.duration * 60"},
                    calls,
                    unit="minutes",
                    depends=(*ACTION_FIELDS, "duration"),
                    target=False,
                    sequence=46,
                ),
                "lost_deals": FactSource(
                    "lost_deals",
                    _("Lost Deals"),
                    "sfa.stage.history",
                    {
                        "res_id": "h.id",
                        "moment": "h.date_out",
                        "company_id": "h.company_id",
                        "user_id": "h.user_id",
                        "team_id": "h.team_id",
                        "partner_id": "p.commercial_partner_id",
                        "lead_id": "h.lead_id",
                    },
                    SQL(
                        """
                          FROM sfa_stage_history h
                          LEFT JOIN crm_lead l ON l.id = h.lead_id
                          LEFT JOIN res_partner p ON p.id = l.partner_id
                         WHERE h.outcome = 'lost' AND h.date_out IS NOT NULL
                           AND h.company_id IS NOT NULL
                        """
                    ),
                    unit="count",
                    # the stay is written with the deal's change, in SQL
                    triggers=(("crm.lead", (), "lead_id", "id", closed_leads),),
                    target=False,
                    sequence=30,
                ),
                "won_lines": FactSource(
                    "won_lines",
                    _("Won Products"),
                    "sfa.lead.line",
                    {
                        "res_id": "ll.id",
                        "lead_id": "l.id",
                        "moment": "l.date_closed",
                        "company_id": "COALESCE(l.company_id, tm.company_id,"
                        " u.company_id)",
                        "user_id": "l.user_id",
                        "team_id": "l.team_id",
                        "partner_id": "COALESCE(p.commercial_partner_id, l.partner_id)",
                        "product_id": "ll.product_id",
                        "quantity": "ll.quantity",
                        "amount": "COALESCE(ll.amount, 0)",
                    },
                    SQL(
                        """
                          FROM sfa_lead_line ll
                          JOIN crm_lead l ON l.id = ll.lead_id
                          LEFT JOIN res_partner p ON p.id = l.partner_id
                          LEFT JOIN crm_team tm ON tm.id = l.team_id
                          LEFT JOIN res_users u ON u.id = l.user_id
                         WHERE l.type = 'opportunity' AND l.won_status = 'won'
                           AND l.date_closed IS NOT NULL
                        """
                    ),
                    depends=(
                        "lead_id",
                        "product_id",
                        "quantity",
                        "price_unit",
                        "discount",
                        "amount",
                    ),
                    triggers=(
                        (
                            "crm.lead",
                            WON_DEAL_FIELDS,
                            "lead_id",
                            "id",
                            won_leads,
                        ),
                    ),
                    target=False,
                    sequence=26,
                ),
            }
        )
        # an activity or a meeting counts unless an action owns it: a
        # change of the action's link moves the old and the new one
        for metric, link in (
            ("contact_activities", "activity_id"),
            ("contact_meetings", "calendar_event_id"),
        ):
            if metric in sources:
                source = sources[metric]
                sources[metric] = dataclasses.replace(
                    source,
                    triggers=(
                        *source.triggers,
                        ("sfa.action", (link,), "res_id", link),
                    ),
                )
        return sources

    @api.model
    def _sfa_actions_sql(self, done):
        """Actions with their deal, owner, customer and type: the done ones
        (``done``) or every one planned and not cancelled."""
        return SQL(
            """
              FROM sfa_action a
              JOIN sfa_action_type t ON t.id = a.action_type_id
              LEFT JOIN mail_activity_type mt ON mt.id = t.activity_type_id
              LEFT JOIN crm_lead l ON l.id = a.lead_id
              LEFT JOIN res_users u ON u.id = a.user_id
              LEFT JOIN res_partner p ON p.id = a.partner_id
             WHERE %s
            """,
            SQL("a.state = 'done' AND a.date_done IS NOT NULL")
            if done
            else SQL("a.state != 'cancelled'"),
        )

    @api.model
    def _sfa_activity_filter_sql(self):
        """An action's activity is the action: counted once, as the action."""
        return SQL("NOT EXISTS (SELECT 1 FROM sfa_action x WHERE x.activity_id = a.id)")

    @api.model
    def _sfa_meeting_filter_sql(self):
        """An action's calendar event is the action: counted once, as it."""
        return SQL(
            "NOT EXISTS (SELECT 1 FROM sfa_action x WHERE x.calendar_event_id = e.id)"
        )
