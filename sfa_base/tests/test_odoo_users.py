"""Everyone who used Odoo before keeps working: every view of an Odoo model the
SFA modules extend opens for Odoo's own roles, as the web client opens it.

Generated from the database: the models are those whose views or fields the
installed ``sfa_*`` modules extend; for each of them and each role (an
internal user without app rights, Sales "own documents" and "all documents"
without an SFA role, an accountant), the test loads the default form, list,
kanban and search views and every view of that model we extend with
``get_views``, then reads records of the sales force with ``web_read`` /
``web_search_read`` and opens a new record with ``onchange``, each time with the
field specification the web client builds from the processed view (its
x2many fields with their inline or default sub-views). Nothing may fail.

The portal user, who never opens those views, gets the pages Odoo gives them
instead (``TestPortalPages``).
"""

from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

VIEW_TYPES = ("form", "list", "kanban", "search")
# Odoo models the issue names even where only our fields reach them
ALWAYS = (
    "res.partner",
    "crm.lead",
    "res.users",
    "calendar.event",
    "mail.activity",
    "product.template",
    "product.product",
    "sale.order",
    "account.move",
    "crm.team",
)
# transient and technical models no role of this test opens
IGNORED = {"res.config.settings", "base.document.layout"}
# Fields of Odoo's own views that fail for a role without our modules too
# (measured on a database with the same Odoo modules and no sfa_*): the
# sales team dashboard counts deals, which an internal user cannot read.
ODOO_OWN_FAILURES = {
    "crm.team": (
        "crm.lead",
        {
            "lead_all_assigned_month_count",
            "lead_all_assigned_month_exceeded",
            "lead_unassigned_count",
        },
    ),
    "crm.team.member": ("crm.lead", {"lead_day_count", "lead_month_count"}),
}


def prune_odoo_own_failures(env, model, spec):
    """``spec`` without the fields of ODOO_OWN_FAILURES the user of ``env``
    cannot read, at every level."""
    cause, odoo_fields = ODOO_OWN_FAILURES.get(model._name, (None, ()))
    if not cause or env[cause].has_access("read"):
        odoo_fields = ()
    pruned = {}
    for name, sub in spec.items():
        if name in odoo_fields:
            continue
        field = model._fields[name]
        if sub.get("fields") and field.relational:
            sub = dict(
                sub,
                fields=prune_odoo_own_failures(
                    env, env[field.comodel_name], sub["fields"]
                ),
            )
        pruned[name] = sub
    return pruned


def odoo_roles(env):
    """Odoo's own roles that opened the extended views before us, as
    {label: xml ids of their groups}, for the apps installed."""
    roles = {
        "internal user": ["base.group_user"],
        "sales own documents": ["sales_team.group_sale_salesman"],
        "sales all documents": ["sales_team.group_sale_salesman_all_leads"],
    }
    if env.ref("account.group_account_invoice", raise_if_not_found=False):
        roles["accountant"] = ["account.group_account_invoice"]
    if env.ref("account.group_account_manager", raise_if_not_found=False):
        roles["accounting administrator"] = ["account.group_account_manager"]
    return roles


def extended_models(env):
    """Odoo models (not ``sfa.*``) whose views or fields the installed SFA
    modules extend, plus the ones the issue names that are installed."""
    env.cr.execute(
        """SELECT DISTINCT v.model FROM ir_ui_view v
             JOIN ir_model_data d ON d.model = 'ir.ui.view' AND d.res_id = v.id
            WHERE d.module LIKE 'sfa\\_%%' AND v.inherit_id IS NOT NULL
           UNION
           SELECT DISTINCT f.model FROM ir_model_fields f
             JOIN ir_model_data d ON d.model = 'ir.model.fields' AND d.res_id = f.id
            WHERE d.module LIKE 'sfa\\_%%'"""
    )
    names = {row[0] for row in env.cr.fetchall()} | set(ALWAYS)
    return sorted(
        name
        for name in names
        if name in env
        and not name.startswith("sfa.")
        and name not in IGNORED
        and not env[name]._transient
        and not env[name]._abstract
    )


def extended_view_ids(env, model):
    """The primary views of ``model`` that an SFA view extends."""
    views = env["ir.ui.view"].sudo().search([("model", "=", model)])
    ours = views.filtered(
        lambda v: (
            v.inherit_id
            and any(
                x.split(".")[0].startswith("sfa_") for x in v.get_external_id().values()
            )
        )
    )
    roots = env["ir.ui.view"].sudo()
    for view in ours:
        root = view
        while root.inherit_id and root.mode != "primary":
            root = root.inherit_id
        if not root.get_external_id().get(root.id, "").startswith("sfa_"):
            roots |= root
    return roots


def iter_field_nodes(node):
    """The <field> nodes of a view, not those of its x2many sub-views."""
    for child in node.iterchildren(tag=etree.Element):
        if child.tag == "field":
            yield child
        else:
            yield from iter_field_nodes(child)


def field_spec(model, arch_node, load_subview=None):
    """The specification the web client sends for the fields of a view: in a
    form, an x2many field without an inline view is shown with the default
    list view of its model (``load_subview``); elsewhere with its ids."""
    spec = {}
    for node in iter_field_nodes(arch_node):
        name = node.get("name")
        field = model._fields.get(name)
        if field is None:
            continue
        if field.type == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif field.type in ("one2many", "many2many"):
            comodel = model.env[field.comodel_name]
            sub = next(
                (
                    c
                    for c in node.iterchildren(tag=etree.Element)
                    if c.tag in ("list", "kanban")
                ),
                None,
            )
            if sub is not None:
                spec[name] = {"fields": field_spec(comodel, sub)}
            elif (
                load_subview
                and node.get("widget") in (None, "one2many", "many2many")
                and node.get("invisible") not in ("1", "True")
            ):
                # the client loads the comodel's default list view
                spec[name] = {"fields": load_subview(comodel, node.get("mode", "list"))}
            elif node.get("widget"):
                spec[name] = {"fields": {"display_name": {}}}
            else:
                spec[name] = {}
        else:
            spec[name] = {}
    return spec


class OdooUsersWorld:
    """Records of the sales force an Odoo user meets: a customer with its
    territory and category history, a contact, a deal, a meeting, an
    activity, a product, an order and an invoice (when those apps are in)."""

    def __init__(self, env):
        self.env = env
        self.records = {}

    def add(self, record):
        self.records.setdefault(record._name, record.browse())
        self.records[record._name] |= record
        return record

    def add_own_documents(self, user):
        """A deal and an order of a salesperson outside the sales force."""
        env = self.env
        if "crm.lead" in env:
            self.add(
                env["crm.lead"].create(
                    {
                        "name": f"Deal of {user.login}",
                        "type": "opportunity",
                        "partner_id": self.customer.id,
                        "user_id": user.id,
                    }
                )
            )
        if "sale.order" in env:
            self.add(
                env["sale.order"].create(
                    {
                        "partner_id": self.customer.id,
                        "user_id": user.id,
                        "order_line": [Command.create({"product_id": self.product.id})],
                    }
                )
            )

    def build(self):
        env = self.env
        manager = new_test_user(
            env, login="odoo_users_manager", groups="sfa_base.group_sfa_manager"
        )
        self.rep = rep = new_test_user(
            env,
            login="odoo_users_rep",
            groups="sfa_base.group_sfa_rep",
            sfa_manager_id=manager.id,
        )
        self.add(rep)
        territory = env["sfa.territory"].create(
            {"name": "Odoo Users North", "code": "OU-N", "manager_id": manager.id}
        )
        south = env["sfa.territory"].create(
            {"name": "Odoo Users South", "code": "OU-S"}
        )
        rep.sfa_territory_ids = territory
        categories = env["sfa.customer.category"].create(
            [
                {"name": "Odoo Users A", "visit_frequency_days": 7},
                {"name": "Odoo Users B", "visit_frequency_days": 30},
            ]
        )
        customer = self.add(
            env["res.partner"].create(
                {
                    "name": "Odoo Users Customer",
                    "is_company": True,
                    "user_id": rep.id,
                    "sfa_territory_id": territory.id,
                    "sfa_category_id": categories[0].id,
                }
            )
        )
        customer.write(
            {"sfa_territory_id": south.id, "sfa_category_id": categories[1].id}
        )
        self.customer = customer
        self.contact = self.add(
            env["res.partner"].create(
                {
                    "name": "Odoo Users Contact",
                    "parent_id": customer.id,
                    "email": "c@ou.example",
                }
            )
        )
        team = env["crm.team"].search([], limit=1)
        if team:
            self.add(team)
        if "crm.lead" in env:
            self.add(
                env["crm.lead"].create(
                    {
                        "name": "Odoo Users Deal",
                        "type": "opportunity",
                        "partner_id": customer.id,
                        "user_id": rep.id,
                        "expected_revenue": 1000,
                    }
                )
            )
        if "calendar.event" in env:
            now = fields.Datetime.now()
            self.add(
                env["calendar.event"].create(
                    {
                        "name": "Odoo Users Meeting",
                        "start": now,
                        "stop": now,
                        "user_id": rep.id,
                        "partner_ids": [Command.set([rep.partner_id.id, customer.id])],
                    }
                )
            )
        self.add(
            env["mail.activity"].create(
                {
                    "res_model_id": env["ir.model"]._get_id("res.partner"),
                    "res_id": customer.id,
                    "user_id": rep.id,
                    "summary": "Odoo Users call",
                    "activity_type_id": env.ref("mail.mail_activity_data_todo").id,
                }
            )
        )
        self.product = product = self.add(
            env["product.product"].create(
                {"name": "Odoo Users Widget", "list_price": 50}
            )
        )
        self.add(product.product_tmpl_id)
        if "sale.order" in env:
            order = self.add(
                env["sale.order"].create(
                    {
                        "partner_id": customer.id,
                        "user_id": rep.id,
                        "order_line": [
                            Command.create(
                                {"product_id": product.id, "product_uom_qty": 2}
                            )
                        ],
                    }
                )
            )
            order.action_confirm()
        if "account.move" in env and env["account.journal"].search(
            [("type", "=", "sale")], limit=1
        ):
            invoice = self.add(
                env["account.move"].create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": customer.id,
                        "invoice_user_id": rep.id,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "quantity": 1,
                                    "price_unit": 50,
                                }
                            )
                        ],
                    }
                )
            )
            invoice.action_post()
        return self


@tagged("post_install", "-at_install")
class TestOdooUsersOpenExtendedViews(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.world = OdooUsersWorld(cls.env).build()
        cls.users = {}
        for label, groups in odoo_roles(cls.env).items():
            login = "odoo_users_" + label.replace(" ", "_")
            cls.users[label] = new_test_user(
                cls.env, login=login, groups=",".join(groups)
            )
        for label in ("sales own documents", "sales all documents"):
            cls.world.add_own_documents(cls.users[label])
        cls.models = extended_models(cls.env)

    def test_the_generated_classes_cover_what_we_extend(self):
        """The generation finds the models named by the issue and our view
        extensions; a change of the query that found none would pass silently."""
        for name in (
            "res.partner",
            "crm.lead",
            "res.users",
            "crm.team",
            "mail.activity",
        ):
            self.assertIn(name, self.models)
        self.assertTrue(extended_view_ids(self.env, "res.partner"))
        self.assertIn("internal user", self.users)
        self.assertIn("sales own documents", self.users)

    def test_odoo_own_failures_are_odoo_fields(self):
        """The fields left out for Odoo's own failures are Odoo's, never ours."""
        for name, (_cause, field_names) in ODOO_OWN_FAILURES.items():
            for field_name in field_names:
                field = self.env[name]._fields[field_name]
                self.assertFalse(field._module.startswith("sfa_"), field)

    def _load_subview(self, cache):
        def load(comodel, mode):
            key = (comodel._name, mode)
            if key not in cache:
                if not comodel.has_access("read"):
                    cache[key] = {}
                else:
                    view_type = "kanban" if mode == "kanban" else "list"
                    result = comodel.get_views([(False, view_type)])
                    arch = etree.fromstring(result["views"][view_type]["arch"])
                    cache[key] = field_spec(comodel, arch)
            return cache[key]

        return load

    def _open_views(self, user, name):
        """Every step the web client takes on ``name`` as ``user``; returns
        the number of records read."""
        model = self.env[name].with_user(user)
        cache = {}
        load = self._load_subview(cache)
        views = [(False, t) for t in VIEW_TYPES]
        views += [(v.id, v.type) for v in extended_view_ids(self.env, name)]
        read = 0
        world = self.world.records.get(name, self.env[name])
        mine = model.search([("id", "in", world.ids)])
        for view_id, view_type in views:
            if view_id:
                view = self.env["ir.ui.view"].browse(view_id)
                if view.group_ids and not (view.group_ids & user.all_group_ids):
                    continue
            with self.subTest(model=name, user=user.login, view=view_id or view_type):
                result = model.get_views([(view_id, view_type)], {"load_filters": True})
                arch = etree.fromstring(result["views"][view_type]["arch"])
                if view_type == "search":
                    continue
                spec = field_spec(model, arch, load if view_type == "form" else None)
                spec = prune_odoo_own_failures(model.env, model, spec)
                if view_type == "form":
                    if mine:
                        read += len(mine.web_read(spec))
                    if model.has_access("create"):
                        model.onchange({}, [], spec)
                else:
                    found = model.web_search_read([], spec, limit=40)
                    read += found["length"] and len(found["records"])
                    if mine:
                        read += model.web_search_read([("id", "in", mine.ids)], spec)[
                            "length"
                        ]
        return read

    def test_every_role_opens_every_extended_view(self):
        opened = []
        for label, user in self.users.items():
            for name in self.models:
                if not self.env[name].with_user(user).has_access("read"):
                    continue
                try:
                    read = self._open_views(user, name)
                except AccessError as error:
                    self.fail(f"{label} cannot open {name}: {error}")
                opened.append((label, name, read))
        by_pair = {(label, name): read for label, name, read in opened}
        # every role opens a customer of the sales force and reads it
        for label in self.users:
            self.assertGreater(by_pair.get((label, "res.partner"), 0), 0, label)
        # the sales roles open their deals and orders, and read them
        for label in ("sales own documents", "sales all documents"):
            self.assertGreater(by_pair.get((label, "crm.lead"), 0), 0, label)
            if "sale.order" in self.env:
                self.assertGreater(by_pair.get((label, "sale.order"), 0), 0, label)
        if "accountant" in self.users and "account.move" in self.env:
            self.assertGreater(by_pair.get(("accountant", "account.move"), 0), 0)

    def test_the_contact_form_of_an_internal_user(self):
        """The issue's case: an internal user outside sales opens a customer
        that has a territory and a category history."""
        self.assertTrue(self.world.customer.sfa_territory_history_ids)
        self.assertTrue(self.world.customer.sfa_category_history_ids)
        user = self.users["internal user"]
        Partner = self.env["res.partner"].with_user(user)
        result = Partner.get_views([(False, "form")])
        arch = etree.fromstring(result["views"]["form"]["arch"])
        spec = field_spec(Partner, arch, self._load_subview({}))
        self.assertNotIn("sfa_territory_history_ids", spec)
        self.assertIn("sfa_territory_id", spec)
        [values] = Partner.browse(self.world.customer.id).web_read(spec)
        self.assertEqual(values["name"], "Odoo Users Customer")


@tagged("post_install", "-at_install")
class TestPortalPages(HttpCase):
    """A portal contact of a customer of the sales force opens the pages Odoo
    gives them: their account, their orders and their invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.world = OdooUsersWorld(cls.env).build()
        cls.portal = new_test_user(
            cls.env,
            login="odoo_users_portal",
            password="odoo_users_portal",
            groups="base.group_portal",
            partner_id=cls.world.contact.id,
        )

    def test_portal_pages(self):
        if "portal" not in self.env.registry._init_modules:
            self.skipTest("portal is not installed")
        self.authenticate("odoo_users_portal", "odoo_users_portal")
        urls = ["/my", "/my/account"]
        for name, route in (
            ("sale.order", "/my/orders"),
            ("account.move", "/my/invoices"),
        ):
            records = self.world.records.get(name)
            if records and route.rsplit("/", 1)[-1] in ("orders", "invoices"):
                for record in records:
                    record.message_subscribe(partner_ids=self.world.contact.ids)
                urls += [route, *(f"{route}/{record.id}" for record in records)]
        for url in urls:
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200, url)
                self.assertNotIn("/web/login", response.url, url)


class InternalUserTourCase(HttpCase):
    """An internal user with Odoo's default rights of a new user (contact
    creation) and no app opens a customer of the sales force, edits it,
    posts a message and schedules an activity."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        world = OdooUsersWorld(cls.env).build()
        cls.customer = world.customer
        cls.customer.name = "Tour Internal Customer"
        cls.clerk = new_test_user(
            cls.env,
            login="tour_internal_clerk",
            groups="base.group_user,base.group_partner_manager",
            name="Clerk Outside Sales",
            tz="UTC",
        )
        cls.clerk.odoobot_state = "disabled"

    def _run_tour(self):
        self.assertTrue(self.customer.sfa_territory_history_ids)
        self.start_tour(
            f"/odoo/res.partner/{self.customer.id}",
            "sfa_internal_user_tour",
            login="tour_internal_clerk",
        )
        self.assertEqual(self.customer.phone, "+33 3 20 55 66 77")
        self.assertIn(
            "Invoice address checked",
            "".join(self.customer.message_ids.mapped("body")),
        )
        activity = self.customer.activity_ids.filtered(
            lambda a: a.summary == "Send the signed delivery terms"
        )
        self.assertEqual(activity.user_id, self.clerk)


@tagged("post_install", "-at_install")
class TestInternalUserTourDesktop(InternalUserTourCase):
    browser_size = "1440x900"

    def test_internal_user_works_on_a_customer(self):
        self._run_tour()


@tagged("post_install", "-at_install")
class TestInternalUserTourPhone(InternalUserTourCase):
    browser_size = "390x844"
    touch_enabled = True

    def test_internal_user_works_on_a_customer(self):
        self._run_tour()
