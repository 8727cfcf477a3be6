from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.sfa_base.models.sfa_fact import FactSource

from .common import TargetCase


@tagged("post_install", "-at_install")
class TestActuals(TargetCase):
    """Actuals of 2026, worked out by hand.

    Territories over time: Alpha is in Lille (North) until 30 June 2026, then
    in Marseille (South); Bravo in Lille, Charlie in Marseille all along; the
    unowned prospect in none.

    ====  ======  ========  ===========  ======  ===========================
    what  rep     customer  date         amount  notes
    ====  ======  ========  ===========  ======  ===========================
    W0    rep_b   Bravo     2025-12-20     700   won last year
    W1    rep_a   Alpha     2026-03-10    1000   won, Lille at the time
    W2    rep_a   Alpha     2026-08-05    2000   won, Marseille at the time
    W3    rep_c   Charlie   2026-02-01     500   won
    L1    rep_a   Alpha     2026-04-01    9000   lost: counts nowhere
    O1    rep_a   Bravo     2026-04-02    3000   sale order, confirmed
    O2    rep_a   Bravo     (draft)       5000   quotation: counts nowhere
    O3    rep_c   prospect  2026-05-05     400   sale order, confirmed
    I1    rep_b   Bravo     2026-04-10    1200   invoice, posted
    R1    rep_b   Bravo     2026-05-01    -200   credit note, posted
    ====  ======  ========  ===========  ======  ===========================

    New customers in 2026: Alpha (W1, rep_a, North), Charlie (W3, rep_c,
    South), the prospect (O3, rep_c, no territory); Bravo's first deal is
    W0, last year. W1 and W2 are in team N.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        History = env["sfa.territory.history"]
        customers = cls.cust_a | cls.cust_b | cls.cust_c | cls.cust_free
        History.search([("partner_id", "in", customers.ids)]).unlink()
        start = date(2025, 1, 1)
        History.create(
            [
                {
                    "partner_id": cls.cust_a.id,
                    "territory_id": cls.t_lille.id,
                    "date_from": start,
                    "date_to": date(2026, 7, 1),
                },
                {
                    "partner_id": cls.cust_a.id,
                    "territory_id": cls.t_marseille.id,
                    "date_from": date(2026, 7, 1),
                },
                {
                    "partner_id": cls.cust_b.id,
                    "territory_id": cls.t_lille.id,
                    "date_from": start,
                },
                {
                    "partner_id": cls.cust_c.id,
                    "territory_id": cls.t_marseille.id,
                    "date_from": start,
                },
            ]
        )
        cls.team_n = env["crm.team"].create({"name": "Team N"})

        def won(user, customer, amount, day, team=None, lost=False):
            lead = env["crm.lead"].create(
                {
                    "name": f"{customer.name} {amount}",
                    "type": "opportunity",
                    "user_id": user.id,
                    "partner_id": customer.id,
                    "expected_revenue": amount,
                    "team_id": team.id if team else False,
                }
            )
            with freeze_time(day):
                if lost:
                    lead.action_set_lost()
                else:
                    lead.action_set_won()
            return lead

        won(cls.rep_b, cls.cust_b, 700, "2025-12-20 10:00:00")
        won(cls.rep_a, cls.cust_a, 1000, "2026-03-10 10:00:00", cls.team_n)
        won(cls.rep_a, cls.cust_a, 2000, "2026-08-05 10:00:00", cls.team_n)
        won(cls.rep_c, cls.cust_c, 500, "2026-02-01 10:00:00")
        won(cls.rep_a, cls.cust_a, 9000, "2026-04-01 10:00:00", lost=True)

        product = env["product.product"].create(
            {"name": "Consulting", "type": "service", "taxes_id": [Command.clear()]}
        )

        def order(user, customer, amount, day=None):
            so = env["sale.order"].create(
                {
                    "partner_id": customer.id,
                    "user_id": user.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            if day:
                with freeze_time(day):
                    so.action_confirm()
            return so

        order(cls.rep_a, cls.cust_b, 3000, "2026-04-02 10:00:00")
        order(cls.rep_a, cls.cust_b, 5000)
        order(cls.rep_c, cls.cust_free, 400, "2026-05-05 10:00:00")

        def invoice(move_type, amount, day):
            move = env["account.move"].create(
                {
                    "move_type": move_type,
                    "partner_id": cls.cust_b.id,
                    "invoice_user_id": cls.rep_b.id,
                    "invoice_date": day,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Consulting",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            move.action_post()
            return move

        invoice("out_invoice", 1200, date(2026, 4, 10))
        invoice("out_refund", 200, date(2026, 5, 1))

    def line(
        self,
        metric,
        owner_type="company",
        start=(2026, 1, 1),
        end=(2026, 12, 31),
        **owner,
    ):
        return self.Line.create(
            {
                "plan_id": self.plan.id,
                "metric": metric,
                "owner_type": owner_type,
                "date_from": date(*start),
                "date_to": date(*end),
                "target_value": 1000,
                **{f"{key}_id": value.id for key, value in owner.items()},
            }
        )

    def actuals(self, metric):
        """Refresh a set of lines of ``metric``; {label: actual}."""
        lines = {
            "company": self.line(metric),
            "rep_a": self.line(metric, "user", user=self.rep_a),
            "rep_b": self.line(metric, "user", user=self.rep_b),
            "rep_c": self.line(metric, "user", user=self.rep_c),
            "team_n": self.line(metric, "team", team=self.team_n),
            "north": self.line(metric, "territory", territory=self.t_north),
            "south": self.line(metric, "territory", territory=self.t_south),
            "lille": self.line(metric, "territory", territory=self.t_lille),
            "france": self.line(metric, "territory", territory=self.t_country),
            "north_q1": self.line(
                metric, "territory", (2026, 1, 1), (2026, 3, 31), territory=self.t_north
            ),
            "south_q3": self.line(
                metric, "territory", (2026, 7, 1), (2026, 9, 30), territory=self.t_south
            ),
        }
        self.Line.union(*lines.values())._refresh_actuals()
        return {label: line.actual_value for label, line in lines.items()}

    def test_won_revenue_follows_the_territory_at_the_time(self):
        self.assertEqual(
            self.actuals("won_revenue"),
            {
                "company": 3500,
                "rep_a": 3000,
                "rep_b": 0,
                "rep_c": 500,
                "team_n": 3000,
                # W1 in Lille in March; W2 in Marseille in August, W3
                "north": 1000,
                "south": 2500,
                "lille": 1000,
                "france": 3500,
                "north_q1": 1000,
                "south_q3": 2000,
            },
        )

    def test_each_actual_opens_the_facts_it_adds_up(self):
        """Where does this number come from? Each target's Facts button lists
        the facts behind its actual, and they add up to it (a salesperson's,
        a team's, a territory's with its subtree, a quarter, the company's;
        a target that changed hands counts each holder on their days)."""
        for metric in ("won_revenue", "sales_amount", "invoiced_amount"):
            lines = {
                "company": self.line(metric),
                "rep_a": self.line(metric, "user", user=self.rep_a),
                "team_n": self.line(metric, "team", team=self.team_n),
                "france": self.line(metric, "territory", territory=self.t_country),
                "north_q1": self.line(
                    metric,
                    "territory",
                    (2026, 1, 1),
                    (2026, 3, 31),
                    territory=self.t_north,
                ),
            }
            self.Line.union(*lines.values())._refresh_actuals()
            Fact = self.env["sfa.fact"].with_user(self.director)
            measure = "amount" if Fact._sfa_unit(metric) == "amount" else "quantity"
            for label, line in lines.items():
                with self.subTest(metric=metric, target=label):
                    action = line.with_user(self.director).action_open_facts()
                    self.assertEqual(action["res_model"], "sfa.fact")
                    [(total,)] = Fact._read_group(
                        action["domain"], [], [f"{measure}:sum"]
                    )
                    self.assertAlmostEqual(total or 0.0, line.actual_value)
            self.assertTrue(lines["company"].actual_value, metric)

    def test_customers_without_a_stay_at_the_time(self):
        """A deal older than the customer's first recorded stay counts in the
        territory of that stay; a customer never tracked, in its territory
        now."""
        History = self.env["sfa.territory.history"]
        late, never = self.env["res.partner"].create(
            [{"name": "Late Tracked", "is_company": True}, {"name": "Never Tracked"}]
        )
        History.search([("partner_id", "in", (late | never).ids)]).unlink()
        History.create(
            {
                "partner_id": late.id,
                "territory_id": self.t_lille.id,
                "date_from": date(2026, 7, 1),
            }
        )
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET sfa_territory_id = %s WHERE id = %s",
                self.t_marseille.id,
                never.id,
            )
        )
        for customer, amount, day in (
            (late, 50, "2026-03-05 10:00:00"),
            (never, 70, "2026-03-06 10:00:00"),
        ):
            lead = self.env["crm.lead"].create(
                {
                    "name": customer.name,
                    "type": "opportunity",
                    "user_id": self.rep_c.id,
                    "partner_id": customer.id,
                    "expected_revenue": amount,
                }
            )
            with freeze_time(day):
                lead.action_set_won()
        actuals = self.actuals("won_revenue")
        self.assertEqual(
            {key: actuals[key] for key in ("lille", "north", "south", "france")},
            {"lille": 1050, "north": 1050, "south": 2570, "france": 3620},
        )

    def test_won_deals(self):
        self.assertEqual(
            self.actuals("won_deals"),
            {
                "company": 3,
                "rep_a": 2,
                "rep_b": 0,
                "rep_c": 1,
                "team_n": 2,
                "north": 1,
                "south": 2,
                "lille": 1,
                "france": 3,
                "north_q1": 1,
                "south_q3": 1,
            },
        )

    def test_confirmed_sales(self):
        self.assertEqual(
            self.actuals("sales_amount"),
            {
                "company": 3400,
                "rep_a": 3000,
                "rep_b": 0,
                "rep_c": 400,
                "team_n": 0,
                # O1 for Bravo (Lille); O3's prospect has no territory
                "north": 3000,
                "south": 0,
                "lille": 3000,
                "france": 3000,
                "north_q1": 0,
                "south_q3": 0,
            },
        )

    def test_invoiced_amount_net_of_credit_notes(self):
        self.assertEqual(
            self.actuals("invoiced_amount"),
            {
                "company": 1000,
                "rep_a": 0,
                "rep_b": 1000,
                "rep_c": 0,
                "team_n": 0,
                "north": 1000,
                "south": 0,
                "lille": 1000,
                "france": 1000,
                "north_q1": 0,
                "south_q3": 0,
            },
        )

    def test_new_customers_on_their_first_win_or_order(self):
        self.assertEqual(
            self.actuals("new_customers"),
            {
                "company": 3,
                "rep_a": 1,
                "rep_b": 0,
                "rep_c": 2,
                "team_n": 1,
                "north": 1,
                "south": 1,
                "lille": 1,
                "france": 2,
                "north_q1": 1,
                "south_q3": 0,
            },
        )

    def test_attainment_and_gap(self):
        line = self.line("won_revenue", "user", user=self.rep_a)
        line.target_value = 4000
        line._refresh_actuals()
        self.assertEqual((line.actual_value, line.gap), (3000, 1000))
        self.assertAlmostEqual(line.attainment, 75)
        line.target_value = 2000
        self.assertEqual((line.gap, line.attainment), (-1000, 150))

    def test_refresh_now_says_what_it_measured(self):
        """The plan's Refresh Actuals measures its targets and says so (it
        answered nothing: the user could not tell it had run)."""
        line = self.line("won_revenue", "user", user=self.rep_a)
        line.target_value = 4000
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sfa_target_line SET actual_value = 0 WHERE id = %s", [line.id]
        )
        line.invalidate_recordset()
        answer = line.plan_id.action_refresh_actuals()
        self.assertEqual(answer["tag"], "display_notification")
        self.assertEqual(answer["params"]["next"]["tag"], "soft_reload")
        count = len(line.plan_id.line_ids)
        self.assertIn(f"The actuals of {count} targets", answer["params"]["message"])
        self.assertEqual(line.actual_value, 3000)

    def test_refresh_queries_do_not_grow_with_lines(self):
        def lines(count):
            return self.Line.union(
                *(
                    self.line(metric, "user", user=user)
                    for metric in ("won_revenue", "sales_amount", "new_customers")
                    for user in (self.rep_a, self.rep_b, self.rep_c)[:count]
                )
            )

        few, many = lines(1), lines(3)
        self.assertEqual((len(few), len(many)), (3, 9))
        few._refresh_actuals()  # warm the caches
        # the same 8 queries for 3 lines and for 9: reading the user, the
        # lines, their plans and their earlier holders, one grouped query per
        # metric (3), one update
        for lines_ in (few, many):
            self.env.invalidate_all()
            with self.assertQueryCount(__system__=8):
                lines_._refresh_actuals()
        by_metric = {
            line.metric: line.actual_value
            for line in many.filtered(lambda line: line.user_id == self.rep_a)
        }
        self.assertEqual(
            by_metric, {"won_revenue": 3000, "sales_amount": 3000, "new_customers": 1}
        )

    def test_split_by_last_year_and_by_its_seasons(self):
        """2025 holds one win, rep_b's 700 in December (Bravo, Lille): North
        split on last year's actuals all goes to rep_b, and rep_b's year
        split on last year's seasons all goes to the fourth quarter."""
        north = self.line("won_revenue", "territory", territory=self.t_north)
        self.split(north, owner_type="user", org_method="last_period")
        self.assertEqual(
            {line.user_id: line.target_value for line in north.child_ids},
            {self.rep_a: 0, self.rep_b: 1000},
        )
        rep_b = north.child_ids.filtered(lambda line: line.user_id == self.rep_b)
        self.split(rep_b, split_by="time", period="quarter", time_method="seasonal")
        self.assertEqual(rep_b.child_ids.mapped("target_value"), [0, 0, 0, 1000])
        rep_a = north.child_ids - rep_b
        rep_a.target_value = 400
        # no history: said, not silently split in equal shares
        wizard = self.wizard(
            rep_a, split_by="time", period="quarter", time_method="seasonal"
        )
        with self.assertRaises(UserError) as caught:
            wizard.action_preview()
        self.assertIn("had any actuals in the same period", str(caught.exception))
        with self.assertRaises(UserError):
            wizard.action_apply()
        self.assertFalse(rep_a.child_ids, "nothing written")

    def test_a_module_adds_a_metric_without_touching_targets(self):
        """A metric is one declaration of named columns in sfa.fact: here a
        made-up one counting Alpha's won deals twice over."""
        Fact = self.env["sfa.fact"]
        original = type(Fact)._sfa_fact_sources

        def sources(fact):
            return {
                **original(fact),
                "alpha_points": FactSource(
                    "alpha_points",
                    "Alpha Points",
                    "crm.lead",
                    {
                        "res_id": "l.id",
                        "company_id": "l.company_id",
                        "user_id": "l.user_id",
                        "team_id": "l.team_id",
                        "partner_id": "l.partner_id",
                        "moment": "l.date_closed",
                        "quantity": "2",
                    },
                    SQL(
                        "FROM crm_lead l WHERE l.partner_id = %s"
                        " AND l.won_status = 'won'",
                        self.cust_a.id,
                    ),
                    unit="count",
                ),
            }

        self.addCleanup(Fact._sfa_forget_sources)
        with patch.object(type(Fact), "_sfa_fact_sources", sources):
            Fact._sfa_forget_sources()
            Fact._sfa_rebuild(["alpha_points"])
            self.assertEqual(
                self.actuals("alpha_points"),
                {
                    "company": 4,
                    "rep_a": 4,
                    "rep_b": 0,
                    "rep_c": 0,
                    "team_n": 4,
                    "north": 2,
                    "south": 2,
                    "lille": 2,
                    "france": 4,
                    "north_q1": 2,
                    "south_q3": 2,
                },
            )

    def test_a_metric_nobody_measures_is_refused_clearly(self):
        line = self.line("won_revenue")
        self.env.cr.execute(
            "UPDATE sfa_target_line SET metric = 'gone' WHERE id = %s", [line.id]
        )
        line.invalidate_recordset()
        with self.assertRaisesRegex(UserError, "No installed module measures"):
            line._refresh_actuals()
