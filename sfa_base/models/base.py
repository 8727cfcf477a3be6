"""What every value a client sends must pass before it reaches the SFA models.

Any XML-RPC or JSON-RPC caller controls the values of ``create``, ``write``
and ``onchange``: this is where they are checked, once for every model, so
that a new model is covered without writing anything. The superuser
(``sudo()``) is the system itself and is not checked.
"""

import math
import re

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command

# Longest text a Char field takes. An indexed one must fit a btree index
# entry (2,704 bytes, up to 4 bytes a character); a longer one is refused
# by PostgreSQL with a raw error.
INDEXED_CHAR_LIMIT = 500
CHAR_LIMIT = 10_000
# Anything longer than this in a text or HTML field belongs in an attachment.
TEXT_LIMIT = 5_000_000
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# Largest amount, quantity or duration a float field takes (a thousand
# billion): beyond it a figure is a typing accident, and sums of such
# figures overflow into infinity on every report.
FLOAT_LIMIT = 1e15
RELATIONAL = ("many2one", "many2many", "one2many")


class Base(models.AbstractModel):
    _inherit = "base"

    # Fields only the system writes (figures of set-based refreshes, workflow
    # stamps, counters), beside the readonly and computed fields an SFA module
    # declares: refused in any create or write that does not run as the
    # superuser, whatever the context. The code that sets them checks who
    # may, then writes them with sudo().
    _sfa_system_fields = ()
    # Configuration the whole company reads and only managers (or
    # administrators) change: territories, categories, action types, KPIs,
    # templates, tags. Every other SFA record is private to whom the rules
    # give it; the side-door tests hold each model to what it declares here.
    _sfa_shared_configuration = False
    # Records every internal user reads as Odoo lets them (the contact book),
    # the sales force under sfa_base's rule.
    _sfa_open_to_internal_users = False
    # Records only the system writes, every field of them (histories,
    # snapshots, credits, digests): no user creates, changes or deletes one,
    # not even an administrator outside sudo().
    _sfa_system_records = False
    # {field: (lowest, highest)} a client may set on a number field of this
    # model (either may be None: no bound on that side besides FLOAT_LIMIT).
    # Checked with the other values, with a message naming the field: a
    # revenue or a cost is not negative, an action does not last a year.
    _sfa_number_bounds = {}
    # False: an Odoo model the modules extend only with system fields they
    # guard themselves (a message's mark), whose other values stay Odoo's to
    # check: Odoo's own work on it (every message posted) pays nothing more.
    _sfa_guard_values = True

    # ------------------------------------------------------------------
    # Which models and fields
    # ------------------------------------------------------------------

    def _sfa_guard_info(self):
        """(guarded, system field names) of this model, computed once per
        registry: the SFA models and the Odoo models they extend are guarded."""
        cls = type(self)
        # while modules load, the same class gains fields and overrides: the
        # cache holds for the class's bases of the moment
        bases, info = cls.__dict__.get("_sfa_guard_cache", (None, None))
        if bases != cls.__bases__:
            info = self._sfa_build_guard_info()
            cls._sfa_guard_cache = (cls.__bases__, info)
        return info

    def _sfa_build_guard_info(self):
        ours = {
            name: field
            for name, field in self._fields.items()
            # not those a model takes from its parent (a mail's message)
            if (field._module or "").startswith("sfa_") and not field.inherited
        }
        extended = any(
            cls.__module__.startswith("odoo.addons.sfa_")
            and getattr(cls, "_name", None) in (None, self._name)
            and cls.__name__ != "Base"
            for cls in type(self).__mro__
        )
        guarded = (
            self._name.startswith("sfa.") or bool(ours) or extended
        ) and self._sfa_guard_values
        system = set(self._sfa_system_fields)
        if self._sfa_system_records:
            system.update(
                name
                for name, field in self._fields.items()
                if field.store and name not in models.MAGIC_COLUMNS
            )
        if ours and not self._transient:
            for name, field in ours.items():
                if name in models.MAGIC_COLUMNS or field.type in ("one2many",):
                    continue
                if field.compute and field.readonly:
                    system.add(name)  # computed: nobody types it
                elif field.readonly and field.store and not field.compute:
                    system.add(name)  # declared readonly: set by the system
        return guarded, frozenset(system)

    def _sfa_today(self):
        """Today for the user, in their own time zone: the context's ``tz`` is
        the client's, and moving it by a day would reopen a closed period or
        let a share start expired. Server code (sudo) keeps its context."""
        if self.env.su:
            return fields.Date.context_today(self)
        return fields.Date.context_today(
            self.with_context(tz=self.env.user.tz or "UTC")
        )

    @api.model
    def _sfa_is_private_model(self):
        """Records of this model are not everyone's to read: the SFA models
        and those under sfa_base's visibility rule (customers, deals)."""
        return self._name.startswith("sfa.") or "sfa_visible" in self._fields

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.su:
            return super().create(vals_list)
        guarded, system = self._sfa_guard_info()
        if not guarded:
            return super().create(vals_list)
        for vals in vals_list:
            self._sfa_check_values(vals, system)
        if system:
            # the empty system values a form sends are dropped: the field's
            # default or compute applies, not the client's False
            vals_list = [
                {name: value for name, value in vals.items() if name not in system}
                for vals in vals_list
            ]
            # a default given in the context is a value given by the client
            context = {
                key: value
                for key, value in self.env.context.items()
                if not (key.startswith("default_") and key[8:] in system)
            }
            if len(context) != len(self.env.context):
                self = self.with_env(self.env(context=context))  # noqa: PLW0642
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            guarded, system = self._sfa_guard_info()
            if guarded:
                self._sfa_check_values(vals, system)
        return super().write(vals)

    def unlink(self):
        if self and self._sfa_system_records and not self.env.su:
            raise AccessError(
                self.env._(
                    "%s records are kept by the system: they cannot be deleted.",
                    self._description,
                )
            )
        return super().unlink()

    def copy_data(self, default=None):
        """A copy starts without the original's system values (a target's
        actual, an article's views): the system sets them for the copy."""
        vals_list = super().copy_data(default)
        guarded, system = self._sfa_guard_info()
        if guarded and system:
            default = default or {}
            for vals in vals_list:
                for name in system & set(vals):
                    if name not in default:
                        del vals[name]
        return vals_list

    def _sfa_refuse_system_values(self, vals):
        """For a model whose values are Odoo's to check (``_sfa_guard_values``
        False): only its system fields are refused, in the values and in the
        context's defaults."""
        if self.env.su:
            return
        system = self._sfa_guard_info()[1]
        given = {name for name, value in vals.items() if value or self}
        given |= {
            key[8:]
            for key, value in self.env.context.items()
            if key.startswith("default_") and value
        }
        if system & given:
            self._sfa_check_values(
                {name: vals.get(name, True) for name in system & given}, system
            )

    def _sfa_check_values(self, vals, system):
        """Refuse, with a message, what a client may send but no form would:
        system fields, NaN and infinity, oversized texts, ids that are no
        ids, records that do not exist or that the user may not read."""
        given = set(vals)
        if not self:
            # creating: an empty value sets nothing (forms send them)
            given = {name for name, value in vals.items() if value}
        if forbidden := sorted(system & given):
            raise AccessError(
                self.env._(
                    "These fields of %(model)s are set by the system, not by hand: "
                    "%(fields)s.",
                    model=self._description,
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        for name in forbidden
                    ),
                )
            )
        for name, value in vals.items():
            field = self._fields.get(name)
            if field is None:
                continue
            self._sfa_check_value(field, value)
            if field.type in RELATIONAL:
                ids = self._sfa_relational_ids(field, value)
                if (
                    ids
                    and field.comodel_name == "res.company"
                    and self._name not in ("res.users", "res.company")
                ):
                    self._sfa_check_companies(field, ids)
                if ids and self._sfa_links_checked(field):
                    if self and field.type != "one2many":
                        ids -= set(self[name].ids)
                    self._sfa_check_usable(field, ids)

    def _sfa_check_value(self, field, value):
        label = field._description_string(self.env)
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(
                self.env._(
                    "%(field)s must be a number, not %(value)s.",
                    field=label,
                    value=value,
                )
            )
        if (
            field.type in ("integer", "float", "monetary")
            and value not in (False, None)
            and (isinstance(value, bool) or not isinstance(value, (int, float)))
        ):
            raise ValidationError(
                self.env._(
                    "%(field)s must be a number, not %(value)r.",
                    field=label,
                    value=value[:40] if isinstance(value, str) else value,
                )
            )
        if (
            field.type in ("float", "monetary", "integer")
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
        ):
            self._sfa_check_bounds(field, value)
        if field.type == "integer" and isinstance(value, (int, float)):
            if not INT_MIN <= value <= INT_MAX:
                raise ValidationError(
                    self.env._(
                        "%(field)s is out of range: %(value)s.",
                        field=label,
                        value=value,
                    )
                )
        elif field.type in ("char", "text", "html") and isinstance(value, str):
            limit = TEXT_LIMIT
            if field.type == "char":
                limit = field.size or (
                    INDEXED_CHAR_LIMIT
                    if field.index and field.index != "trigram"
                    else CHAR_LIMIT
                )
            if len(value) > limit:
                raise ValidationError(
                    self.env._(
                        "%(field)s is too long: %(length)s characters, at most "
                        "%(limit)s.",
                        field=label,
                        length=len(value),
                        limit=limit,
                    )
                )
        elif field.type in ("date", "datetime") and isinstance(value, str) and value:
            try:
                if field.type == "date":
                    fields.Date.to_date(value)
                else:
                    fields.Datetime.to_datetime(value)
            except ValueError:
                raise ValidationError(
                    self.env._(
                        "%(field)s: %(value)r is not a valid date.",
                        field=label,
                        value=value[:40],
                    )
                ) from None
        elif field.type == "selection" and value not in (False, None):
            allowed = field.get_values(self.env)
            if value not in allowed:
                raise ValidationError(
                    self.env._(
                        "%(field)s cannot be %(value)r: choose one of %(allowed)s.",
                        field=label,
                        value=value if not isinstance(value, str) else value[:40],
                        allowed=", ".join(map(str, allowed)),
                    )
                )

    def _sfa_check_bounds(self, field, value):
        """Refuse a number outside the field's bounds, with a message that
        says which."""
        label = field._description_string(self.env)
        low, high = self._sfa_number_bounds.get(field.name, (None, None))
        if low == 0 and value < 0:
            raise ValidationError(
                self.env._(
                    "%(field)s cannot be negative (%(value)s).",
                    field=label,
                    value=value,
                )
            )
        limit = FLOAT_LIMIT if field.type != "integer" else INT_MAX
        low = -limit if low is None else low
        high = limit if high is None else high
        if not low <= value <= high:
            raise ValidationError(
                self.env._(
                    "%(field)s is out of range: %(value)s (it must be between "
                    "%(low)s and %(high)s).",
                    field=label,
                    low=f"{low:,g}",
                    high=f"{high:,g}",
                    value=f"{value:,g}",
                )
            )

    def _sfa_check_numbers(self, vals):
        """The checks of the number fields in ``vals``, for an override that
        reads them before the guard of ``create``/``write`` runs (a rounding,
        a comparison): NaN, infinity, text and values out of bounds get their
        message, not a Python error. Every caller, the superuser too."""
        for name, value in vals.items():
            field = self._fields.get(name)
            if field is not None and field.type in ("integer", "float", "monetary"):
                self._sfa_check_value(field, value)

    def _sfa_relational_ids(self, field, value):
        """The ids a relational value points at (new or linked), after
        checking they are ids."""
        label = field._description_string(self.env)

        def as_id(item):
            if isinstance(item, models.BaseModel):
                return item.ids
            if not item:
                return []
            if isinstance(item, (str, bytes, float, dict, list, bool)):
                raise ValidationError(
                    self.env._(
                        "%(field)s expects the id of a record, not %(value)r.",
                        field=label,
                        value=item[:40] if isinstance(item, (str, bytes)) else item,
                    )
                )
            if type(item) is not int:
                return []  # a new record of a form, on the server side
            if not 0 < item <= INT_MAX:
                raise ValidationError(
                    self.env._(
                        "%(field)s: there is no record %(id)s.", field=label, id=item
                    )
                )
            return [item]

        if field.type == "many2one":
            if isinstance(value, tuple):
                value = value[0] if value else False  # (id, name), server side
            return set(as_id(value))
        if isinstance(value, models.BaseModel):
            return set(value.ids)
        ids = set()
        for command in value or ():
            if isinstance(command, (list, tuple)) and command:
                if command[0] == Command.LINK:
                    ids.update(as_id(command[1]))
                elif command[0] == Command.SET:
                    for item in command[2] or ():
                        ids.update(as_id(item))
            elif field.type == "many2many":
                ids.update(as_id(command))
        return ids

    def _sfa_check_companies(self, field, ids):
        """A record (or a wizard) only goes to companies the user works for:
        a director of one company does not realign, score or share in
        another."""
        foreign = set(ids) - set(self.env.user.company_ids.ids)
        if foreign:
            raise AccessError(
                self.env._(
                    "%(field)s: you do not work for company %(ids)s.",
                    field=field._description_string(self.env),
                    ids=", ".join(map(str, sorted(foreign))),
                )
            )

    def _sfa_links_checked(self, field):
        """Links to private records (a customer, a deal, an SFA record) made
        by the sales force, whose visibility sfa_base restricts: linking one
        copies its data onto a record the user reads (a deal's email and
        address, an action's customer and territory). Other users read
        customers as Odoo lets them, and pay no query for this."""
        return self.env[
            field.comodel_name
        ]._sfa_is_private_model() and self.env.user.has_group("sfa_base.group_sfa_rep")

    def _sfa_check_usable(self, field, ids):
        """The records exist and the user may read them."""
        comodel = self.env[field.comodel_name]
        records = comodel.browse(ids)
        existing = records.sudo().exists()
        if len(existing) != len(records):
            missing = sorted(set(ids) - set(existing.ids))
            raise ValidationError(
                self.env._(
                    "%(field)s: there is no %(model)s with id %(ids)s.",
                    field=field._description_string(self.env),
                    model=comodel._description,
                    ids=", ".join(map(str, missing[:5])),
                )
            )
        unreadable = records - records._filtered_access("read")
        if unreadable:
            raise AccessError(
                self.env._(
                    "%(field)s: you may not use %(model)s %(ids)s, which you "
                    "cannot read.",
                    field=field._description_string(self.env),
                    model=comodel._description,
                    ids=", ".join(map(str, unreadable.ids[:5])),
                )
            )

    @api.model
    def _sql_error_to_message(self, exc):
        """A link to a record that does not exist: Odoo's generic message
        talks of deleting a record used elsewhere, which is not what the
        client did."""
        detail = getattr(getattr(exc, "diag", None), "message_detail", "") or ""
        match = isinstance(exc, psycopg2.errors.ForeignKeyViolation) and re.match(
            r'Key \((\w+)\)=\((\d+)\) is not present in table "(\w+)"', detail
        )
        if match:
            column, value, _table = match.groups()
            field = self._fields.get(column)
            return self.env._(
                "%(field)s: there is no record with id %(id)s.",
                field=field._description_string(self.env) if field else column,
                id=value,
            )
        return super()._sql_error_to_message(exc)

    # ------------------------------------------------------------------
    # Forms
    # ------------------------------------------------------------------

    def onchange(self, values, field_names, fields_spec):
        """A form's onchange computes the record as the superuser would (its
        stored computes read with sudo): it may only start from records the
        user may read. Otherwise choosing another team's customer on a deal
        would return that customer's email, phone and address."""
        if not self.env.su:
            self._sfa_check_onchange_values(values)
        return super().onchange(values, field_names, fields_spec)

    def _sfa_check_onchange_values(self, values):
        current = self if len(self) == 1 else self.browse()
        for name, value in (values or {}).items():
            field = self._fields.get(name)
            if field is None or field.type not in RELATIONAL:
                continue
            comodel = self.env[field.comodel_name]
            if field.type != "one2many" and comodel._sfa_is_private_model():
                # every user: a form computes as superuser whoever asks
                ids = self._sfa_onchange_ids(field, value)
                if current:
                    ids -= set(current[name].ids)
                if ids:
                    self._sfa_check_usable(field, ids)
            if field.type in ("one2many", "many2many"):
                # lines created or updated in the form: their own links
                for command in value or ():
                    if (
                        isinstance(command, (list, tuple))
                        and len(command) > 2
                        and command[0] in (Command.CREATE, Command.UPDATE)
                        and isinstance(command[2], dict)
                    ):
                        comodel.browse()._sfa_check_onchange_values(command[2])

    def _sfa_onchange_ids(self, field, value):
        if isinstance(value, dict):
            value = value.get("id")
        if field.type == "many2one":
            return {value} if type(value) is int and value > 0 else set()
        ids = set()
        for command in value or ():
            if isinstance(command, (list, tuple)) and command:
                if command[0] == Command.LINK and type(command[1]) is int:
                    ids.add(command[1])
                elif command[0] == Command.SET:
                    ids.update(i for i in command[2] or () if type(i) is int)
            elif type(command) is int:
                ids.add(command)
        return ids
