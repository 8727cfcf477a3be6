from collections import defaultdict

from odoo import api, fields, models
from odoo.tools.sql import column_exists

# What a stay records of its lead, in sfa.stage.history._sfa_rows_sql order.
CAPTURED_FIELDS = (
    "stage_id",
    "active",
    "user_id",
    "team_id",
    "sfa_territory_id",
    "company_id",
    "expected_revenue",
    "probability",
)

FORECAST_CATEGORIES = [
    ("pipeline", "Pipeline"),
    ("best_case", "Best Case"),
    ("commit", "Commit"),
    ("omitted", "Omitted"),
]

# Writing any of these may move an opportunity to another stage, directly or
# through Odoo's stage computation (team and type changes).
STAGE_TRIGGERS = {"stage_id", "active", "team_id", "type"}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    sfa_stage_history_ids = fields.One2many(
        "sfa.stage.history", "lead_id", string="Stage History"
    )

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads._sfa_capture_stage_changes(opening=True)
        self.env["sfa.stage.norm"]._generate_actions(leads)
        return leads

    def write(self, vals):
        if not STAGE_TRIGGERS & set(vals):
            return super().write(vals)
        if "stage_id" in vals:
            self.env["sfa.stage.norm"]._check_leave(self, vals["stage_id"])
        watched = ("stage_id", "active", "team_id")
        before = list(zip(*self._sfa_cached_columns(watched)))
        res = super().write(vals)
        # most team or type changes leave the stage alone: nothing to record
        after = zip(*self._sfa_cached_columns(watched[:2]))
        changed_ids, moved_ids, old_stays = [], [], {}
        for id_, (stage_id, active, team_id), now in zip(self._ids, before, after):
            if (stage_id, active) != now:
                changed_ids.append(id_)
                if stage_id != now[0]:
                    moved_ids.append(id_)
                    old_stays[id_] = (stage_id, team_id)
        if "stage_id" not in vals and moved_ids:
            # Odoo moved them itself (new team or type): the playbook of the
            # stage they left still has its say, after the fact.
            self.env["sfa.stage.norm"]._check_leave_moves(
                {lead: old_stays[lead.id] for lead in self.browse(moved_ids)}
            )
        self.browse(changed_ids)._sfa_capture_stage_changes()
        self.env["sfa.stage.norm"]._generate_actions(self.browse(moved_ids))
        return res

    def _sfa_cached_columns(self, fnames):
        """The leads' values of ``fnames``, one list per field, read from the
        ORM cache in bulk: pending computations run first and missing values
        are fetched, in one go per field, then the raw cache values (ids for
        many2one fields) are read without building a record per value. On a
        batch of 10,000 leads this saves most of the capture's Python time."""
        columns = []
        for fname in fnames:
            field = self._fields[fname]
            if field.compute and field.store:
                self._recompute_field(field, self._ids)
            cache = field._get_cache(self.env)
            if any(id_ not in cache for id_ in self._ids):
                self.fetch([fname])
                cache = field._get_cache(self.env)
            columns.append([cache[id_] for id_ in self._ids])
        return columns

    def _sfa_capture_stage_changes(self, opening=False):
        """Close the stays the leads left (or lost) and open the new ones.

        Queued for the next flush, where the changes of every lead written
        since go in two statements. The values come from the ORM cache
        rather than a flush, so the write keeps Odoo's single flush at the
        end of the transaction. Leads get stays too, so converting one
        costs no query: its stay goes on as the opportunity's first.
        """
        if not self:
            return
        rows = list(zip(self._ids, *self._sfa_cached_columns(CAPTURED_FIELDS)))
        self.env["sfa.stage.history"]._sfa_queue(rows, fields.Datetime.now(), opening)

    # ------------------------------------------------------------------
    # Actions (sfa.action)
    # ------------------------------------------------------------------

    sfa_action_ids = fields.One2many("sfa.action", "lead_id", string="Actions")
    sfa_action_count = fields.Integer(
        "Action Count", compute="_compute_sfa_action_count"
    )

    @api.depends(
        "calendar_event_ids", "calendar_event_ids.start", "sfa_action_ids.state"
    )
    def _compute_meeting_display(self):
        """Odoo's "Next Meeting" of a deal, without the visits already done:
        a visit finished before its planned time took place, it is no longer
        ahead (it counts as the last meeting, on the day it was done)."""
        super()._compute_meeting_display()
        now = fields.Datetime.now()
        # sudo: as Odoo's own computation, over the deal's events
        done = (
            self.env["sfa.action"]
            .sudo()
            ._read_group(
                [
                    ("lead_id", "in", self.ids),
                    ("state", "=", "done"),
                    ("calendar_event_id.start", ">", now),
                ],
                ["lead_id"],
                ["calendar_event_id:array_agg", "date_done:max"],
            )
        )
        if not done:
            return
        starts = {
            lead: (event_ids, event_starts)
            for lead, event_ids, event_starts in self.env["calendar.event"]
            .sudo()
            ._read_group(
                [("opportunity_id", "in", [lead.id for lead, *_ in done])],
                ["opportunity_id"],
                ["id:array_agg", "start:array_agg"],
            )
        }
        for lead, done_event_ids, done_on in done:
            event_ids, event_starts = starts.get(lead, ([], []))
            ahead = [
                start
                for event_id, start in zip(event_ids, event_starts, strict=True)
                if start > now and event_id not in done_event_ids
            ]
            past = [start for start in event_starts if start <= now]
            if done_on:
                past.append(done_on)
            if ahead:
                lead.meeting_display_date = fields.Datetime.context_timestamp(
                    lead, min(ahead)
                )
                lead.meeting_display_label = self.env._("Next Meeting")
            elif past:
                lead.meeting_display_date = fields.Datetime.context_timestamp(
                    lead, max(past)
                )
                lead.meeting_display_label = self.env._("Last Meeting")

    def _compute_sfa_action_count(self):
        counts = dict(
            self.env["sfa.action"]._read_group(
                [("lead_id", "in", self._origin.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.sfa_action_count = counts.get(lead._origin, 0)

    def action_sfa_plan_action(self):
        """Plan a call, visit or meeting on this deal, in a dialog."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Plan Action"),
            "res_model": "sfa.action",
            "view_mode": "form",
            "views": [(self.env.ref("sfa_pipeline.sfa_action_view_form").id, "form")],
            "target": "new",
            "context": {"default_lead_id": self.id},
        }

    @api.readonly
    def action_sfa_view_actions(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sfa_pipeline.action_sfa_action_list"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Products on opportunities (sfa.lead.line)
    # ------------------------------------------------------------------

    sfa_line_ids = fields.One2many(
        "sfa.lead.line", "lead_id", string="Products", copy=True
    )
    # An inverse rather than a write() override: it runs only when the flag is
    # written, so ordinary lead writes and creates pay no extra query.
    sfa_revenue_from_lines = fields.Boolean(
        "Revenue from Products",
        inverse="_inverse_sfa_revenue_from_lines",
        help="The expected revenue is the total of the opportunity's product "
        "lines and follows them as they change.",
    )

    def _inverse_sfa_revenue_from_lines(self):
        self._sfa_sync_revenue_from_lines()

    def _sfa_sync_revenue_from_lines(self):
        """Set the expected revenue of the flagged leads to their lines' total.

        One grouped query for all the leads, then one write per distinct total,
        so a batch of line changes costs the same whatever the number of deals.
        """
        leads = self.filtered("sfa_revenue_from_lines")
        if not leads:
            return
        # sudo: only sums lines of leads the caller is already changing; the
        # total must not depend on which of the deal's lines the caller can read
        totals = dict(
            self.env["sfa.lead.line"]
            .sudo()
            ._read_group([("lead_id", "in", leads.ids)], ["lead_id"], ["amount:sum"])
        )
        to_write = defaultdict(lambda: self.browse())
        for lead in leads:
            total = totals.get(lead, 0.0)
            if not lead.company_currency.is_zero(total - lead.expected_revenue):
                to_write[total] |= lead
        for total, group in to_write.items():
            group.write({"expected_revenue": total})

    def _merge_dependences(self, opportunities):
        """The products of merged opportunities move to the one that remains,
        instead of disappearing with them (lines cascade on delete)."""
        res = super()._merge_dependences(opportunities)
        opportunities.sfa_line_ids.write({"lead_id": self.id})
        return res

    def _merge_opportunity(self, *args, **kwargs):
        # crm writes the head's own expected revenue back after moving the
        # dependences: let the moved lines have the last word
        head = super()._merge_opportunity(*args, **kwargs)
        head._sfa_sync_revenue_from_lines()
        return head

    # ------------------------------------------------------------------
    # Forecast category (sfa.forecast)
    # ------------------------------------------------------------------

    def _auto_init(self):
        """The forecast category of the deals already there is the default
        one: a column added with that default costs no write of every deal
        (PostgreSQL keeps the value in its catalogue), where Odoo would write
        it into each row."""
        cr = self.env.cr
        if not column_exists(cr, self._table, "sfa_forecast_category"):
            cr.execute(
                "ALTER TABLE crm_lead ADD COLUMN sfa_forecast_category varchar"
                " DEFAULT 'pipeline'"
            )
            cr.execute(
                "ALTER TABLE crm_lead ALTER COLUMN sfa_forecast_category DROP DEFAULT"
            )
        return super()._auto_init()

    # The rep's own call on the deal, independent of the stage probability:
    # sfa.forecast sums commit and best case from it.
    sfa_forecast_category = fields.Selection(
        FORECAST_CATEGORIES,
        string="Forecast Category",
        default="pipeline",
        required=True,
        tracking=True,
        help="Commit: the rep is confident the deal closes in its period. "
        "Best case: it could. Omitted: left out of the forecast altogether.",
    )
