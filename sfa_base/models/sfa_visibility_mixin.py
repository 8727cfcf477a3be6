from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain


class SfaVisibilityMixin(models.AbstractModel):
    """Hierarchical visibility shared by every owned SFA record.

    A record is visible to a user when it is unowned, owned by the user or
    anyone below them in the reporting line, lies in a territory subtree they
    (or someone below them) manage, or is shared with them. It is editable on
    the same terms, except that only shares with edit access count.

    Inheriting models get two searchable booleans, ``sfa_visible`` and
    ``sfa_editable``; their record rules are then the same two lines for
    every model::

        [('sfa_visible', '=', True)]    read rule, group_sfa_rep
        [('sfa_editable', '=', True)]   write/create/unlink rule, group_sfa_rep

    plus ``[(1, '=', 1)]`` for ``group_sfa_director``. The search methods turn
    the user's scope into plain ``IN`` lists, so the database can use the
    indexes on the owner and territory columns.
    """

    _name = "sfa.visibility.mixin"
    _description = "SFA Hierarchical Visibility"

    # Field holding the owner (Odoo's own salesperson field).
    _sfa_owner_field = "user_id"
    # Field holding the territory, or False when the model has none.
    _sfa_territory_field = "sfa_territory_id"
    # Shares are recorded on (model, id); models reporting on another model
    # (crm.activity.report on crm.lead) point at it with these two attributes.
    _sfa_share_model = None
    _sfa_share_field = "id"
    # Whether colleagues may be given this record (shared, delegated): the
    # customers and the deals. A scorecard or a target is not handed around.
    _sfa_shareable = False

    sfa_visible = fields.Boolean(
        string="Visible to Me",
        compute="_compute_sfa_access",
        search="_search_sfa_visible",
    )
    sfa_editable = fields.Boolean(
        string="Editable by Me",
        compute="_compute_sfa_access",
        search="_search_sfa_editable",
    )

    @api.depends_context("uid")
    def _compute_sfa_access(self):
        visible = self.filtered_domain(self._sfa_access_domain("read"))
        editable = self.filtered_domain(self._sfa_access_domain("write"))
        for record in self:
            record.sfa_visible = record in visible
            record.sfa_editable = record in editable

    def _search_sfa_visible(self, operator, value):
        return self._sfa_search_access("read", operator, value)

    def _search_sfa_editable(self, operator, value):
        return self._sfa_search_access("write", operator, value)

    def _sfa_search_access(self, mode, operator, value):
        if operator in ("=", "!="):
            value = [value]
            operator = "in" if operator == "=" else "not in"
        if operator not in ("in", "not in"):
            return NotImplemented
        positive = any(value) == (operator == "in")
        domain = self._sfa_access_domain(mode)
        return domain if positive else ~domain

    @api.model
    def _sfa_access_domain(self, mode="read", shares=True):
        """Domain of the records the current user may read (or write)."""
        user = self.env.user
        if user._is_superuser() or user.has_group("sfa_base.group_sfa_director"):
            return Domain.TRUE
        user_ids, territory_ids = self.env["res.users"]._sfa_scope(user.id)
        owner = self._sfa_owner_field
        domains = [self._sfa_unowned_domain(), Domain(owner, "in", list(user_ids))]
        if self._sfa_territory_field and territory_ids:
            domains.append(Domain(self._sfa_territory_field, "in", list(territory_ids)))
        shared_ids = shares and self.env["sfa.share"]._sfa_shared_res_ids(
            self._sfa_share_model or self._name, user.id, mode
        )
        if shared_ids:
            domains.append(Domain(self._sfa_share_field, "in", shared_ids))
        if shares:
            domains.extend(self._sfa_extra_access_domains(mode))
        return Domain.OR(domains)

    def _sfa_is_own_line(self):
        """The records the user may edit without any share.

        Only the sales force is bound by the reporting line; directors, sales
        administrators and users outside the sales force follow Odoo's rules.
        """
        user = self.env.user
        if user._sfa_is_director() or not user.has_group("sfa_base.group_sfa_rep"):
            return self
        return self.filtered_domain(self._sfa_access_domain("write", shares=False))

    def _sfa_check_owner_change(self, vals):
        """Only the owner's line may give a record away: a colleague who edits it
        through a share may not make it theirs (nor anyone else's)."""
        if self.env.su or self._sfa_owner_field not in vals:
            return
        own = self._sfa_is_own_line()
        if self - own:
            raise AccessError(
                self.env._(
                    "%s is shared with you: only its owner or their managers can "
                    "change who owns it.",
                    ", ".join((self - own).mapped("display_name")),
                )
            )

    # ------------------------------------------------------------------
    # Who may own it, where it may be
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if not self.env.su and self.env.user.has_group("sfa_base.group_sfa_rep"):
            # the whole sales force, directors included: nobody gives a record
            # to a portal user; the line and the reach bind those below
            records._sfa_check_owners(created=True)
            records._sfa_check_territory_reach(
                {
                    vals[self._sfa_territory_field]
                    for vals in vals_list
                    if self._sfa_territory_field and vals.get(self._sfa_territory_field)
                }
            )
        return records

    def write(self, vals):
        res = super().write(vals)
        if not self.env.su and self.env.user.has_group("sfa_base.group_sfa_rep"):
            if self._sfa_owner_field in vals:
                self._sfa_check_owners(created=False)
            if self._sfa_territory_field and vals.get(self._sfa_territory_field):
                self._sfa_check_territory_reach({vals[self._sfa_territory_field]})
        return res

    def _sfa_check_owners(self, created):
        """On the values after the create or write: the owner is an active
        internal user with sales rights in the record's company (a portal
        user would make the record vanish for all but directors), and what
        a member of the sales force creates belongs to their own line (a
        record planted on another team is not theirs to make)."""
        field = self._fields[self._sfa_owner_field]
        if field.compute and field.readonly:
            return  # derived owner: the model checks what it derives from
        user = self.env.user
        team = set(user._sfa_team_users().ids)
        for record in self:
            owner = record[self._sfa_owner_field]
            if not owner:
                continue
            company = (
                record.company_id
                if "company_id" in record._fields
                else self.env["res.company"]
            )
            if not owner._sfa_is_sales_colleague(company, user):
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot own %(record)s: only an active user of the "
                        "sales force of %(company)s can.",
                        user=owner.name,
                        record=record.display_name,
                        company=(company or self.env.company).name,
                    )
                )
            if (
                created
                and owner.id not in team
                and not user._sfa_is_director()
                and not record._sfa_owner_allowed_at_creation(owner)
            ):
                raise AccessError(
                    self.env._(
                        "You cannot create %(record)s for %(user)s, who is not in "
                        "your team: create it for yourself, then delegate it.",
                        record=record.display_name,
                        user=owner.name,
                    )
                )

    def _sfa_owner_allowed_at_creation(self, owner):
        """Hook: an owner outside the creator's line that the record itself
        justifies (a contact person of a customer one may edit)."""
        return False

    def _sfa_check_territory_reach(self, territory_ids):
        """A territory set by hand is one the user works in: managed by them
        or their team, covered by them or their team, or below one of those.
        Otherwise a rep would move a customer into a region whose manager
        then reads it."""
        if not territory_ids or self.env.user._sfa_is_director():
            return
        reach = self.env["res.users"]._sfa_reach(self.env.uid)
        outside = set(territory_ids) - set(reach)
        if outside:
            names = self.env["sfa.territory"].sudo().browse(sorted(outside))
            raise AccessError(
                self.env._(
                    "%s is not a territory you or your team work in: ask its "
                    "manager to move the record there.",
                    ", ".join(names.mapped("display_name")),
                )
            )

    @api.model
    def _sfa_unowned_domain(self):
        """Hook: the records open to the whole sales force (by default, those
        without an owner)."""
        return Domain(self._sfa_owner_field, "=", False)

    @api.model
    def _sfa_extra_access_domains(self, mode):
        """Hook: further domains granting access (e.g. a customer of a shared deal)."""
        return []

    def _sfa_owner_users(self):
        return self[self._sfa_owner_field]

    def _sfa_check_territory_company(self):
        """A territory belongs to one company: a record of another cannot be in it."""
        for record in self:
            territory = record[self._sfa_territory_field]
            if (
                territory
                and record.company_id
                and territory.company_id != record.company_id
            ):
                raise ValidationError(
                    self.env._(
                        "%(record)s belongs to %(company)s and cannot be in territory "
                        "%(territory)s of %(other)s.",
                        record=record.display_name,
                        company=record.company_id.name,
                        territory=territory.display_name,
                        other=territory.company_id.name,
                    )
                )

    def action_sfa_share(self):
        return self.env["sfa.share.wizard"]._action_open(self)

    def action_sfa_delegate(self):
        return self.env["sfa.delegate.wizard"]._action_open(self)
