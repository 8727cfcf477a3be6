import xmlrpc.client
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.sfa_base.tests.common import SfaCase

DATE_A = date(2025, 3, 31)
DATE_B = date(2025, 4, 30)


@tagged("post_install", "-at_install")
class TestPipelineChange(SfaCase):
    """A month of a small pipeline, every figure worked out by hand.

    Open on 31 March (snapshot A) and what happened by 30 April (snapshot B):

    ====  =======  ====  ======  =========================================
    deal  owner    A     amount  by B
    ====  =======  ====  ======  =========================================
    D1    rep_a    S1    1000    S2 (advanced), 1500 (up 500), close
                                 15 Apr -> 15 May (slipped)
    D2    rep_a    S2    2000    S1 (went back), 1200 (down 800)
    D3    rep_b    S3    3000    raised to 3500, then won
    D4    rep_b    S1    4000    lost
    D5    rep_c    S2    5000    close 10 Apr -> 30 Jun (slipped)
    D6    rep_c    S1    6000    unchanged
    D7    nobody   S2     700    turned back into a lead (left otherwise)
    D11   rep_b    S2    1100    unchanged; won only after B
    D13   rep_b    S1    1300    reassigned to rep_c
    D8    rep_a    -       -     new: S1, 800
    D9    rep_c    -       -     new: S3, 900
    D10   rep_a    won on 20 March, before A: in no figure
    D12   other company's rep, new: outside company 1
    ====  =======  ====  ======  =========================================

    plus SfaCase's deals, open and unchanged: Deal A (rep_a, 1000), Deal B
    (rep_b, 2000), Deal C (rep_c, 3000), Unassigned Deal (0). Deals of rep_a
    and rep_b are in Lille (North, managed by the manager), those of rep_c in
    Marseille (South); D7 and D13 have no customer, hence no territory.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The figures below are worked out for this fixture alone.
        cls.env["sfa.pipeline.snapshot"].search([]).unlink()
        cls.env["crm.lead"].search(
            [("type", "=", "opportunity"), ("id", "not in", cls.all_leads.ids)]
        ).action_archive()
        Stage = cls.env["crm.stage"]
        cls.s1, cls.s2, cls.s3 = Stage.create(
            [
                {"name": "Change Qualify", "sequence": 1001},
                {"name": "Change Propose", "sequence": 1002},
                {"name": "Change Negotiate", "sequence": 1003},
            ]
        )
        Lead = cls.env["crm.lead"]

        def deal(name, user, customer, stage, amount, **values):
            return Lead.create(
                {
                    "name": name,
                    "type": "opportunity",
                    "user_id": user.id if user else False,
                    "partner_id": customer.id if customer else False,
                    "stage_id": stage.id,
                    "expected_revenue": amount,
                    **values,
                }
            )

        with freeze_time("2025-03-20 10:00:00"):
            cls.d10 = deal("D10", cls.rep_a, cls.cust_a, cls.s2, 10000)
            cls.d10.action_set_won()
        with freeze_time("2025-03-31 12:00:00"):
            cls.d1 = deal("D1", cls.rep_a, cls.cust_a, cls.s1, 1000)
            cls.d1.date_deadline = date(2025, 4, 15)
            cls.d2 = deal("D2", cls.rep_a, cls.cust_a, cls.s2, 2000)
            cls.d2.date_deadline = date(2025, 4, 20)
            cls.d3 = deal("D3", cls.rep_b, cls.cust_b, cls.s3, 3000)
            cls.d4 = deal("D4", cls.rep_b, cls.cust_b, cls.s1, 4000)
            cls.d5 = deal("D5", cls.rep_c, cls.cust_c, cls.s2, 5000)
            cls.d5.date_deadline = date(2025, 4, 10)
            cls.d6 = deal("D6", cls.rep_c, cls.cust_c, cls.s1, 6000)
            cls.d7 = deal("D7", None, None, cls.s2, 700)
            cls.d11 = deal("D11", cls.rep_b, cls.cust_b, cls.s2, 1100)
            cls.d13 = deal("D13", cls.rep_b, None, cls.s1, 1300)
            cls.env["sfa.pipeline.snapshot"]._take_snapshot()
        with freeze_time("2025-04-15 10:00:00"):
            cls.d1.write(
                {
                    "stage_id": cls.s2.id,
                    "expected_revenue": 1500,
                    "date_deadline": date(2025, 5, 15),
                }
            )
            cls.d2.write({"stage_id": cls.s1.id, "expected_revenue": 1200})
            cls.d3.expected_revenue = 3500
            cls.d3.action_set_won()
            cls.d4.action_set_lost()
            cls.d5.date_deadline = date(2025, 6, 30)
            cls.d7.type = "lead"
            cls.d13.user_id = cls.rep_c
            cls.d8 = deal("D8", cls.rep_a, cls.cust_a, cls.s1, 800)
            cls.d9 = deal("D9", cls.rep_c, cls.cust_c, cls.s3, 900)
            cls.d12 = deal(
                "D12",
                cls.other_rep,
                cls.cust_other,
                cls.s1,
                1200,
                company_id=cls.company_2.id,
            )
        with freeze_time("2025-04-30 12:00:00"):
            cls.env["sfa.pipeline.snapshot"]._take_snapshot()
        with freeze_time("2025-05-05 10:00:00"):
            cls.d11.action_set_won()

    def analyse(self, user, date_a=DATE_A, date_b=DATE_B):
        wizard = (
            self.env["sfa.pipeline.change"]
            .with_user(user)
            .create({"date_a": date_a, "date_b": date_b})
        )
        wizard.action_compute()
        return wizard

    def figures(self, wizard):
        return {line.figure: (line.deal_count, line.amount) for line in wizard.line_ids}

    def deals_behind(self, wizard, figure):
        line = wizard.line_ids.filtered(lambda line: line.figure == figure)
        action = line.action_open_deals()
        rows = self.env[action["res_model"]].with_user(wizard.env.user)
        return rows.search(action["domain"])

    def test_director_sees_every_change(self):
        wizard = self.analyse(self.director)
        self.assertEqual(
            self.figures(wizard),
            {
                # D1-D7, D11, D13 + Deal A, B, C and the unassigned deal
                "open_a": (13, 30100),
                "new": (2, 1700),  # D8 800 + D9 900
                "advanced": (1, 1500),  # D1 S1 -> S2
                "regressed": (1, 1200),  # D2 S2 -> S1
                "won": (1, 3000),  # D3, at its amount on 31 March
                "lost": (1, 4000),  # D4
                "dropped": (1, 700),  # D7
                "slipped": (2, 6500),  # D1 1500 + D5 5000
                "amount_up": (1, 500),  # D1 1000 -> 1500
                "amount_down": (1, 800),  # D2 2000 -> 1200
                # D1, D2, D5, D6, D8, D9, D11, D13 + the four unchanged deals
                "open_b": (12, 23800),
            },
        )
        slipped = self.deals_behind(wizard, "slipped")
        self.assertEqual(slipped.lead_id, self.d1 | self.d5)
        self.assertEqual(set(slipped.mapped("snapshot_date")), {DATE_B})
        self.assertEqual(
            slipped.mapped("date_deadline"), [date(2025, 5, 15), date(2025, 6, 30)]
        )
        won = self.deals_behind(wizard, "won")
        self.assertEqual(won.lead_id, self.d3)
        self.assertEqual((won.snapshot_date, won.expected_revenue), (DATE_A, 3000))
        self.assertEqual(len(self.deals_behind(wizard, "open_b")), 12)

    def test_manager_counts_only_what_they_see(self):
        wizard = self.analyse(self.manager)
        self.assertEqual(
            self.figures(wizard),
            {
                # D1-D4, D7, D11, D13, Deal A, Deal B, unassigned deal
                "open_a": (10, 16100),
                "new": (1, 800),  # D8; D9 is rep_c's in Marseille
                "advanced": (1, 1500),
                "regressed": (1, 1200),
                "won": (1, 3000),
                "lost": (1, 4000),
                "dropped": (2, 2000),  # D7 700 + D13 1300, now rep_c's
                "slipped": (1, 1500),  # D1; D5 is out of view
                "amount_up": (1, 500),
                "amount_down": (1, 800),
                # D1, D2, D8, D11, Deal A, Deal B, unassigned deal
                "open_b": (7, 7600),
            },
        )
        self.assertEqual(
            self.deals_behind(wizard, "dropped").lead_id, self.d7 | self.d13
        )
        self.assertEqual(len(self.deals_behind(wizard, "open_a")), 10)

    def test_rep_counts_their_own_pipeline(self):
        wizard = self.analyse(self.rep_c)
        figures = self.figures(wizard)
        self.assertEqual(figures["open_a"], (5, 14700))  # D5, D6, D7, Deal C, free
        self.assertEqual(figures["new"], (2, 2200))  # D9 900 + D13 1300
        self.assertEqual(figures["slipped"], (1, 5000))  # D5
        self.assertEqual(figures["dropped"], (1, 700))  # D7
        self.assertEqual(figures["open_b"], (6, 16200))
        for figure in ("advanced", "regressed", "won", "lost", "amount_up"):
            self.assertEqual(figures[figure], (0, 0), figure)
        self.assertEqual(self.deals_behind(wizard, "new").lead_id, self.d9 | self.d13)

    def test_figures_add_up(self):
        """Open on A + new + up - down - won - lost - left = open on B."""
        for user in (self.director, self.manager, self.rep_a, self.rep_c):
            figures = self.figures(self.analyse(user))
            count = {key: value[0] for key, value in figures.items()}
            amount = {key: value[1] for key, value in figures.items()}
            left = ("won", "lost", "dropped")
            self.assertEqual(
                count["open_a"] + count["new"] - sum(count[k] for k in left),
                count["open_b"],
                user.login,
            )
            self.assertEqual(
                amount["open_a"]
                + amount["new"]
                + amount["amount_up"]
                - amount["amount_down"]
                - sum(amount[k] for k in left),
                amount["open_b"],
                user.login,
            )

    def test_other_company_is_counted_apart(self):
        figures = self.figures(self.analyse(self.other_rep))
        # SfaCase's Other Co Deal (0), and D7: unowned and of no company, it is
        # everyone's until it leaves the pipeline.
        self.assertEqual(figures["open_a"], (2, 700))
        self.assertEqual(figures["new"], (1, 1200))  # D12
        self.assertEqual(figures["dropped"], (1, 700))
        self.assertEqual(figures["open_b"], (2, 1200))

    def test_same_date_shows_no_change(self):
        figures = self.figures(self.analyse(self.director, DATE_B, DATE_B))
        self.assertEqual(figures.pop("open_a"), figures.pop("open_b"))
        self.assertEqual(set(figures.values()), {(0, 0)}, "nothing changed")

    def test_form_compares_the_two_latest_snapshots(self):
        with freeze_time("2025-05-06 09:00:00"):
            form = Form(self.env["sfa.pipeline.change"].with_user(self.manager))
            self.assertEqual((form.date_a, form.date_b), (DATE_A, DATE_B))
            self.assertTrue(form.can_take_snapshot)
            wizard = form.save()
        # the breadcrumb names the comparison, new or saved, not "NewId_..."
        self.assertIn("Pipeline Changes: ", form.record.display_name)
        new = self.env["sfa.pipeline.change"].new({"date_a": DATE_A, "date_b": DATE_B})
        self.assertNotIn("NewId", new.display_name)
        self.assertEqual(new.display_name, wizard.display_name)
        wizard.action_compute()
        self.assertEqual(len(wizard.line_ids), 11)
        with freeze_time("2025-05-06 09:00:00"):
            rep_form = Form(self.env["sfa.pipeline.change"].with_user(self.rep_a))
            self.assertFalse(rep_form.can_take_snapshot, "only managers take one")

    def test_second_date_before_first_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "must not be earlier"):
            self.env["sfa.pipeline.change"].with_user(self.manager).create(
                {"date_a": DATE_B, "date_b": DATE_A}
            )

    def test_date_without_snapshot_is_refused_and_keeps_figures(self):
        wizard = self.analyse(self.manager)
        before = self.figures(wizard)
        wizard.date_a = date(2025, 4, 15)
        with self.assertRaisesRegex(UserError, "No pipeline snapshot was taken on"):
            wizard.action_compute()
        self.assertEqual(self.figures(wizard), before, "the last figures stay")

    def test_manager_takes_todays_snapshot_from_the_wizard(self):
        with freeze_time("2025-05-06 09:00:00"):
            wizard = (
                self.env["sfa.pipeline.change"]
                .with_user(self.manager)
                .create({"date_a": DATE_B, "date_b": DATE_B})
            )
            result = wizard.action_take_snapshot()
        # an XML-RPC client can read what the button returns
        xmlrpc.client.dumps((result, wizard.action_compute()))
        self.assertEqual(wizard.date_b, date(2025, 5, 6))
        figures = self.figures(wizard)
        self.assertEqual(figures["won"], (1, 1100), "D11 was won on 5 May")
        self.assertEqual(figures["open_b"], (6, 6500))

    def test_rep_cannot_take_a_snapshot(self):
        with freeze_time("2025-05-06 09:00:00"):
            wizard = (
                self.env["sfa.pipeline.change"]
                .with_user(self.rep_a)
                .create({"date_a": DATE_A, "date_b": DATE_B})
            )
            with self.assertRaises(AccessError):
                wizard.action_take_snapshot()
        self.assertFalse(
            self.env["sfa.pipeline.snapshot"].search_count(
                [("snapshot_date", "=", date(2025, 5, 6))]
            )
        )
