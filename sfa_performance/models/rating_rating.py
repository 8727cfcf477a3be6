from odoo import models


class RatingRating(models.Model):
    _inherit = "rating.rating"
    # Odoo lets every employee read and comment every rating; the sales
    # force's rule does not narrow them
    _sfa_open_to_internal_users = True

    # What the customer said, to whom and when: Odoo's rating page and mail
    # flows set them as the system. A rating is a fact of the person rated
    # (sfa.fact "ratings"): nobody types one in, not even their own.
    _sfa_system_fields = (
        "rating",
        "consumed",
        "rated_on",
        "rated_partner_id",
        "partner_id",
        "res_model_id",
        "res_id",
    )
