from collections import Counter, defaultdict

from odoo import api, fields, models


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
        """Over several reps, a target moves with the targets it is split
        into (a year with its quarters and months), least loaded first."""
        if model != "sfa.target.line" or len(recipients) == 1:
            return super()._assign(model, records, recipients, owner_of_partner)
        roots = defaultdict(list)
        for line in records:
            root = line
            while root.parent_id in records:
                root = root.parent_id
            roots[root].append(line.id)
        load = Counter({user.id: 0.0 for user in recipients})
        assignment = defaultdict(list)
        for root, ids in sorted(roots.items(), key=lambda item: -item[0].target_value):
            user_id = min(load, key=lambda u: (load[u], u))
            load[user_id] += root.target_value
            assignment[user_id].extend(ids)
        return assignment
