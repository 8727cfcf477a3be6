from collections import Counter, defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, format_date

from ..tools import bulk_changes


class SfaRealignmentWizard(models.TransientModel):
    """Preview, then apply, the territory moves the current rules imply.

    Moves are effective-dated: each customer's territory history closes its
    current stay on the effective date and opens the new one, so reports of
    earlier periods keep the territory the customer was in at the time.
    """

    _name = "sfa.realignment.wizard"
    _description = "Territory Realignment"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    territory_id = fields.Many2one(
        "sfa.territory",
        string="Limit to Territory",
        default=lambda self: self._default_territory(),
        help="Only customers in, or moving into, this territory and its "
        "sub-territories. Managers realign their own territories only.",
    )

    date_effective = fields.Date(
        "Effective Date", required=True, default=fields.Date.context_today
    )
    reassign_owner = fields.Boolean(
        "Reassign Owners",
        help="Give each moved customer (and its open deals) to a rep covering the new "
        "territory, unless its owner already covers it.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("preview", "Preview"), ("done", "Done")],
        string="Status",
        default="draft",
    )
    line_ids = fields.One2many("sfa.realignment.line", "wizard_id", string="Moves")
    partner_count = fields.Integer("Customers Moving", compute="_compute_totals")
    lead_count = fields.Integer("Open Deals Moving", compute="_compute_totals")
    owner_change_count = fields.Integer("Owner Changes", readonly=True)
    result_message = fields.Char("Result", readonly=True)

    @api.depends("line_ids.partner_count", "line_ids.lead_count")
    def _compute_totals(self):
        for wizard in self:
            wizard.partner_count = sum(wizard.line_ids.mapped("partner_count"))
            wizard.lead_count = sum(wizard.line_ids.mapped("lead_count"))

    def _candidate_domain(self):
        domain = Domain(
            [
                ("sfa_is_customer", "=", True),
                ("sfa_territory_locked", "=", False),
                ("company_id", "in", [self.company_id.id, False]),
            ]
        )
        return domain

    def _compute_moves(self):
        """Return {partner id: (from territory id, to territory id, rule id)}."""
        self.ensure_one()
        best = self.env["sfa.territory.rule"]._best_territories(
            "res.partner", self._candidate_domain(), company=self.company_id
        )
        self.env["res.partner"].flush_model(["sfa_territory_id"])
        current = (
            dict(
                self.env.execute_query(
                    SQL(
                        "SELECT id, sfa_territory_id FROM res_partner"
                        " WHERE id = ANY(%s)",
                        list(best),
                    )
                )
            )
            if best
            else {}
        )
        scope = None
        if self.territory_id:
            scope = set(
                self.env["sfa.territory"]
                .with_context(active_test=False)
                .search([("id", "child_of", self.territory_id.id)])
                .ids
            )
        # A manager moves customers only within their own territories.
        own_scope = self._manager_scope()
        moves = {}
        for partner_id, from_id in current.items():
            from_id = from_id or False
            to_id, rule_id = best[partner_id]
            if to_id == from_id:
                continue
            if scope is not None and from_id not in scope and to_id not in scope:
                continue
            if own_scope is not None and (
                to_id not in own_scope or (from_id and from_id not in own_scope)
            ):
                continue
            moves[partner_id] = (from_id, to_id, rule_id)
        return moves

    @api.constrains("date_effective")
    def _check_date_effective(self):
        for wizard in self:
            if wizard.date_effective > wizard._sfa_today():
                raise ValidationError(
                    self.env._("A realignment cannot take effect in the future.")
                )

    @api.model
    def _default_territory(self):
        user = self.env.user
        if user._sfa_is_director():
            return False
        return user.sfa_managed_territory_ids.filtered(
            lambda t: t.parent_id not in user.sfa_managed_territory_ids
        )[:1]

    def _manager_scope(self):
        """Territory ids a non-director may realign (None: no limit)."""
        user = self.env.user
        if user._sfa_is_director():
            return None
        if not self.territory_id:
            raise AccessError(
                self.env._("Choose which of your territories to realign.")
            )
        own = set(user.sfa_scope_territory_ids.ids)
        if self.territory_id.id not in own:
            raise AccessError(
                self.env._(
                    "Territory %s is not one of yours: ask a director to realign it.",
                    self.territory_id.display_name,
                )
            )
        return own

    def action_preview(self):
        self.ensure_one()
        moves = self._compute_moves()
        leads = self._open_leads_by_partner(list(moves))
        partner_counts = Counter((f, t) for f, t, _r in moves.values())
        lead_counts = Counter()
        for pid, (from_id, to_id, _rule) in moves.items():
            lead_counts[from_id, to_id] += leads.get(pid, 0)
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(
                {
                    "from_territory_id": from_id,
                    "to_territory_id": to_id,
                    "partner_count": count,
                    "lead_count": lead_counts[from_id, to_id],
                }
            )
            for (from_id, to_id), count in sorted(
                partner_counts.items(), key=lambda i: -i[1]
            )
        ]
        self.state = "preview"
        return self._reopen()

    def _open_leads_by_partner(self, partner_ids):
        if not partner_ids:
            return {}
        counts = Counter()
        for partner, count in (
            self.env["crm.lead"]
            .sudo()
            ._read_group(
                [
                    ("partner_id.commercial_partner_id", "in", partner_ids),
                    ("won_status", "=", "pending"),
                ],
                ["partner_id"],
                ["__count"],
            )
        ):
            counts[partner.commercial_partner_id.id] += count
        return counts

    def action_apply(self):
        self.ensure_one()
        if self.state != "preview":
            raise UserError(self.env._("Preview the realignment before applying it."))
        self.env["sfa.territory"].check_access("write")
        moves = self._compute_moves()
        by_destination = defaultdict(list)
        rules = {}
        for pid, (_from_id, to_id, rule_id) in moves.items():
            by_destination[to_id].append(pid)
            rules[pid] = (to_id, rule_id)
        # a change made in bulk: summarized on the territories, not noted in
        # every customer's and deal's chatter (unless the company asks)
        with bulk_changes(self.env, self.company_id) as env:
            wizard = self.with_env(env)
            env["res.partner"]._sfa_apply_territory_moves(
                dict(by_destination), rules, self.date_effective, "realignment"
            )
            if self.reassign_owner:
                owners = wizard._reassign_owners(by_destination)
        if self.reassign_owner:
            self.owner_change_count = owners
        self._post_summary(moves)
        self.result_message = self.env._(
            "Realignment applied. Customers moved: %(customers)s; open deals moved: "
            "%(deals)s; owner changes: %(owners)s.",
            customers=len(moves),
            deals=sum(self._open_leads_by_partner(list(moves)).values()),
            owners=self.owner_change_count,
        )
        self.state = "done"
        return self._reopen()

    def _reassign_owners(self, by_destination):
        """Hand moved customers to the least-loaded rep covering their new territory."""
        Territory = self.env["sfa.territory"].sudo()
        Partner = self.env["res.partner"].sudo()  # owners follow the realignment
        changes = 0
        for territory_id, partner_ids in by_destination.items():
            territory = Territory.browse(territory_id)
            members = territory.member_ids.filtered("active")
            if not members:
                continue
            load = Counter({m.id: 0 for m in members})
            for user, count in Partner._read_group(
                [
                    ("sfa_territory_id", "=", territory_id),
                    ("user_id", "in", members.ids),
                ],
                ["user_id"],
                ["__count"],
            ):
                load[user.id] += count
            new_owner = defaultdict(list)
            for partner in Partner.browse(partner_ids):
                if partner.user_id in members:
                    continue
                user_id = min(load, key=lambda uid: (load[uid], uid))
                load[user_id] += 1
                new_owner[user_id].append(partner.id)
            for user_id, ids in new_owner.items():
                partners = Partner.browse(ids)
                partners.write({"user_id": user_id})
                leads = (
                    self.env["crm.lead"]
                    .sudo()
                    .search(
                        [
                            ("partner_id.commercial_partner_id", "in", ids),
                            ("won_status", "=", "pending"),
                        ]
                    )
                )
                leads.write({"user_id": user_id})
                changes += len(ids)
        return changes

    def _post_summary(self, moves):
        counts = Counter((f, t) for f, t, _r in moves.values())
        deals = Counter()
        for pid, count in self._open_leads_by_partner(list(moves)).items():
            if pid in moves:
                deals[moves[pid][:2]] += count
        Territory = self.env["sfa.territory"].sudo()
        for (from_id, to_id), count in counts.items():
            body = Markup("%s") % self.env._(
                "Realignment effective %(date)s from %(from)s to %(to)s. "
                "Customers moved: %(count)s; open deals moved: %(deals)s.",
                date=format_date(self.env, self.date_effective),
                count=count,
                deals=deals[from_id, to_id],
                **{
                    "from": Territory.browse(from_id).display_name
                    or self.env._("no territory"),
                    "to": Territory.browse(to_id).display_name,
                },
            )
            Territory.browse(to_id).message_post(
                body=body, subtype_xmlid="mail.mt_note"
            )

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Territory Realignment"),
        }


class SfaRealignmentLine(models.TransientModel):
    _name = "sfa.realignment.line"
    _description = "Territory Realignment Move"
    _order = "partner_count desc, id"

    wizard_id = fields.Many2one(
        "sfa.realignment.wizard", required=True, ondelete="cascade"
    )
    from_territory_id = fields.Many2one("sfa.territory", "From")
    to_territory_id = fields.Many2one("sfa.territory", "To")
    partner_count = fields.Integer("Customers")
    lead_count = fields.Integer("Open Deals")
