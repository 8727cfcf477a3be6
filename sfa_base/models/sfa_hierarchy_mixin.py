from odoo import api, models


class SfaHierarchyMixin(models.AbstractModel):
    """A model whose hierarchy view (org chart, territory tree) everybody
    reads and few reorganize: its drag and drop is offered only to those
    ``_sfa_may_drag`` lets move its nodes; for the others every drag would
    end in an access error."""

    _name = "sfa.hierarchy.mixin"
    _description = "SFA Hierarchy Drag and Drop"

    @api.model
    def _sfa_may_drag(self):
        return True

    @api.model
    def _get_view_cache_key(self, view_id=None, view_type="form", **options):
        key = super()._get_view_cache_key(view_id, view_type, **options)
        return (*key, view_type == "hierarchy" and self._sfa_may_drag())

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "hierarchy" and not self._sfa_may_drag():
            for node in arch.xpath("//hierarchy[@draggable]"):
                node.set("draggable", "0")
        return arch, view
