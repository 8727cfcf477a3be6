from random import randint

from odoo import fields, models


class SfaKnowledgeTag(models.Model):
    _name = "sfa.knowledge.tag"
    _description = "Knowledge Tag"
    _sfa_shared_configuration = True
    _order = "name"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer(default=lambda self: randint(1, 11))

    _name_uniq = models.Constraint(
        "UNIQUE (name)", "A tag with this name already exists."
    )
