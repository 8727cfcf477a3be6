import json

from freezegun import freeze_time

from odoo.tests import tagged

from .test_alerts import AlertCase


@tagged("post_install", "-at_install")
class TestSalesForceSpreadsheet(AlertCase):
    """The Sales Force dashboard of Odoo's Dashboards app reads, as its
    reader, the records the rest of the product counts: here its pivots'
    definitions are run as the browser runs them (grouped reads as the
    user) on the alerts' June of 2026."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref("sfa_performance.spreadsheet_dashboard_sales_force")
        cls.data = json.loads(cls.dashboard.spreadsheet_data)

    def test_the_dashboard_is_complete_and_valid(self):
        # Odoo's own check of models, fields and menus (on in test mode)
        self.dashboard._check_spreadsheet_data()
        self.assertEqual(self.data["version"], "18.5.10")
        figures = [fig for sheet in self.data["sheets"] for fig in sheet["figures"]]
        self.assertEqual(
            {fig["data"]["chartId"] for fig in figures}, {fig["id"] for fig in figures}
        )
        models = {fig["data"].get("metaData", {}).get("resModel") for fig in figures}
        models |= {pivot["model"] for pivot in self.data["pivots"].values()}
        self.assertEqual(
            models - {None},
            {
                "crm.lead",
                "sfa.fact",
                "sfa.target.line",
                "sfa.stage.analysis",
                "sfa.customer.value",
                "sfa.action",
            },
        )
        # Odoo does not check the fields the global filters match: here
        filters = {f["id"] for f in self.data["globalFilters"]}
        consumers = [
            (p["model"], p["fieldMatching"]) for p in self.data["pivots"].values()
        ]
        consumers += [
            (fig["data"]["metaData"]["resModel"], fig["data"]["fieldMatching"])
            for fig in figures
            if "metaData" in fig["data"]
        ]
        for model, matching in consumers:
            self.assertLessEqual(set(matching), filters, model)
            for match in matching.values():
                Model = self.env[model]
                for name in match["chain"].split("."):
                    self.assertIn(name, Model._fields, f"{model}: {match['chain']}")
                    field = Model._fields[name]
                    Model = self.env[field.comodel_name or model]
                self.assertEqual(
                    field.type, match["type"], f"{model}: {match['chain']}"
                )

    def read_pivot(self, user, number, **domain_extra):
        """{row value: {measure: value}} of pivot ``number`` as ``user``."""
        pivot = self.data["pivots"][str(number)]
        Model = self.env[pivot["model"]].with_user(user)
        rows = [
            row["fieldName"]
            + (f":{row['granularity']}" if "granularity" in row else "")
            for row in pivot["rows"]
        ]
        measures = [m["id"] for m in pivot["measures"]]
        domain = pivot["domain"] + [
            list(leaf) for leaf in domain_extra.get("extra", [])
        ]
        groups = Model.formatted_read_group(domain, rows, measures)
        return {
            group[rows[0]][0]
            if isinstance(group[rows[0]], tuple | list)
            else group[rows[0]]: {m: group[m] for m in measures}
            for group in groups
        }

    @freeze_time("2026-06-20 12:00:00")
    def test_readers_see_the_figures_of_the_product_within_their_scope(self):
        (self.june_a | self.june_b)._refresh_actuals()
        # top reps of June: the KPIs' won revenue, the supervisor's team only
        june = [("date", ">=", "2026-06-01"), ("date", "<=", "2026-06-30")]
        top = self.read_pivot(self.supervisor, 4, extra=june)
        self.assertEqual(
            top,
            {
                self.rep_a.id: {"amount:sum": 1000},
                self.rep_b.id: {"amount:sum": 2000},
            },
        )
        self.assertEqual(
            self.read_pivot(self.rep_a, 4, extra=june),
            {self.rep_a.id: {"amount:sum": 1000}},
            "a rep sees their own",
        )
        self.assertFalse(self.read_pivot(self.manager_2, 4, extra=june))
        # targets by month: the reps' month targets (the year target rep_a
        # split into June is not added on top)
        targets = self.read_pivot(self.supervisor, 2)
        self.assertEqual(list(targets.values()), [{"target_value:sum": 6000}])
        card = (
            self.env["sfa.performance.dashboard"]
            .with_user(self.supervisor)
            .with_context(sfa_period="this_month")
            .browse(self.supervisor.id)
        )
        self.assertEqual(card.team_target, 6000, "the Team Dashboard's roll-up")
        # customers by grade, overdue actions: the reader's records only
        overdue = self.data["sheets"][0]["figures"][5]["data"]
        self.assertEqual(overdue["metaData"]["resModel"], "sfa.action")
        Action = self.env["sfa.action"]
        for user, expected in ((self.supervisor, 1), (self.rep_a, 0), (self.rep_b, 1)):
            groups = Action.with_user(user).formatted_read_group(
                overdue["searchParams"]["domain"], ["user_id"], ["__count"]
            )
            self.assertEqual(sum(g["__count"] for g in groups), expected, user.login)
