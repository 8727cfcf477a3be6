"""Facts you can trust: the fact table always equals a full rebuild.

A test of the class, generated from the declarations: a small company in
euros with a dollar price list builds documents for every declared metric
(won and lost deals, actions, orders, invoices and a payment, activities,
e-mails, meetings, credits, ratings, new customers). Then, for every metric, each
field of its ``depends`` and of each of its triggers (and of the layer's:
the customer's territory and category, time zones, currency rates) is
changed on the documents behind its facts, one change at a time, in a
savepoint that is rolled back; after each change and the refreshes a commit
runs, the whole table must equal what a full rebuild writes.
"""

from contextlib import closing
from datetime import date, datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.sfa_base.tests.common import (
    FactTableMixin,
    company_in_euros,
    sales_user,
)

# Fields a client cannot write (the ORM ignores them): changed by nobody.
UNWRITABLE = {"create_date", "write_date", "create_uid", "write_uid", "id"}


@tagged("post_install", "-at_install")
class TestFactsEqualRebuild(FactTableMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        eur, usd = env.ref("base.EUR"), env.ref("base.USD")
        (eur | usd).active = True
        cls.eur, cls.usd = eur, usd
        cls.company, cls.env = company, env = company_in_euros(
            env,
            "Facts SA",
            [
                ("2025-01-01", 1.0, eur),
                ("2026-01-01", 1.10, usd),
                ("2026-02-15", 1.25, usd),
            ],
        )

        def user(login, role, tz, manager=None):
            return sales_user(env, company, login, role, tz, manager)

        cls.manager = user("facts_manager", "manager", "Europe/Paris")
        cls.rep = user("facts_rep", "rep", "Asia/Shanghai", cls.manager)
        cls.rep2 = user("facts_rep2", "rep", "America/New_York", cls.manager)
        north, south = env["sfa.territory"].create(
            [
                {"name": "Facts North", "code": "F-N", "company_id": company.id},
                {"name": "Facts South", "code": "F-S", "company_id": company.id},
            ]
        )
        cls.territories = north | south
        cls.categories = env["sfa.customer.category"].create(
            [{"name": "Facts A"}, {"name": "Facts B"}]
        )
        Partner = env["res.partner"]
        cls.alpha, cls.bravo = Partner.create(
            [
                {
                    "name": name,
                    "is_company": True,
                    "user_id": rep.id,
                    "company_id": company.id,
                    "sfa_territory_id": territory.id,
                    "sfa_category_id": cls.categories[0].id,
                    "email": f"buyer@{name.lower()}.example",
                }
                for name, rep, territory in (
                    ("Alpha", cls.rep, north),
                    ("Bravo", cls.rep2, south),
                )
            ]
        )
        cls.alpha_buyer = Partner.create(
            {"name": "Ada", "parent_id": cls.alpha.id, "email": "ada@alpha.example"}
        )
        Lead = env["crm.lead"]

        def deal(rep, partner, amount, moment, won=True):
            lead = Lead.create(
                {
                    "name": f"{partner.name} {amount}",
                    "type": "opportunity",
                    "user_id": rep.id,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "expected_revenue": amount,
                }
            )
            with freeze_time(moment):
                if won:
                    lead.action_set_won()
                else:
                    lead.action_set_lost()
            return lead

        cls.won = deal(cls.rep, cls.alpha, 1000, "2026-01-31 23:00:00")
        cls.won2 = deal(cls.rep2, cls.bravo, 2000, "2026-02-01 03:00:00")
        cls.lost = deal(cls.rep, cls.alpha, 500, "2026-02-03 10:00:00", won=False)
        cls.product = product = env["product.product"].create(
            {
                "name": "Facts Widget",
                "type": "consu",
                "standard_price": 40,
                "taxes_id": [Command.clear()],
            }
        )
        # the won deal's products
        env["sfa.lead.line"].create(
            {
                "lead_id": cls.won.id,
                "product_id": product.id,
                "quantity": 2,
                "price_unit": 300,
            }
        )
        usd_list = env["product.pricelist"].create(
            {"name": "Facts USD", "currency_id": usd.id, "company_id": company.id}
        )

        def order(rep, partner, price, moment, pricelist=None):
            sale = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "user_id": rep.id,
                    "company_id": company.id,
                    "pricelist_id": pricelist.id if pricelist else False,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "price_unit": price,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            with freeze_time(moment):
                sale.action_confirm()
            return sale

        cls.order_usd = order(cls.rep, cls.alpha, 1100, "2026-02-20 10:00:00", usd_list)
        cls.order_eur = order(cls.rep2, cls.bravo, 500, "2026-02-10 10:00:00")
        cls.invoices = (
            cls.order_usd._create_invoices() | cls.order_eur._create_invoices()
        )
        cls.invoices.invoice_date = "2026-02-22"
        cls.invoices.action_post()
        # a part of the euro invoice paid: its balance and what was paid
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.order_eur.invoice_ids.ids
        ).create({"amount": 200, "payment_date": "2026-02-25"})._create_payments()
        with freeze_time("2026-02-22 08:00:00"):
            cls.alpha.message_post(
                body="Please send the spring catalogue.",
                message_type="email",
                author_id=cls.alpha_buyer.id,
            )
        cls.meeting = (
            env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Alpha review",
                    "start": datetime(2026, 2, 23, 9, 0),
                    "stop": datetime(2026, 2, 23, 10, 0),
                    "user_id": cls.rep.id,
                    "opportunity_id": cls.won.id,
                    "partner_ids": [
                        Command.set([cls.rep.partner_id.id, cls.alpha_buyer.id])
                    ],
                }
            )
        )
        activity = env["mail.activity"].create(
            {
                "res_model_id": env["ir.model"]._get_id("res.partner"),
                "res_id": cls.bravo.id,
                "user_id": cls.rep2.id,
                "activity_type_id": env.ref("mail.mail_activity_data_call").id,
                "date_deadline": date(2026, 2, 5),
            }
        )
        with freeze_time("2026-02-05 10:00:00"):
            activity.action_feedback(feedback="Called")
        Action = env["sfa.action"]
        cls.actions = Action
        for xmlid, start, hours, done, partner in (
            (
                "sfa_action_type_call",
                "2026-02-02 09:00:00",
                0.5,
                "2026-02-02 09:20:00",
                cls.alpha,
            ),
            (
                "sfa_action_type_visit",
                "2026-02-04 09:00:00",
                1,
                "2026-02-06 09:00:00",
                cls.bravo,
            ),
            ("sfa_action_type_meeting", "2026-02-20 09:00:00", 1, None, cls.alpha),
        ):
            action = Action.create(
                {
                    "action_type_id": env.ref(f"sfa_pipeline.{xmlid}").id,
                    "user_id": cls.rep.id,
                    "partner_id": partner.id,
                    "lead_id": cls.won.id if partner == cls.alpha else False,
                    "start": start,
                    "duration": hours,
                    "cost": 25,
                    "outcome": "Done.",
                }
            )
            if done:
                with freeze_time(done):
                    action.action_done()
            cls.actions |= action
        env["rating.rating"].create(
            {
                "res_model_id": env["ir.model"]._get_id("crm.lead"),
                "res_id": cls.won.id,
                "rated_partner_id": cls.rep.partner_id.id,
                "partner_id": cls.alpha.id,
                "rating": 5,
                "consumed": True,
            }
        )
        env.flush_all()
        env["sfa.fact"]._sfa_sync_all()

    # ------------------------------------------------------------------
    # Generated changes
    # ------------------------------------------------------------------

    def records_behind(self, model, metric):
        """Records of ``model`` behind the facts of ``metric`` (the documents
        themselves, or the records a trigger reaches them through)."""
        Fact = self.env["sfa.fact"].sudo()
        facts = Fact.search([("metric", "=", metric)])
        source = Fact._sfa_source(metric)
        env = self.env
        if model == source.model:
            return env[model].browse(set(facts.mapped("res_id")))
        if model == "res.partner":
            return facts.partner_id
        if model == "res.users":
            return facts.user_id
        if model == "crm.lead":
            return facts.lead_id | env["crm.lead"].browse(
                [r for r in facts.mapped("res_id")]
                if source.model == "crm.lead"
                else []
            )
        if model == "sale.order":
            return self.order_usd | self.order_eur
        if model == "account.move":
            return self.invoices
        if model == "sfa.territory.history":
            return env[model].search([("partner_id", "in", facts.partner_id.ids)])
        if model == "sfa.category.history":
            return env[model].search([("partner_id", "in", facts.partner_id.ids)])
        return env[model].browse()

    def other_value(self, record, name):
        """A value of field ``name`` other than ``record``'s, or None."""
        field = record._fields[name]
        value = record[name]
        env = record.env
        if field.type == "many2one":
            comodel = env[field.comodel_name]
            # another record than the current value, and than the record
            # itself (a customer is not its own parent company)
            domain = [("id", "not in", [value.id, record.id])]
            if "company_id" in comodel._fields and field.comodel_name != "res.company":
                domain.append(("company_id", "in", [False, self.company.id]))
            if field.comodel_name == "res.users":
                domain.append(("share", "=", False))
            if field.comodel_name == "res.partner":
                domain.append(("sfa_is_customer", "=", True))
            if field.comodel_name == "res.company":
                return None  # a document moved to another company: out of scope
            other = comodel.search(domain, limit=1, order="id desc")
            return other.id if other else None
        if field.type == "many2many":
            other = env[field.comodel_name].search(
                [("id", "not in", value.ids)], limit=1, order="id desc"
            )
            return [Command.link(other.id)] if other else None
        if field.type == "selection":
            choices = [
                key for key, _label in field._description_selection(env) if key != value
            ]
            return choices[0] if choices else None
        if field.type == "boolean":
            return not value
        if field.type == "date":
            return (value or date(2026, 2, 10)) - timedelta(days=3)
        if field.type == "datetime":
            return (value or datetime(2026, 2, 10, 10)) - timedelta(days=3, hours=5)
        if field.type in ("integer", "float", "monetary"):
            return (value or 0) + 7
        if field.type in ("char", "text"):
            return (value or "") + " x"
        return None

    def changes(self):
        """[(label, model, field names)] to try, for every metric."""
        Fact = self.env["sfa.fact"]
        changes = []
        for metric, source in Fact._sfa_sources().items():
            depends = source.depends or self.any_fields(source.model)
            changes.append((metric, source.model, depends))
            for model, names, _key, _path, *_created in source.triggers:
                changes.append((metric, model, names or self.any_fields(model)))
            for model, names, _key, _path, _created in Fact._sfa_layer_triggers():
                if model not in ("res.currency.rate",):
                    changes.append((metric, model, names or self.any_fields(model)))
        return changes

    def any_fields(self, model):
        """A few stored fields of ``model`` (a source that reads any field)."""
        wanted = {
            "crm.lead": ("stage_id", "user_id", "active", "partner_id"),
            "sfa.stage.history": ("date_out",),
            "sfa.deal.credit": (),
            "sfa.territory.history": ("date_from",),
            "sfa.category.history": ("date_from",),
        }
        return wanted.get(model, ())

    def test_the_world_has_facts_of_every_metric(self):
        Fact = self.env["sfa.fact"].sudo()
        missing = [
            metric
            for metric in Fact._sfa_sources()
            if not Fact.search_count([("metric", "=", metric)])
        ]
        self.assertFalse(missing, "build documents for these metrics")
        self.assert_facts_equal_rebuild("the documents were made")

    def test_every_change_of_a_depends_or_trigger(self):
        tried, changed = {}, {}
        done = set()
        for metric, model, names in self.changes():
            for record in self.records_behind(model, metric)[:2]:
                for name in names:
                    if name in UNWRITABLE or name not in record._fields:
                        continue
                    key = (model, record.id, name)
                    tried.setdefault(metric, 0)
                    tried[metric] += 1
                    if key in done:
                        changed.setdefault(metric, 0)
                        changed[metric] += 1
                        continue
                    value = self.other_value(record, name)
                    if value is None:
                        continue
                    with closing(self.env.cr.savepoint()):
                        try:
                            with self.env.cr.savepoint():
                                record.write({name: value})
                                self.env.flush_all()
                        except Exception:  # noqa: BLE001 - a refused value
                            self.env.invalidate_all()
                            continue
                        with self.subTest(metric=metric, model=model, field=name):
                            self.assert_facts_equal_rebuild(
                                f"{model}.{name} of {record.display_name} changed"
                            )
                    self.env.invalidate_all()
                    done.add(key)
                    changed.setdefault(metric, 0)
                    changed[metric] += 1
        Fact = self.env["sfa.fact"]
        # every metric had a change tried on its documents
        self.assertFalse(
            [metric for metric in Fact._sfa_sources() if not changed.get(metric)],
            f"no change made for these metrics ({tried})",
        )

    def test_rate_changes(self):
        """A daily rate of the company's own currency, a foreign rate, a
        changed rate and a deleted rate: every fact stays, the foreign ones
        are converted again."""
        Rate = self.env["res.currency.rate"]
        count = self.env["sfa.fact"].search_count([])
        steps = (
            (
                "a rate of the company's own currency",
                lambda: Rate.create(
                    {
                        "name": "2026-02-01",
                        "rate": 1.0,
                        "currency_id": self.eur.id,
                        "company_id": self.company.id,
                    }
                ),
            ),
            (
                "a new foreign rate",
                lambda: Rate.create(
                    {
                        "name": "2026-02-18",
                        "rate": 1.5,
                        "currency_id": self.usd.id,
                        "company_id": self.company.id,
                    }
                ),
            ),
            (
                "a changed rate of the company's own currency",
                lambda: Rate.search(
                    [
                        ("currency_id", "=", self.eur.id),
                        ("company_id", "=", self.company.id),
                    ],
                    limit=1,
                ).write({"rate": 0.8}),
            ),
            (
                "a changed foreign rate",
                lambda: Rate.search(
                    [("currency_id", "=", self.usd.id), ("name", "=", "2026-02-15")]
                ).write({"rate": 1.3}),
            ),
            (
                "a deleted foreign rate",
                lambda: Rate.search(
                    [("currency_id", "=", self.usd.id), ("name", "=", "2026-02-15")]
                ).unlink(),
            ),
        )
        usd_facts = self.env["sfa.fact"].search([("currency_id", "=", self.usd.id)])
        self.assertTrue(usd_facts, "the dollar order and invoice give facts")
        for label, step in steps:
            with self.subTest(step=label):
                step()
                self.env.flush_all()
                self.assert_facts_equal_rebuild(label)
                self.assertEqual(self.env["sfa.fact"].search_count([]), count, label)

    def test_installing_into_a_live_crm(self):
        """sfa_pipeline's install hook writes the stays of deals lost before
        it (in SQL, after its data built the facts): their facts follow."""
        from odoo.addons.sfa_pipeline.hooks import _sfa_pipeline_post_init

        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM sfa_stage_history WHERE lead_id = %s", [self.lost.id]
        )
        self.env.cr.execute(
            "DELETE FROM sfa_fact WHERE metric = 'lost_deals' AND lead_id = %s",
            [self.lost.id],
        )
        self.env.invalidate_all()
        _sfa_pipeline_post_init(self.env)
        self.assertEqual(
            self.env["sfa.fact"].search_count(
                [("metric", "=", "lost_deals"), ("lead_id", "=", self.lost.id)]
            ),
            1,
        )
        self.assert_facts_equal_rebuild("sfa_pipeline's install hook")

    def test_a_customer_created_and_moved_in_one_transaction(self):
        """A customer created, given a won deal whose facts are read, then
        moved to another territory in the same transaction: its facts move."""
        customer = self.env["res.partner"].create(
            {
                "name": "Fresh Ltd",
                "is_company": True,
                "user_id": self.rep.id,
                "company_id": self.company.id,
                "sfa_territory_id": self.territories[0].id,
            }
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Fresh deal",
                "type": "opportunity",
                "user_id": self.rep.id,
                "partner_id": customer.id,
                "company_id": self.company.id,
                "expected_revenue": 300,
            }
        )
        lead.action_set_won()
        Fact = self.env["sfa.fact"]
        won = [("metric", "=", "won_revenue"), ("lead_id", "=", lead.id)]
        self.assertEqual(Fact.search(won).territory_id, self.territories[0])
        customer.sfa_territory_id = self.territories[1]
        self.assert_facts_equal_rebuild("a fresh customer moved")
        self.assertEqual(Fact.search(won).territory_id, self.territories[1])

    def test_nothing_pending_is_dropped(self):
        """A refresh that keeps marking more is an error, not a silence."""
        Fact = self.env["sfa.fact"]
        original = type(Fact)._sfa_sync_round

        def endless(model, metrics=None):
            original(model, metrics)
            model._sfa_mark(["won_revenue"], "res_id", [self.won.id])
            return True

        Fact._sfa_mark(["won_revenue"], "res_id", [self.won.id])
        with patch.object(type(Fact), "_sfa_sync_round", endless):
            with self.assertRaisesRegex(UserError, "could not be finished"):
                Fact._sfa_sync_all()
        self.env.cr.precommit.data.pop("sfa.fact", None)
