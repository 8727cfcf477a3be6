from collections import Counter, defaultdict

from odoo import api, fields, models
from odoo.tools import SQL


class SfaHandoverWizard(models.TransientModel):
    """A leaving rep's targets still to reach go to their successor."""

    _inherit = "sfa.handover.wizard"

    @api.model
    def _sfa_handover_targets(self, leaver):
        today = fields.Date.context_today(self)
        return [
            *super()._sfa_handover_targets(leaver),
            (
                "sfa.target.line",
                [
                    ("owner_type", "=", "user"),
                    ("user_id", "=", leaver.id),
                    ("date_to", ">=", today),
                    ("plan_id.state", "!=", "locked"),
                ],
                self.env._("Targets Still Running"),
            ),
        ]

    def _assign(self, model, records, recipients, owner_of_partner):
        """A target moves with the targets it is split into (a year with its
        quarters and months), to the least loaded recipient who has no target
        of their own for the same metric and days; when every recipient has
        one, it stays with the leaver, to be split again by hand."""
        if model != "sfa.target.line":
            return super()._assign(model, records, recipients, owner_of_partner)
        roots = defaultdict(list)
        for line in records:
            root = line
            while root.parent_id in records:
                root = root.parent_id
            roots[root].append(line.id)
        clashes = {
            user.id: self._sfa_target_clashes(records, user) for user in recipients
        }
        load = Counter({user.id: 0.0 for user in recipients})
        assignment = defaultdict(list)
        for root, ids in sorted(
            roots.items(), key=lambda item: (-item[0].target_value, item[0].id)
        ):
            free = [u for u in load if not clashes[u].intersection(ids)]
            if not free:
                continue
            user_id = min(free, key=lambda u: (load[u], u))
            load[user_id] += root.target_value
            assignment[user_id].extend(ids)
        return assignment

    @api.model
    def _sfa_target_clashes(self, lines, user):
        """Ids of ``lines`` that would overlap a target ``user`` already has
        (same company, metric and days, in plans past draft, neither split
        into the other): sfa.target.line._check_no_overlap would refuse them."""
        if not lines:
            return set()
        self.env["sfa.target.line"].flush_model()
        return {
            line_id
            for (line_id,) in self.env.execute_query(
                SQL(
                    """
                    SELECT DISTINCT a.id
                      FROM sfa_target_line a
                      JOIN sfa_target_plan pa ON pa.id = a.plan_id
                      JOIN sfa_target_line b
                        ON b.user_id = %(user)s AND b.owner_type = 'user'
                       AND b.id != ALL(%(ids)s)
                       AND b.company_id = a.company_id AND b.metric = a.metric
                       AND b.date_from <= a.date_to AND a.date_from <= b.date_to
                      JOIN sfa_target_plan pb ON pb.id = b.plan_id
                     WHERE a.id = ANY(%(ids)s)
                       AND pa.state != 'draft' AND pb.state != 'draft'
                       AND NOT (a.plan_id = b.plan_id
                                AND (a.parent_path LIKE b.parent_path || '%%'
                                     OR b.parent_path LIKE a.parent_path || '%%'))
                    """,
                    user=user.id,
                    ids=lines.ids,
                )
            )
        }
