from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL

# the sfa.cache generation of the cached norms
NORM_CACHE = "sfa_stage_norm"


class SfaStageNorm(models.Model):
    """A stage's playbook line: "at least N actions of this type within D days".

    Entering a stage plans its norms' actions for the deal's salesperson;
    leaving it before they are done notes the gap in the chatter, or is
    refused when the company blocks such moves. Both run from
    ``crm.lead.write``/``create``, so imports and RPC obey the same rules as
    the kanban.
    """

    _name = "sfa.stage.norm"
    _inherit = ["sfa.cached.mixin"]
    _description = "Stage Action Norm"
    _sfa_caches = (NORM_CACHE,)
    _sfa_shared_configuration = True
    _order = "stage_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    stage_id = fields.Many2one(
        "crm.stage", required=True, ondelete="cascade", index=True
    )
    action_type_id = fields.Many2one(
        "sfa.action.type", required=True, ondelete="restrict"
    )
    min_count = fields.Integer(
        "Minimum Count",
        default=1,
        required=True,
        help="Actions of this type to do while the opportunity is in the stage.",
    )
    within_days = fields.Integer(
        "Within (days)",
        default=0,
        required=True,
        help="The planned actions are spread over this many days after the "
        "opportunity enters the stage; 0 plans them all for today.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        check_company=True,
        help="Only for this team's opportunities; empty for all teams.",
    )
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        help="Only for this company's opportunities; empty for all companies.",
    )

    _min_count_positive = models.Constraint(
        "CHECK (min_count >= 1)",
        "A stage norm needs at least one action: set a minimum count of 1 or more.",
    )
    _within_days_positive = models.Constraint(
        "CHECK (within_days >= 0)",
        "The number of days of a stage norm cannot be negative.",
    )

    @api.depends("action_type_id", "min_count", "within_days")
    def _compute_display_name(self):
        for norm in self:
            norm.display_name = self.env._(
                "%(count)s × %(type)s within %(days)s days",
                count=norm.min_count,
                type=norm.action_type_id.name,
                days=norm.within_days,
            )

    # ------------------------------------------------------------------
    # Cache of the active norms (a new generation on every change:
    # sfa.cached.mixin)
    # ------------------------------------------------------------------

    @api.model
    def _sfa_norm_rows(self):
        """The active norms as plain tuples, cached for the registry.

        Every stage change of every opportunity asks for them: with the cache
        it costs one query per transaction (the cache's generation), with or
        without norms. Each row: (stage, action type, min count, within days,
        team, company, norm id).
        """
        return self._sfa_norm_rows_of(self.env["sfa.cache"]._sfa_generation(NORM_CACHE))

    @api.model
    @tools.ormcache("generation")
    def _sfa_norm_rows_of(self, generation):
        # sudo: configuration read the same for every user, cached for all.
        norms = self.sudo().search_fetch(
            [],
            ["stage_id", "action_type_id", "min_count", "within_days", "team_id"]
            + ["company_id"],
        )
        return tuple(
            (
                norm.stage_id.id,
                norm.action_type_id.id,
                norm.min_count,
                norm.within_days,
                norm.team_id.id,
                norm.company_id.id,
                norm.id,
            )
            for norm in norms
        )

    @api.model
    def _sfa_norms_by_lead(self, leads, stays=None):
        """The norm rows applying to each lead in its current stage.

        Opportunities only (a lead has no playbook yet), active ones, matched
        on stage, then team and company when the norm has them. ``stays``
        ({lead id: (stage id, team id)}) gives the stage and team to match
        instead of the current ones, for leads Odoo has already moved. Works
        from the cache: no query when no stage of these leads has a norm.
        """
        by_stage = defaultdict(list)
        for row in self._sfa_norm_rows():
            by_stage[row[0]].append(row)
        if not by_stage or not leads:
            return {}
        stays = stays or {}
        result = {}
        for lead in leads:
            stage_id, team_id = stays.get(lead.id, (lead.stage_id.id, lead.team_id.id))
            rows = by_stage.get(stage_id)
            if not rows or lead.type != "opportunity" or not lead.active:
                continue
            rows = [
                row
                for row in rows
                if row[4] in (False, team_id) and row[5] in (False, lead.company_id.id)
            ]
            if rows:
                result[lead] = rows
        return result

    # ------------------------------------------------------------------
    # Called by crm.lead
    # ------------------------------------------------------------------

    @api.model
    def _generate_actions(self, leads):
        """Plan the playbook of the stage each lead just entered, in one create.

        The ``min_count`` actions of a norm are spread evenly up to
        ``within_days`` (the last one on the last day), for the deal's
        salesperson, or whoever moved it when the deal has none. Actions of
        the type still planned on the deal (from an earlier stay, when a deal
        goes back and forth) count towards the norm instead of piling up.
        """
        norms_by_lead = self._sfa_norms_by_lead(leads)
        if not norms_by_lead:
            return self.env["sfa.action"]
        Action = self.env["sfa.action"]
        planned = {
            (lead.id, action_type.id): count
            for lead, action_type, count in Action.sudo()._read_group(
                [("lead_id", "in", leads.ids), ("state", "=", "planned")],
                ["lead_id", "action_type_id"],
                ["__count"],
            )
        }
        start = Action._default_start()
        vals_list = []
        for lead, rows in norms_by_lead.items():
            for _stage, type_id, count, days, _team, _company, _norm in rows:
                already = planned.get((lead.id, type_id), 0)
                vals_list.extend(
                    {
                        "action_type_id": type_id,
                        "lead_id": lead.id,
                        "user_id": lead.user_id.id or self.env.uid,
                        "start": start + timedelta(days=round(days * (i + 1) / count)),
                    }
                    for i in range(already, count)
                )
        # sudo: moving the deal was allowed; its playbook belongs to the deal's
        # salesperson, whom the mover (a colleague with a share, a manager of
        # another line) may not be allowed to plan actions for.
        return Action.sudo().create(vals_list).sudo(False)

    @api.model
    def _check_leave(self, leads, new_stage):
        """Note or refuse leaving a stage before its norms are met.

        A norm is met when the deal has at least ``min_count`` done actions of
        its type since it entered the stage (its open stay in the stage
        history). Won stages are never refused. When a company blocks, the
        whole move is refused before anything is written.
        """
        if not self._sfa_norm_rows():
            return
        new_stage = self.env["crm.stage"].browse(new_stage)
        if new_stage.is_won:
            return
        leaving = leads.filtered(lambda lead: lead.stage_id != new_stage)
        self._sfa_leave(
            {lead.id: (lead.stage_id.id, lead.team_id.id) for lead in leaving}
        )

    @api.model
    def _check_leave_moves(self, stays):
        """The same check for deals Odoo moved itself (a new team or type
        recomputes the stage): ``stays`` is {lead: (stage id, team id)} as they
        were. Called inside the write, so a block still undoes the whole
        change; the deals' open stays are those of the stages they left."""
        if not self._sfa_norm_rows():
            return
        self._sfa_leave(
            {lead.id: stay for lead, stay in stays.items() if not lead.stage_id.is_won}
        )

    @api.model
    def _sfa_leave(self, stays):
        """Warn in the chatter, or refuse, for the leads of ``stays`` leaving
        ({lead id: (stage id, team id)} of the stage left) with unmet norms."""
        leads = self.env["crm.lead"].browse(stays)
        norms_by_lead = self._sfa_norms_by_lead(leads, stays)
        if not norms_by_lead:
            return
        unmet = self._sfa_unmet(norms_by_lead)
        if not unmet:
            return
        left = self.env["crm.stage"].browse({stays[lead.id][0] for lead in unmet})
        stage_names = dict(zip(left.ids, left.mapped("name"), strict=True))
        blocked = {
            lead: gaps
            for lead, gaps in unmet.items()
            if (lead.company_id or self.env.company).sfa_stage_norm_block
        }
        if blocked:
            raise UserError(
                self.env._(
                    "These opportunities cannot leave their stage before its "
                    "playbook is done:\n%(deals)s",
                    deals="\n".join(
                        f"- {lead.display_name} ({stage_names[stays[lead.id][0]]}): "
                        + "; ".join(gaps)
                        for lead, gaps in blocked.items()
                    ),
                )
            )
        bodies = {
            lead.id: Markup("<p>%s</p><ul>%s</ul>")
            % (
                self.env._(
                    "Left stage %(stage)s with its playbook unfinished:",
                    stage=stage_names[stays[lead.id][0]],
                ),
                Markup().join(Markup("<li>%s</li>") % escape(gap) for gap in gaps),
            )
            for lead, gaps in unmet.items()
        }
        leads.browse(bodies)._message_log_batch(bodies)

    @api.model
    def _sfa_unmet(self, norms_by_lead):
        """What each lead still misses: ``{lead: ["Visit: 1 of 2 done", ...]}``.

        One grouped query for all leads: done actions of the norms' types
        since the lead entered its stage (the open stay, or Odoo's last stage
        update for a deal without history).
        """
        leads = self.env["crm.lead"].union(*norms_by_lead)
        type_ids = {row[1] for rows in norms_by_lead.values() for row in rows}
        self.env["sfa.action"].flush_model(
            ["lead_id", "action_type_id", "state", "date_done"]
        )
        leads.flush_recordset(["date_last_stage_update"])
        self.env["sfa.stage.history"].flush_model(["lead_id", "date_in", "date_out"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT a.lead_id, a.action_type_id, count(*)
                  FROM sfa_action a
                  JOIN crm_lead l ON l.id = a.lead_id
                  LEFT JOIN sfa_stage_history h
                         ON h.lead_id = a.lead_id AND h.date_out IS NULL
                 WHERE a.lead_id = ANY(%(leads)s)
                   AND a.action_type_id = ANY(%(types)s)
                   AND a.state = 'done'
                   AND a.date_done >= COALESCE(h.date_in, l.date_last_stage_update)
                 GROUP BY a.lead_id, a.action_type_id
                """,
                leads=leads.ids,
                types=list(type_ids),
            )
        )
        done = {(lead_id, type_id): count for lead_id, type_id, count in rows}
        types = self.env["sfa.action.type"].browse(type_ids)
        names = dict(zip(types.ids, types.mapped("name"), strict=True))
        unmet = {}
        for lead, norm_rows in norms_by_lead.items():
            gaps = [
                self.env._(
                    "%(type)s: %(done)s of %(count)s done",
                    type=names[type_id],
                    done=done.get((lead.id, type_id), 0),
                    count=count,
                )
                for _stage, type_id, count, *_rest in norm_rows
                if done.get((lead.id, type_id), 0) < count
            ]
            if gaps:
                unmet[lead] = gaps
        return unmet
