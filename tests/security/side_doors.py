"""The side-door matrix: every way a client may reach another team's data.

Built from the registry, not listed by hand: every ``sfa.*`` model and every
Odoo model an SFA module extends is covered as soon as it is installed. Two
teams get the same data through the modules' own flows (customers, deals and
their stages, actions with their calendar events and activities, forecasts,
snapshots, targets, scorecards, customer values, alerts, articles, shares
and the wizards behind them); then, as a rep of the other team, a plain
internal user and a portal user, every case tries to read, find, count,
export, plant through a form, create on someone else, write a system field,
write or delete another team's records, with and without each context key
the modules read.

The cases are plain data (JSON), so that ``tests/test_side_doors.py`` runs
them in the test database and ``tests/security/rpc_probe.py`` replays them
over XML-RPC against a served multi-worker database. What each case expects:

* ``refused``: a clear Odoo error (access, validation, user error), never a
  raw one, and nothing written;
* ``no_foreign``: an answer that holds none of the other team's records (or
  a clear refusal);
* ``masked``: records shown without their private fields (a calendar event
  of an action reads "Busy").
"""

import ast
import itertools
import json
import xmlrpc.client
from datetime import date, datetime, timedelta
from pathlib import Path

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.models import MAGIC_COLUMNS
from odoo.tests import new_test_user

REPO = Path(__file__).resolve().parents[2]
TEAMS = ("a", "b")
ATTACKERS = ("rep_b", "clerk", "portal")
# Keys the modules once read as privileges (each one a side door that was
# closed): they are tried on every case with the keys the code reads today.
HISTORICAL_CONTEXT_KEYS = {
    "sfa_scorecard_compute": True,
    "sfa_knowledge_system": True,
    "sfa_revision_note": "Approved",
    "sfa_territory_auto": True,
    "sfa_territory_date": "2000-01-01",
    "sfa_territory_reason": "realignment",
    "sfa_territory_rules": {},
    "sfa_action_sync": "action",
}
# Odoo's own keys that change what a call may reach: tried as well.
ODOO_CONTEXT_KEYS = {
    "active_test": False,
    "tracking_disable": True,
    "mail_notrack": True,
    "install_mode": True,
    "uid": 1,
    "su": True,
}
# Values a key read by the modules is tried with, by the shape of its name.
KEY_VALUES = {"tz": "Pacific/Kiritimati", "lang": "zh_CN"}


# ----------------------------------------------------------------------
# Which models
# ----------------------------------------------------------------------


def sfa_classes(env, model_name):
    """The classes of SFA modules behind a model (not sfa_base's base guard,
    nor a mixin of another name)."""
    return [
        cls
        for cls in type(env[model_name]).__mro__
        if cls.__module__.startswith("odoo.addons.sfa_")
        and getattr(cls, "_name", None) in (None, model_name)
        and cls.__name__ != "Base"
    ]


def covered_models(env):
    """Every sfa.* model and every Odoo model an SFA module extends."""
    names = []
    for name in sorted(env.registry):
        model = env[name]
        if model._abstract:
            continue
        if name.startswith("sfa.") or sfa_classes(env, name):
            names.append(name)
    return names


def public_methods(env, model_name):
    """The methods an SFA module adds to a model that a client may call
    with nothing but the records: buttons and the like."""
    import inspect  # noqa: PLC0415

    from odoo import models  # noqa: PLC0415

    names = set()
    for cls in sfa_classes(env, model_name):
        for name, member in vars(cls).items():
            if (
                name.startswith("_")
                or not callable(member)
                or hasattr(models.BaseModel, name)
                or getattr(member, "_api_private", False)
                or name.startswith("message_")
            ):
                continue
            params = list(inspect.signature(member).parameters.values())[1:]
            if all(
                p.default is not inspect.Parameter.empty
                or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                for p in params
            ):
                names.add(name)
    return sorted(names)


def _is_private(model):
    return model._name.startswith("sfa.") or "sfa_visible" in model._fields


def bad_numbers(model):
    """[(field name, bad values)] of the number fields a client may type
    into: NaN, infinity, 1e308, text, and a negative figure where the field
    says it has none."""
    system = system_fields(model)
    bounds = getattr(model, "_sfa_number_bounds", {})
    found = []
    for fname, field in model._fields.items():
        if (
            field.type not in ("integer", "float", "monetary")
            or not field.store
            or fname in system
            or fname in MAGIC_COLUMNS
            or (field.compute and not field.inverse and field.readonly)
        ):
            continue
        values = [float("nan"), float("inf"), float("-inf"), 1e308, "12"]
        if bounds.get(fname, (None, None))[0] == 0:
            values.append(-5)
        found.append((fname, values))
    return found


def is_open_to_employees(model):
    """Records every internal user reads as Odoo lets them (the contact
    book): declared on the model."""
    return bool(getattr(model, "_sfa_open_to_internal_users", False))


def is_odoos_open_record(model):
    """An Odoo model open to every employee that no SFA rule narrows (a
    rating): the modules only guard the fields that make figures."""
    return is_open_to_employees(model) and not _is_private(model)


def is_configuration(model):
    """Shared configuration everyone in the company reads (territories,
    categories, action types, KPIs, templates, tags...): declared on the
    model. Anything else is private to whom the rules give it."""
    return bool(getattr(model, "_sfa_shared_configuration", False))


def system_fields(model):
    """The fields only the system writes (sfa_base's guard knows them; the
    same reading of the model when it does not, to run the matrix against
    an older version)."""
    if hasattr(model, "_sfa_guard_info"):
        return model._sfa_guard_info()[1]
    return frozenset(
        name
        for name, field in model._fields.items()
        if (field._module or "").startswith("sfa_")
        and field.type != "one2many"
        and name not in ("id", "create_uid", "create_date", "write_uid", "write_date")
        and ((field.compute and field.readonly) or (field.readonly and field.store))
    )


def sfa_fields(model):
    return [
        name
        for name, field in model._fields.items()
        if (field._module or "").startswith("sfa_")
    ]


def context_keys_read():
    """Context keys the modules read today, found in their source: what a
    client might hope to use as a privilege."""
    keys = set()
    for path in REPO.glob("sfa_*/**/*.py"):
        if "/tests/" in str(path) or path.name.endswith("_demo.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            # self.env.context.get("key") / context["key"]
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr in ("context", "_context")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                keys.add(node.args[0].value)
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr in ("context", "_context")
                and isinstance(node.slice, ast.Constant)
            ):
                keys.add(node.slice.value)
            # with_context(key=...): a key the code sets, so reads somewhere
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "with_context"
            ):
                keys.update(kw.arg for kw in node.keywords if kw.arg)
    return sorted(key for key in keys if isinstance(key, str))


def context_variants():
    """[(label, context)]: none, then each key alone."""
    variants = [("no context key", {})]
    keys = dict(HISTORICAL_CONTEXT_KEYS)
    keys.update(ODOO_CONTEXT_KEYS)
    for key in context_keys_read():
        keys.setdefault(key, KEY_VALUES.get(key, True))
    variants += [(f"{key}={value!r}", {key: value}) for key, value in keys.items()]
    return variants


# ----------------------------------------------------------------------
# The world: two teams, the same data through the modules' own flows
# ----------------------------------------------------------------------


class World:
    """Users, configuration, and per team the same records; ``records``
    maps a model to {team: ids} (team None: the shared configuration)."""

    def __init__(self, env):
        self.env = env(context=dict(env.context, tracking_disable=True))
        self.users = {}
        self.records = {}
        self.keys = {}  # (team, key) -> record, to map one team's onto the other
        # {team: {"open" | "closed": {model: ids}}}: documents of every metric
        self.documents = {}
        self.today = fields.Date.context_today(self.env.user)

    # -- bookkeeping ----------------------------------------------------

    def _snapshot_ids(self):
        env = self.env
        # what a commit runs first: deal credits, facts, tracking
        self.env.cr.flush()
        state = {}
        for name in covered_models(env):
            model = env[name].sudo().with_context(active_test=False)
            if model._auto and not model._transient:
                env.cr.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{model._table}"')  # noqa: S608
                state[name] = env.cr.fetchone()[0]
            elif model._transient:
                env.cr.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{model._table}"')  # noqa: S608
                state[name] = env.cr.fetchone()[0]
        return state

    def _record_new(self, team, before):
        after = self._snapshot_ids()
        for name, top in after.items():
            if top > before.get(name, 0):
                model = self.env[name].sudo().with_context(active_test=False)
                ids = model.search([("id", ">", before.get(name, 0))]).ids
                if ids:
                    self.records.setdefault(name, {}).setdefault(team, []).extend(ids)

    def key(self, team, key, record):
        self.keys[team, key] = record
        return record

    def phase(self, team, build):
        before = self._snapshot_ids()
        build()
        self._record_new(team, before)

    # -- users ----------------------------------------------------------

    def build(self):
        env = self.env
        company = env.company
        self.company = company

        def user(login, groups, manager=None):
            self.users[login] = new_test_user(
                env,
                login=f"sd_{login}",
                password=f"sd_{login}_pw",
                groups=groups,
                name=f"SD {login.replace('_', ' ').title()}",
                company_id=company.id,
                company_ids=[company.id],
                sfa_manager_id=manager.id if manager else False,
                tz="Europe/Paris",
            )
            return self.users[login]

        director = user("director", "sfa_base.group_sfa_director")
        for team in TEAMS:
            manager = user(f"manager_{team}", "sfa_base.group_sfa_manager", director)
            supervisor = user(
                f"supervisor_{team}", "sfa_base.group_sfa_supervisor", manager
            )
            user(f"rep_{team}", "sfa_base.group_sfa_rep", supervisor)
            user(f"rep_{team}2", "sfa_base.group_sfa_rep", supervisor)
        user("clerk", "base.group_user")
        user("portal", "base.group_portal")
        self.phase(None, self._build_configuration)
        for team in TEAMS:
            self.phase(team, lambda team=team: self._build_team(team))
        # reports over SQL views: their rows belong to whoever owns them
        for name in covered_models(env):
            model = env[name].sudo()
            if model._auto or model._transient:
                continue
            owner = getattr(model, "_sfa_owner_field", None) or "user_id"
            if owner not in model._fields:
                continue
            for team in TEAMS:
                team_users = [
                    u.id
                    for login, u in self.users.items()
                    if login.endswith(team) or login.endswith(f"{team}2")
                ]
                ids = model.search([(owner, "in", team_users)]).ids
                if ids:
                    self.records.setdefault(name, {})[team] = ids
        env.flush_all()
        return self

    def user(self, login):
        return self.users[login]

    # -- shared configuration -------------------------------------------

    def _build_configuration(self):
        env = self.env
        director = self.user("director")
        self.country = env["sfa.territory"].create(
            {"name": "SD Country", "code": "SD", "type": "country"}
        )
        env["sfa.territory.rule"].create(
            {
                "territory_id": self.country.id,
                "country_ids": [Command.set(env.ref("base.fr").ids)],
            }
        )
        self.category = env["sfa.customer.category"].create(
            {"name": "SD Key", "visit_frequency_days": 7}
        )
        self.product = env["product.product"].create(
            {"name": "SD Forklift", "list_price": 1000}
        )
        self.stages = [env.ref(f"crm.stage_lead{i}") for i in (1, 2, 3)]
        self.won_stage = env.ref("crm.stage_lead4")
        self.stages[1].rotting_threshold_days = 3
        self.visit = env.ref("sfa_pipeline.sfa_action_type_visit")
        self.call = env.ref("sfa_pipeline.sfa_action_type_call")
        env["sfa.stage.norm"].create(
            {
                "stage_id": self.stages[1].id,
                "action_type_id": self.call.id,
                "min_count": 1,
            }
        )
        kpi = env["sfa.kpi"].search([("code", "=", "won_revenue")], limit=1)
        env["sfa.scorecard.template"].create(
            {
                "name": "SD Reps",
                "role": "rep",
                "line_ids": [
                    Command.create({"kpi_id": kpi.id, "weight": 100, "target": 1000})
                ],
            }
        )
        start = self.today.replace(month=1, day=1)
        self.plan = env["sfa.target.plan"].create(
            {
                "name": "SD Plan",
                "date_from": start,
                "date_to": start.replace(month=12, day=31),
            }
        )
        self.kb_category = env["sfa.knowledge.category"].create(
            {"name": "SD Playbooks"}
        )
        self.kb_tag = env["sfa.knowledge.tag"].create({"name": "SD Pricing"})
        # a customer of no one's, which every rep reads
        self.key(
            None,
            "free_customer",
            env["res.partner"].create({"name": "SD Free Customer", "is_company": True}),
        )
        director.sudo()  # configuration is made by the system here

    # -- one team's data ------------------------------------------------

    def _build_team(self, team):
        env = self.env
        today = self.today
        manager = self.user(f"manager_{team}")
        supervisor = self.user(f"supervisor_{team}")
        rep = self.user(f"rep_{team}")
        rep2 = self.user(f"rep_{team}2")
        zip_prefix = "59" if team == "a" else "13"

        region = self.key(
            team,
            "region",
            env["sfa.territory"].create(
                {
                    "name": f"SD Region {team.upper()}",
                    "code": f"SD-{team.upper()}",
                    "type": "region",
                    "parent_id": self.country.id,
                    "manager_id": manager.id,
                    "member_ids": [Command.set((rep | rep2).ids)],
                }
            ),
        )
        env["sfa.territory.rule"].create(
            {"territory_id": region.id, "zip_prefixes": zip_prefix}
        )
        customer = self.key(
            team,
            "customer",
            env["res.partner"].create(
                {
                    "name": f"SD Customer {team.upper()}",
                    "is_company": True,
                    "user_id": rep.id,
                    "country_id": env.ref("base.fr").id,
                    "zip": f"{zip_prefix}000",
                    "email": f"buyer@customer-{team}.example.com",
                    "phone": f"+33 1 00 00 00 0{1 if team == 'a' else 2}",
                    "street": f"{team.upper()} street",
                    "sfa_category_id": self.category.id,
                }
            ),
        )
        self.key(
            team,
            "contact",
            env["res.partner"].create(
                {"name": f"SD Contact {team.upper()}", "parent_id": customer.id}
            ),
        )
        lead = self.key(
            team,
            "lead",
            env["crm.lead"].create(
                {
                    "name": f"SD Deal {team.upper()}",
                    "type": "opportunity",
                    "user_id": rep.id,
                    "partner_id": customer.id,
                    "expected_revenue": 5000,
                    "date_deadline": today + timedelta(days=10),
                    "stage_id": self.stages[0].id,
                }
            ),
        )
        env["sfa.lead.line"].create(
            {"lead_id": lead.id, "product_id": self.product.id, "quantity": 2}
        )
        lead.write({"stage_id": self.stages[1].id})
        won = env["crm.lead"].create(
            {
                "name": f"SD Won {team.upper()}",
                "type": "opportunity",
                "user_id": rep.id,
                "partner_id": customer.id,
                "expected_revenue": 3000,
                "stage_id": self.stages[0].id,
            }
        )
        won.with_user(supervisor).write({"stage_id": self.stages[1].id})
        won.action_set_won()
        lost = env["crm.lead"].create(
            {
                "name": f"SD Lost {team.upper()}",
                "type": "opportunity",
                "user_id": rep.id,
                "partner_id": customer.id,
            }
        )
        lost.action_set_lost()
        # a deal stuck in a stage that rots after 3 days
        lead.flush_recordset()
        env.cr.execute(
            "UPDATE crm_lead SET date_last_stage_update = %s WHERE id = %s",
            (env.cr.now() - timedelta(days=10), lead.id),
        )
        lead.invalidate_recordset()

        Action = env["sfa.action"]
        start = datetime.combine(
            today + timedelta(days=2), datetime.min.time()
        ).replace(hour=9)
        self.key(
            team,
            "visit",
            Action.with_user(rep).create(
                {
                    "action_type_id": self.visit.id,
                    "lead_id": lead.id,
                    "user_id": rep.id,
                    "start": start,
                    "description": f"<p>Secret notes of team {team.upper()}</p>",
                }
            ),
        )
        Action.with_user(rep).create(
            {
                "action_type_id": self.call.id,
                "partner_id": customer.id,
                "user_id": rep.id,
                "start": datetime.now() - timedelta(days=3),
            }
        )
        Action.with_user(rep).create(
            {
                "action_type_id": self.call.id,
                "lead_id": lead.id,
                "user_id": rep.id,
                "start": datetime.now() - timedelta(days=1),
                "state": "done",
                "outcome": "Called",
                "cost": 25,
            }
        )

        Forecast = env["sfa.forecast"]
        Forecast._refresh_period(today)
        forecast = Forecast.search([("user_id", "=", rep.id)], limit=1)
        env["sfa.forecast.adjustment"].with_user(supervisor).create(
            {"forecast_id": forecast.id, "amount": 4000, "reason": "Slips"}
        )
        # one snapshot a day, of the whole pipeline: each team's on its day
        with freeze_time(today - timedelta(days=1 if team == "a" else 0)):
            env["sfa.pipeline.snapshot"]._take_snapshot()

        Line = env["sfa.target.line"]
        region_line = Line.create(
            {
                "plan_id": self.plan.id,
                "owner_type": "territory",
                "territory_id": region.id,
                "metric": "won_revenue",
                "date_from": self.plan.date_from,
                "date_to": self.plan.date_to,
                "target_value": 100000,
            }
        )
        rep_line = Line.create(
            {
                "plan_id": self.plan.id,
                "parent_id": region_line.id,
                "owner_type": "user",
                "user_id": rep.id,
                "territory_id": False,
                "metric": "won_revenue",
                "date_from": self.plan.date_from,
                "date_to": self.plan.date_to,
                "target_value": 50000,
            }
        )
        if self.plan.date_from < today:
            rep_line.with_user(manager).write({"user_id": rep2.id})  # a holder
            rep_line.with_user(manager).write({"user_id": rep.id})
        (region_line | rep_line)._refresh_actuals()

        generate = (
            env["sfa.scorecard.generate"]
            .with_user(manager)
            .create(
                {
                    "date_from": today.replace(day=1),
                    "user_ids": [Command.set((rep | rep2).ids)],
                }
            )
        )
        generate.action_apply()
        env["sfa.customer.value"]._cron_compute()
        env["sfa.performance.alert"]._sfa_create_alerts()
        env["sfa.stuck.digest"]._cron_send_digests()

        Article = env["sfa.knowledge.article"]
        published = Article.with_user(manager).create(
            {
                "name": f"SD Playbook {team.upper()}",
                "body": f"<p>How team {team.upper()} wins</p>",
                "tier": "all",
                "territory_ids": [Command.set(region.ids)],
                "category_id": self.kb_category.id,
                "tag_ids": [Command.set(self.kb_tag.ids)],
            }
        )
        published.with_user(manager).action_publish()
        published.with_user(rep).action_mark_helpful()
        published.with_user(rep).action_register_view()
        Article.with_user(rep).create(
            {"name": f"SD Draft {team.upper()}", "body": "<p>notes</p>"}
        )

        self._open_wizards(team, lead, customer, region, region_line)
        # a document of every metric, this month and in a closed one
        for when in ("open", "closed"):
            self.documents.setdefault(team, {})[when] = self._build_documents(
                team, when
            )

    def _build_documents(self, team, when):
        """The rep's documents of every declared metric, dated in the open
        month (``open``, today) or in a closed one (``closed``, the 10th of
        last month), as the modules' own flows make them: a won deal with a
        product line, done actions, an order, its invoice partly paid, an
        e-mail, a meeting, a done activity, a customer's rating."""
        env = self.env
        rep = self.user(f"rep_{team}")
        customer = self.keys[team, "customer"]
        contact = self.keys[team, "contact"]
        moment = datetime.combine(self.today, datetime.min.time()).replace(hour=9)
        if when == "closed":
            moment = closed_moment(self.today)
        elif moment > datetime.now():  # noqa: DTZ005 - Odoo's naive UTC
            # before 9:00 UTC: five minutes ago, to the second as Odoo stores
            # it (a value with microseconds is no datetime Odoo accepts)
            moment = (datetime.now() - timedelta(minutes=5)).replace(  # noqa: DTZ005
                microsecond=0
            )
        day = moment.date()
        with freeze_time(moment):
            won = env["crm.lead"].create(
                {
                    "name": f"SD {when.title()} Won {team.upper()}",
                    "type": "opportunity",
                    "user_id": rep.id,
                    "partner_id": customer.id,
                    "expected_revenue": 1500,
                }
            )
            env["sfa.lead.line"].create(
                {
                    "lead_id": won.id,
                    "product_id": self.product.id,
                    "quantity": 3,
                    "price_unit": 500,
                }
            )
            won.action_set_won()
            actions = env["sfa.action"].create(
                [
                    {
                        "action_type_id": action_type.id,
                        "partner_id": customer.id,
                        "user_id": rep.id,
                        "start": moment - timedelta(minutes=30),
                        "duration": 1,
                        "cost": 40,
                        "outcome": "Done.",
                    }
                    for action_type in (self.visit, self.call)
                ]
            )
            actions.action_done()
            order = env["sale.order"].create(
                {
                    "partner_id": customer.id,
                    "user_id": rep.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": 2,
                                "price_unit": 700,
                                "purchase_price": 400,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            order.action_confirm()
            invoice = order._create_invoices()
            invoice.invoice_date = day
            invoice.action_post()
            env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": 600, "payment_date": day})._create_payments()
            # the system's own message (a data file, a job) keeps its date
            message = env["mail.message"].create(
                {
                    "model": "res.partner",
                    "res_id": customer.id,
                    "message_type": "email",
                    "author_id": rep.partner_id.id,
                    "date": moment,
                    "subtype_id": env.ref("mail.mt_comment").id,
                    "body": f"<p>Our offer, team {team.upper()}</p>",
                }
            )
            meeting = (
                env["calendar.event"]
                .with_context(no_mail_to_attendees=True, mail_create_nolog=True)
                .create(
                    {
                        "name": f"SD {when.title()} Meeting {team.upper()}",
                        # as the actions' meetings are: "Busy" to colleagues
                        "privacy": "private",
                        "user_id": rep.id,
                        "partner_ids": [Command.set([rep.partner_id.id, contact.id])],
                        "start": moment - timedelta(hours=4),
                        "stop": moment - timedelta(hours=3),
                    }
                )
            )
            activity = customer.activity_schedule(
                "mail.mail_activity_data_call", user_id=rep.id
            )
            activity.action_feedback(feedback="Called")
            rating = env["rating.rating"].create(
                {
                    "res_model_id": env["ir.model"]._get_id("res.partner"),
                    "res_id": customer.id,
                    "rated_partner_id": rep.partner_id.id,
                    "partner_id": contact.id,
                    "rating": 5,
                    "consumed": True,
                    "rated_on": moment,
                }
            )
        env.cr.flush()  # the facts of this moment, before the next ones
        return {
            "res.partner": customer.ids,
            "crm.lead": won.ids,
            "sfa.lead.line": won.sfa_line_ids.ids,
            "sfa.action": actions.ids,
            "sale.order": order.ids,
            "sale.order.line": order.order_line.ids,
            "account.move": invoice.ids,
            "account.move.line": invoice.invoice_line_ids.ids,
            "mail.message": message.ids,
            "calendar.event": meeting.ids,
            "mail.activity": activity.ids,
            "rating.rating": rating.ids,
        }

    def _open_wizards(self, team, lead, customer, region, region_line):
        """The wizards of the team's people, left open as a user leaves them:
        a wizard is its user's."""
        env = self.env
        manager = self.user(f"manager_{team}")
        rep = self.user(f"rep_{team}")
        rep2 = self.user(f"rep_{team}2")
        share = (
            env["sfa.share.wizard"]
            .with_user(rep)
            .create(
                {
                    "res_model": "crm.lead",
                    "res_ids": lead.ids,
                    "user_ids": [Command.set(rep2.ids)],
                    "access": "edit",
                }
            )
        )
        share.action_share()
        env["sfa.delegate.wizard"].with_user(rep).create(
            {
                "res_model": "res.partner",
                "res_ids": customer.ids,
                "user_id": rep2.id,
                "note": "later",
            }
        )
        # a city opened in the region after a customer of its zips came in:
        # the realignment proposes to move it there
        zip_prefix = "59" if team == "a" else "13"
        env["res.partner"].create(
            {
                "name": f"SD Newcomer {team.upper()}",
                "is_company": True,
                "user_id": rep2.id,
                "country_id": env.ref("base.fr").id,
                "zip": f"{zip_prefix}100",
            }
        )
        city = env["sfa.territory"].create(
            {
                "name": f"SD City {team.upper()}",
                "code": f"SD-{team.upper()}-C",
                "type": "city",
                "parent_id": region.id,
            }
        )
        env["sfa.territory.rule"].create(
            {"territory_id": city.id, "zip_prefixes": f"{zip_prefix}1"}
        )
        realign = (
            env["sfa.realignment.wizard"]
            .with_user(manager)
            .create({"territory_id": region.id})
        )
        realign.action_preview()
        # an activity done on the deal: what crm's activity report shows
        lead.activity_schedule(
            "mail.mail_activity_data_todo", user_id=rep.id, summary="Send the quote"
        )
        lead.activity_ids.filtered(lambda a: a.summary == "Send the quote").with_user(
            rep
        ).action_feedback("Sent")
        handover = (
            env["sfa.handover.wizard"]
            .with_user(manager)
            .create({"from_user_id": rep2.id, "mode": "user", "to_user_id": rep.id})
        )
        handover.action_preview()
        decompose = (
            env["sfa.target.decompose"]
            .with_user(manager)
            .create(
                {"line_id": region_line.id, "split_by": "time", "period": "quarter"}
            )
        )
        decompose.action_preview()
        env["sfa.agenda.wizard"].with_user(rep).create({"user_id": rep.id})
        # the director's settings form, left open (nothing saved on the company)
        env["sfa.settings"].with_user(self.user("director")).create({})
        change = (
            env["sfa.pipeline.change"]
            .with_user(manager)
            .create(
                {
                    "date_a": self.today - timedelta(days=1),
                    "date_b": self.today - timedelta(days=1),
                }
            )
        )
        change.action_compute()


# ----------------------------------------------------------------------
# The cases
# ----------------------------------------------------------------------


def _plain_value(field, value):
    """A record's value in the form create/write take."""
    if field.type == "many2one":
        return value.id or False
    if field.type in ("many2many", "one2many"):
        return [Command.set(value.ids)]
    if field.type == "date":
        return fields.Date.to_string(value) if value else False
    if field.type == "datetime":
        return fields.Datetime.to_string(value) if value else False
    if field.type in ("binary", "image"):
        return False
    if hasattr(value, "__html__"):
        return str(value)
    return value


def _sample_value(field, model):
    """A value of the field's type that a client could send."""
    if field.type == "many2one":
        comodel = model.env[field.comodel_name].sudo()
        return comodel.search([], limit=1).id or False
    if field.type in ("many2many", "one2many"):
        return [Command.set([])]
    if field.type == "selection":
        return (field.get_values(model.env) or [False])[0]
    return {
        "char": "x",
        "text": "x",
        "html": "<p>x</p>",
        "integer": 7,
        "float": 7.0,
        "monetary": 7.0,
        "boolean": True,
        "date": "2099-01-01",
        "datetime": "2099-01-01 00:00:00",
    }.get(field.type, False)


def _writable_field(model):
    """A stored field a user could write, to try on another team's record."""
    system = system_fields(model)
    for name in ("name", "note", "comment", "description", "reason", "sequence"):
        field = model._fields.get(name)
        if field and field.store and not field.readonly and name not in system:
            return name
    for name, field in model._fields.items():
        if (
            field.store
            and not field.readonly
            and name not in system
            and name not in ("id", "company_id")
            and field.type in ("char", "text", "integer", "float", "boolean", "date")
        ):
            return name
    return None


def _json_safe(value):
    return json.loads(json.dumps(value, default=str))


def generate_cases(world):
    """All the cases, as JSON-ready dicts."""
    return Cases(world).generate()


class Cases:
    """The matrix: for every covered model, attacker and context variant,
    the calls a client could try."""

    def __init__(self, world):
        self.world = world
        self.env = world.env
        self.cases = []

    def add(self, **case):
        case["id"] = len(self.cases) + 1
        self.cases.append(_json_safe(case))

    def generate(self):
        variants = context_variants()
        for name in covered_models(self.env):
            Model = self.env[name].sudo().with_context(active_test=False)
            for attacker in ATTACKERS:
                for label, context in variants:
                    self.model_cases(Model, attacker, label, context)
            self.number_cases(Model)
        return self.cases

    def number_cases(self, Model):
        """NaN, infinity, 1e308, text, and a negative figure where the field
        says it has none, written by the team's rep and manager on their own
        record: refused, and nothing written."""
        ids = (self.world.records.get(Model._name, {}).get("b") or [])[:1]
        if not ids or not Model._auto:
            return
        for fname, values in bad_numbers(Model):
            for writer, value in itertools.product(("rep_b", "manager_b"), values):
                self.add(
                    user=self.world.user(writer).login,
                    model=Model._name,
                    context={},
                    variant=f"bad number {value!r}",
                    method="write",
                    args=[ids, {fname: value}],
                    kwargs={},
                    expect="refused",
                    # not "unchanged": the system may move a counter (a
                    # customer's rank) while other clients work
                    not_written={"ids": ids, "field": fname},
                )

    def targets(self, Model, attacker):
        """The records of the other team (team A) a case aims at."""
        teams = self.world.records.get(Model._name, {})
        targets = teams.get("a", [])
        if is_configuration(Model):
            targets = targets or teams.get(None, [])
        on = next((f for f in ("res_model", "model") if f in Model._fields), None)
        if attacker == "clerk" and on:
            # what lives on a customer follows the customer, which every
            # employee reads in Odoo's contact book
            targets = [
                rec.id
                for rec in Model.browse(targets)
                if not (
                    rec[on]
                    and getattr(self.env[rec[on]], "_sfa_open_to_internal_users", False)
                )
            ]
        return targets

    def model_cases(self, Model, attacker, label, context):
        if is_odoos_open_record(Model):
            # Odoo's own records every employee reads and comments (a
            # rating): only the fields that make figures are the system's
            if Model._auto and attacker == "rep_b" and not context:
                own = self.world.records.get(Model._name, {}).get("b", [])
                common = {
                    "user": self.world.user(attacker).login,
                    "model": Model._name,
                    "context": context,
                    "variant": label,
                }
                self.system_field_cases(Model, common, own, True)
            return
        first = not context
        common = {
            "user": self.world.user(attacker).login,
            "model": Model._name,
            "context": context,
            "variant": label,
        }
        targets = self.targets(Model, attacker)
        config = is_configuration(Model)
        if targets and not config:
            self.read_cases(Model, attacker, common, targets, first)
        if targets and first:
            self.write_cases(Model, common, targets)
        own = self.world.records.get(Model._name, {}).get("b", [])
        mine = own if attacker == "rep_b" and own else targets
        if mine and Model._auto:
            self.system_field_cases(Model, common, mine, first)
        if not config:
            self.onchange_cases(Model, common, first, attacker)
            source = own if own and attacker == "rep_b" else targets
            if source and Model._auto and first:
                self.plant_cases(Model, common, source[0])

    def read_cases(self, Model, attacker, common, targets, first):
        """Find, read, count, export: nothing of the other team."""
        if hasattr(Model, "_get_public_fields"):
            # Odoo's calendar shows every event, the private ones as "Busy"
            public = Model._get_public_fields()
            hidden = [
                f
                for f in ("name", "description", "opportunity_id", "res_id")
                if f in Model._fields and f not in public
            ]
            self.add(
                **common,
                method="search_read",
                args=[[("id", "in", targets)], hidden],
                kwargs={},
                expect="masked",
                secret={
                    str(rec.id): {
                        f: _plain_value(Model._fields[f], rec[f]) for f in hidden
                    }
                    for rec in Model.browse(targets)
                },
            )
            return
        if attacker == "clerk" and is_open_to_employees(Model):
            return  # Odoo's contact book: every employee reads it
        domain = [("id", "in", targets)]
        foreign = {"expect": "no_foreign", "foreign": targets, "kwargs": {}}
        self.add(
            **common, method="search_read", args=[domain, ["display_name"]], **foreign
        )
        if not first:
            return
        self.add(
            **common,
            method="name_search",
            args=[""],
            kwargs={"domain": domain, "limit": 200},
            expect="no_foreign",
            foreign=targets,
        )
        self.add(
            **common,
            method="formatted_read_group",
            args=[domain, [], ["__count"]],
            **foreign,
        )
        self.add(**common, method="search_count", args=[domain], **foreign)
        refused = {"expect": "refused", "kwargs": {}}
        self.add(
            **common, method="read", args=[targets[:5], ["display_name"]], **refused
        )
        self.add(
            **common,
            method="export_data",
            args=[targets[:5], ["id", "display_name"]],
            **refused,
        )

    def write_cases(self, Model, common, targets):
        """Change or delete the other team's records (or the shared
        configuration)."""
        fname = _writable_field(Model)
        if fname:
            field = Model._fields[fname]
            value = _plain_value(field, Model.browse(targets[0])[fname])
            self.add(
                **common,
                method="write",
                args=[targets[:1], {fname: value or _sample_value(field, Model)}],
                kwargs={},
                expect="refused",
                unchanged={"ids": targets[:1], "fields": [fname]},
            )
        self.add(
            **common,
            method="unlink",
            args=[targets[:1]],
            kwargs={},
            expect="refused",
            unchanged={"ids": targets[:1], "fields": ["id"]},
        )
        if hasattr(Model, "message_post") and Model._auto:
            # the chatter: a note on the other team's record
            self.add(
                **common,
                method="message_post",
                args=[targets[:1]],
                kwargs={"body": "side door", "message_type": "comment"},
                expect="refused",
            )

    def system_field_cases(self, Model, common, mine, first):
        """Type in a field only the system writes, on one's own record."""
        system = system_fields(Model)
        record = Model.browse(mine[0])
        names = sorted(system) if first else sorted(system)[:3]
        for fname in names:
            field = Model._fields[fname]
            if field.type == "one2many" or not field.store:
                continue
            value = _plain_value(field, record[fname])
            if value in (False, None, 0, "", [Command.set([])]):
                value = _sample_value(field, Model)
            self.add(
                **common,
                method="write",
                args=[mine[:1], {fname: value}],
                kwargs={},
                expect="refused",
                unchanged={"ids": mine[:1], "fields": [fname]},
            )

    def onchange_cases(self, Model, common, first, attacker):
        """Start a form from the other team's customer, deal or record (a
        customer is in every employee's contact book)."""
        for fname, field in Model._fields.items():
            comodel = self.env[field.comodel_name] if field.relational else None
            if (
                field.type != "many2one"
                or not field.store
                or not _is_private(comodel)
                or is_configuration(comodel)
                or (attacker == "clerk" and is_open_to_employees(comodel))
            ):
                continue
            ids = self.world.records.get(field.comodel_name, {}).get("a", [])
            if not ids:
                continue
            self.add(
                **common,
                method="onchange",
                args=[[], {fname: ids[0]}, [fname], {fname: {}}],
                kwargs={},
                expect="refused",
            )
            if not first:
                return

    def plant_cases(self, Model, common, source_id):
        """Create a record on the other team: one's own, relinked."""
        vals = _foreign_copy(self.world, Model, source_id)
        if vals:
            self.add(
                **common,
                method="create",
                args=[vals],
                kwargs={},
                expect="refused",
                count={"domain": []},
            )


def _foreign_copy(world, Model, record_id):
    """Values of a team B record (from copy_data) with its owner and every
    private link moved onto team A's equivalents."""
    record = Model.browse(record_id)
    try:
        vals = record.copy_data()[0]
    except (UserError, NotImplementedError):
        return None
    system = system_fields(Model)
    b_to_a = {}
    for (team, key), rec in world.keys.items():
        if team == "b":
            other = world.keys.get(("a", key))
            if other:
                b_to_a[rec._name, rec.id] = other.id
    owner = getattr(Model, "_sfa_owner_field", None)
    clean = {}
    moved = False
    for fname, value in vals.items():
        field = Model._fields.get(fname)
        if field is None or fname in system or not field.store:
            continue
        if field.type == "many2one":
            value = value.id if hasattr(value, "id") else value
            before = value
            value = b_to_a.get((field.comodel_name, value), value)
            moved |= value != before
        elif field.type in ("one2many",):
            continue
        elif field.type == "many2many":
            continue
        clean[fname] = _json_safe(
            _plain_value(field, value) if hasattr(value, "_name") else value
        )
    if owner and owner in Model._fields and owner not in system:
        clean[owner] = world.user("rep_a").id
        moved = True
    # nothing of the other team in it: not a plant, an ordinary create
    return clean if moved else None


# ----------------------------------------------------------------------
# Forged figures: the fields that feed the facts, written by a rep
# ----------------------------------------------------------------------


def feed_role(field):
    """What a field gives a fact: its owner, day, amount or customer (None:
    something else, whether the fact is there)."""
    if field.type == "many2one" and field.comodel_name == "res.users":
        return "owner"
    if field.type == "many2one" and field.comodel_name == "res.partner":
        return "customer"
    if field.type in ("date", "datetime"):
        return "date"
    if field.type in ("integer", "float", "monetary"):
        return "amount"
    return None


def fact_feeds(env):
    """{metric: [(model, field, role, key, path)]}: the fields of documents
    whose change moves the metric's facts (its declaration's ``depends`` and
    ``triggers``), with the role each plays. A metric whose documents only
    the system writes (histories, credits) has none a client could write."""
    feeds = {}
    for metric, source in env["sfa.fact"]._sfa_sources().items():
        rules = [(source.model, source.depends, "res_id", "id"), *source.triggers]
        found = []
        for model, names, key, path, *_created in rules:
            Model = env[model]
            system = system_fields(Model)
            for fname in names:
                field = Model._fields.get(fname)
                if (
                    field is None
                    or not field.store
                    or fname in MAGIC_COLUMNS
                    or fname in system
                    or (field.compute and field.readonly and not field.inverse)
                ):
                    continue
                if role := feed_role(field):
                    found.append((model, fname, role, key, path))
        feeds[metric] = found
    return feeds


def fact_watch(world):
    """The facts a rep of team B may not move: those of anyone but himself
    (but the credit the system shares out), and those of closed months."""
    env = world.env
    rep = world.user("rep_b")
    today = fields.Date.context_today(rep.with_context(tz=rep.tz))
    system_owned = [
        metric
        for metric, source in env["sfa.fact"]._sfa_sources().items()
        if source.owned_by_system
    ]
    return {
        "user": rep.id,
        "before": str(today.replace(day=1)),
        "system_owned": system_owned,
    }


def fact_state(env, watch):
    """The watched facts, as plain rows."""
    env.cr.execute(
        """
        SELECT metric, res_id, COALESCE(partner_id, 0), company_id, date::text,
               COALESCE(user_id, 0), amount::float, quantity::float
          FROM sfa_fact
         WHERE date < %(before)s
            OR (user_id <> %(user)s AND metric <> ALL(%(system_owned)s))
         ORDER BY 1, 2, 3, 4
        """,
        watch,
    )
    return [list(row) for row in env.cr.fetchall()]


def generate_forge_cases(world):
    """For every declared metric, each field that feeds the owner, day,
    amount or customer of its facts, written by team B's rep on his own
    documents: this month's, aiming at another rep (owner, customer) or at a
    closed month (day); a closed month's, to any other value. Also sent in a
    create and as a context default. Expected: the watched facts do not
    move, or the call is refused."""
    env = world.env
    cases = Cases(world)
    rep = world.user("rep_b")
    watch = fact_watch(world)
    start = date.fromisoformat(watch["before"])
    sources = env["sfa.fact"]._sfa_sources()
    Fact = env["sfa.fact"].sudo()
    for metric, feeds in fact_feeds(env).items():
        source = sources[metric]
        for when in ("open", "closed"):
            fact = Fact.search(
                [
                    ("metric", "=", metric),
                    ("user_id", "=", rep.id),
                    ("date", ">=" if when == "open" else "<", str(start)),
                    ("res_id", "in", world.documents["b"][when].get(source.model, [])),
                ],
                limit=1,
            )
            if not fact:
                continue
            for model, fname, role, key, path in feeds:
                Model = env[model].sudo().with_context(active_test=False)
                field = Model._fields[fname]
                anchor = fact.res_id if key == "res_id" else fact[key].id
                record = (
                    Model.browse(anchor)
                    if path == "id"
                    else Model.search([(path, "in", [anchor])], limit=1)
                )
                if not record:
                    continue
                common = {
                    "user": rep.login,
                    "model": model,
                    "context": {},
                    "variant": f"{metric} {role} {when}",
                    "expect": "facts_unmoved",
                    "watch": watch,
                    "kwargs": {},
                }
                creates = when == "open" and model == source.model and path == "id"
                vals = copy_values(record) if creates else None
                for value in _forged_values(world, field, record[fname], role, when):
                    cases.add(
                        **common, method="write", args=[record.ids, {fname: value}]
                    )
                    if vals is None:
                        continue
                    cases.add(
                        **common, method="create", args=[dict(vals, **{fname: value})]
                    )
                    cases.add(
                        **dict(common, context={f"default_{fname}": value}),
                        method="create",
                        args=[{k: v for k, v in vals.items() if k != fname}],
                    )
    _forged_message_cases(world, cases, watch)
    return cases.cases


def _forged_values(world, field, current, role, when):
    """The values a forger writes: this month, another rep as owner (or as
    the author, for a person), another team's customer, a closed day; in a
    closed month, anything else."""
    if role == "owner":
        return [world.user("rep_a" if when == "open" else "rep_b2").id]
    if role == "customer":
        if when == "open":
            return [world.keys["a", "customer"].id, world.user("rep_a").partner_id.id]
        return [
            world.keys[None, "free_customer"].id,
            world.user("rep_b2").partner_id.id,
        ]
    if role == "amount":
        # this month, his own figure is his to correct
        return [] if when == "open" else [(current or 0) * 2 + 7]
    # the day: out of the closed month, or into it
    day = datetime.now() if when == "closed" else closed_moment(world.today)  # noqa: DTZ005
    if field.type == "datetime":
        return [fields.Datetime.to_string(day)]
    return [fields.Date.to_string(day)]


def _forged_message_cases(world, cases, watch):
    """What a rep may say about a message: that a colleague wrote it (the
    author, or its default in the context), that the customer wrote it (by
    hand, or handing Odoo's mail gateway an e-mail), that it was sent in a
    closed month."""
    rep = world.user("rep_b")
    lead = world.documents["b"]["open"]["crm.lead"][0]
    customer = world.keys["b", "customer"]
    colleague = world.user("rep_a").partner_id.id
    common = {
        "user": rep.login,
        "expect": "facts_unmoved",
        "watch": watch,
        "variant": "contact_emails message open",
    }
    day = fields.Datetime.to_string(closed_moment(world.today))
    for model, record in (("crm.lead", lead), ("res.partner", customer.id)):
        post = {
            "body": "Forged",
            "message_type": "email",
            "subtype_xmlid": "mail.mt_comment",
        }
        for kwargs, context in (
            (dict(post, author_id=colleague), {}),
            (post, {"default_author_id": colleague}),
            (dict(post, author_id=customer.id), {}),
        ):
            cases.add(
                **common,
                model=model,
                method="message_post",
                args=[[record]],
                kwargs=kwargs,
                context=context,
            )
        cases.add(
            **common,
            model="mail.message",
            method="create",
            args=[
                {
                    "model": model,
                    "res_id": record,
                    "message_type": "email",
                    "author_id": rep.partner_id.id,
                    "date": day,
                    "body": "Sent last month, they say",
                }
            ],
            kwargs={},
            context={},
        )
    email = (
        f"From: {customer.name} <{customer.email}>\r\n"
        "To: sales@example.com\r\n"
        "Subject: Re: your offer\r\n"
        "Message-Id: <forged-{tag}@example.com>\r\n"
        f"Date: {closed_moment(world.today):%a, %d %b %Y %H:%M:%S} +0000\r\n"
        "Content-Type: text/plain\r\n\r\nLet us sign.\r\n"
    )
    for tag, thread in (("deal", lead), ("customer", customer.id)):
        cases.add(
            **common,
            model="mail.thread",
            method="message_process",
            args=[
                "crm.lead" if tag == "deal" else "res.partner",
                email.format(tag=tag),
            ],
            kwargs={"thread_id": thread},
            context={},
        )


def copy_values(record):
    """A create like ``record``, as a client sends it (its copy's values),
    or None when the model copies nothing."""
    try:
        vals = record.copy_data()[0]
    except (UserError, NotImplementedError):
        return None
    system = system_fields(record)
    clean = {}
    for fname, value in vals.items():
        field = record._fields.get(fname)
        if field is None or fname in system or not field.store:
            continue
        if field.type in ("one2many", "many2many"):
            continue
        clean[fname] = _json_safe(
            _plain_value(field, value) if hasattr(value, "_name") else value
        )
    return clean


# ----------------------------------------------------------------------
# Judging an outcome
# ----------------------------------------------------------------------


def unreadable_by_rpc(result):
    """What stops Odoo's XML-RPC from sending ``result`` (None, mostly)."""
    try:
        from odoo.addons.rpc.controllers.xmlrpc import OdooMarshaller  # noqa: PLC0415
    except ImportError:  # the rpc module is not there: the standard one
        OdooMarshaller = xmlrpc.client.Marshaller  # noqa: N806
    try:
        OdooMarshaller(allow_none=False).dumps((result,))
    except TypeError as exc:
        return f"answer an XML-RPC client cannot read: {exc}"
    return None


def found_ids(method, result):
    """Record ids an answer shows."""
    if method in ("search_read", "read"):
        return {row["id"] for row in result or []}
    if method == "name_search":
        return {row[0] for row in result or []}
    if method == "web_search_read":
        return {row["id"] for row in (result or {}).get("records", [])}
    return set()


def judge(case, outcome, state=None):
    """None when the case holds, else a sentence saying what leaked.

    ``outcome``: ("ok", result) or ("error", kind, message) where kind is
    "clear" (an Odoo error a user reads) or "raw" (anything else).
    ``state``: for refused writes, the values read back afterwards.
    """
    expect = case["expect"]
    if outcome[0] == "error" and outcome[1] == "raw":
        return f"raw error: {outcome[2][:160]}"
    if expect == "facts_unmoved":
        return _judge_facts(outcome, state)
    if expect == "refused":
        if outcome[0] == "ok":
            return f"not refused, returned {str(outcome[1])[:120]}"
        if state is not None and state.get("changed"):
            return f"refused, but written: {state['changed']}"
        return None
    if outcome[0] == "error":
        return None  # a clear refusal leaks nothing
    result = outcome[1]
    if problem := unreadable_by_rpc(result):
        return problem
    foreign = set(case.get("foreign", []))
    if expect == "no_foreign":
        if case["method"] == "formatted_read_group":
            count = sum(group.get("__count", 0) for group in result or [])
            return f"counted {count} of the other team's records" if count else None
        if case["method"] == "search_count":
            return f"counted {result} of the other team's records" if result else None
        leaked = found_ids(case["method"], result) & foreign
        return (
            f"returned the other team's records {sorted(leaked)[:5]}"
            if leaked
            else None
        )
    if expect == "masked":
        for row in result or []:
            secret = case["secret"].get(str(row["id"]), {})
            for fname, value in secret.items():
                shown = row.get(fname)
                if isinstance(shown, (list, tuple)) and shown and fname.endswith("_id"):
                    shown = shown[0]
                if value and shown and (fname != "name" or shown == value):
                    return f"showed {fname} of record {row['id']}: {str(shown)[:60]}"
        return None
    return f"unknown expectation {expect}"


def _judge_facts(outcome, state):
    """A call that went through moved no watched fact."""
    if outcome[0] == "ok" and state is not None and state.get("changed"):
        return f"moved another's or a closed month's facts: {state['changed']}"
    return None


def is_clear(exc):
    """An error a user reads (Odoo's) or a database refusal Odoo words."""
    import psycopg2  # noqa: PLC0415

    return isinstance(exc, (UserError, psycopg2.IntegrityError))


def today():
    return date.today()


def closed_moment(today):
    """The 10th of last month at 09:00: in a closed month for everyone."""
    last_month = today.replace(day=1) - timedelta(days=1)
    return datetime(last_month.year, last_month.month, 10, 9, 0)
