from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _sfa_generate_demo(self):
        """Build the demo sales force (called from demo data only)."""
        return True
