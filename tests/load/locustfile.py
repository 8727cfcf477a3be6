"""What reps, supervisors and managers do, as Odoo's web client sends it.

Run by ``stack.py run`` / ``stack.py baseline`` (see tests/load/README.md).
Every request is the JSON-RPC call the web client makes
(``/web/dataset/call_kw/<model>/<method>``), so Odoo routes the read-only
ones (``@api.readonly``) to the standby.

``SFA_LOAD_MODE=baseline`` runs the same people on a copy of the database
without the sfa_* modules: the same pipeline list, deal form and stage
moves, an Odoo activity instead of an SFA action, and Odoo's own pipeline
analysis and list export instead of the SFA reports.
"""

import json
import os
import random
import re
import time
from datetime import datetime, timedelta, timezone

from locust import HttpUser, between, events, task

BASELINE = os.environ.get("SFA_LOAD_MODE") == "baseline"
DB = os.environ.get("SFA_LOAD_DB", "sfa_load")
PASSWORD = "load"
REPS = int(os.environ.get("SFA_LOAD_REPS", 4375))
LEADERS = [("3_supervisor", 20), ("4_supervisor", 100), ("2_manager", 4)]
LIST_FIELDS = {
    "name": {},
    "partner_id": {"fields": {"display_name": {}}},
    "stage_id": {"fields": {"display_name": {}}},
    "user_id": {"fields": {"display_name": {}}},
    "expected_revenue": {},
    "probability": {},
    "activity_date_deadline": {},
}
if not BASELINE:
    LIST_FIELDS["sfa_territory_id"] = {"fields": {"display_name": {}}}
FORM_FIELDS = {
    **LIST_FIELDS,
    "email_from": {},
    "phone": {},
    "description": {},
    "date_deadline": {},
    "tag_ids": {"fields": {"display_name": {}}},
    "team_id": {"fields": {"display_name": {}}},
    "won_status": {},
    "message_follower_ids": {},
    "activity_ids": {},
}
OPPORTUNITIES = [["type", "=", "opportunity"]]
# seconds between two actions of one person (SFA_LOAD_WAIT="min,max")
WAIT = [float(x) for x in os.environ.get("SFA_LOAD_WAIT", "3,10").split(",")]


class RpcError(Exception):
    pass


class OdooUser(HttpUser):
    abstract = True
    # a person reads the screen between two actions
    wait_time = between(WAIT[0], WAIT[1])

    def login_name(self):
        raise NotImplementedError

    def on_start(self):
        self.uid = None
        self.odoo_context = {"lang": "en_US", "tz": "Europe/Brussels"}
        response = self.client.post(
            "/web/session/authenticate",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"db": DB, "login": self.login_name(), "password": PASSWORD},
            },
            name="login",
        )
        result = response.json().get("result")
        if not result or not result.get("uid"):
            raise RpcError(f"login {self.login_name()} refused: {response.text[:200]}")
        self.uid = result["uid"]
        self.lead_ids = []
        self.stage_ids = [
            row["id"]
            for row in self.call(
                "crm.stage",
                "web_search_read",
                [[], {"sequence": {}}],
                {"order": "sequence, id"},
                name="stages",
            )["records"]
        ]

    def call(self, model, method, args, kwargs=None, name=None):
        kwargs = dict(kwargs or {})
        kwargs.setdefault("context", self.odoo_context)
        with self.client.post(
            f"/web/dataset/call_kw/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "model": model,
                    "method": method,
                    "args": args,
                    "kwargs": kwargs,
                },
            },
            name=name or f"{model}.{method}",
            catch_response=True,
        ) as response:
            try:
                payload = response.json()
            except json.JSONDecodeError:
                response.failure(f"not JSON: {response.status_code}")
                return None
            if "error" in payload:
                error = payload["error"].get("data", {})
                response.failure(f"{error.get('name')}: {error.get('message')}"[:300])
                return None
            return payload["result"]

    def button(self, model, method, ids, name):
        return self.call(model, method, [ids], name=name)

    def csrf_token(self):
        """The token the web client posts forms with (from its page)."""
        if not getattr(self, "_csrf", None):
            page = self.client.get("/odoo", name="web client").text
            match = re.search(r'csrf_token: "([^"]+)"', page)
            self._csrf = match.group(1) if match else ""
        return self._csrf

    def list_pipeline(self, name):
        result = self.call(
            "crm.lead",
            "web_search_read",
            [OPPORTUNITIES, LIST_FIELDS],
            {"limit": 80, "count_limit": 10001, "order": "priority desc, id desc"},
            name=name,
        )
        if result:
            self.lead_ids = [row["id"] for row in result["records"]]
        return result


class Rep(OdooUser):
    weight = 4

    def login_name(self):
        return f"load_6_rep_{random.randrange(REPS)}"

    def on_start(self):
        super().on_start()
        self.list_pipeline("rep: list my pipeline")
        if not BASELINE:
            types = self.call(
                "sfa.action.type",
                "web_search_read",
                [[], {"name": {}}],
                {"limit": 1},
                name="action types",
            )
            self.action_type_id = types["records"][0]["id"] if types else None

    @task(5)
    def list_my_pipeline(self):
        self.list_pipeline("rep: list my pipeline")

    @task(3)
    def open_deal(self):
        if self.lead_ids:
            self.call(
                "crm.lead",
                "web_read",
                [[random.choice(self.lead_ids)], FORM_FIELDS],
                name="rep: open a deal",
            )

    @task(2)
    def move_stage(self):
        if not self.lead_ids:
            return
        lead_id = random.choice(self.lead_ids)
        stage_id = random.choice(self.stage_ids[:3])
        self.call(
            "crm.lead",
            "web_save",
            [[lead_id], {"stage_id": stage_id}],
            {"specification": {"stage_id": {}}},
            name="rep: move a deal's stage",
        )

    @task(1)
    def plan_and_finish(self):
        if not self.lead_ids:
            return
        lead = self.call(
            "crm.lead",
            "web_read",
            [[random.choice(self.lead_ids)], {"partner_id": {}}],
            name="rep: open a deal",
        )
        if not lead:
            return
        lead = lead[0]
        start = datetime.now(timezone.utc) + timedelta(hours=random.randint(1, 48))
        if BASELINE:
            # as the chatter's "Schedule activity" does
            context = dict(
                self.odoo_context,
                default_res_model="crm.lead",
                default_res_id=lead["id"],
            )
            saved = self.call(
                "mail.activity",
                "web_save",
                [
                    [],
                    {"summary": "Call back", "date_deadline": start.date().isoformat()},
                ],
                {"specification": {"id": {}}, "context": context},
                name="rep: plan an action",
            )
            if saved:
                self.call(
                    "mail.activity",
                    "action_feedback",
                    [[saved[0]["id"]]],
                    {"feedback": "Done"},
                    name="rep: finish the action",
                )
            return
        saved = self.call(
            "sfa.action",
            "web_save",
            [
                [],
                {
                    "action_type_id": self.action_type_id,
                    "partner_id": lead["partner_id"],
                    "lead_id": lead["id"],
                    "name": "Call back",
                    "start": start.strftime("%Y-%m-%d %H:%M:%S"),
                },
            ],
            {"specification": {"id": {}, "state": {}}},
            name="rep: plan an action",
        )
        if saved:
            self.button(
                "sfa.action", "action_done", [saved[0]["id"]], "rep: finish the action"
            )


class Leader(OdooUser):
    """Supervisors of two levels and managers."""

    weight = 1

    def login_name(self):
        level, size = random.choice(LEADERS)
        return f"load_{level}_{random.randrange(size)}"

    @task(2)
    def team_pipeline(self):
        self.list_pipeline("lead: list the team's pipeline")

    @task(2)
    def stage_analysis(self):
        if BASELINE:
            self.call(
                "crm.lead",
                "web_read_group",
                [OPPORTUNITIES, ["stage_id"], ["expected_revenue:sum", "__count"]],
                name="lead: stage analysis",
            )
            return
        self.call(
            "sfa.stage.analysis",
            "web_read_group",
            [
                [],
                ["stage_id"],
                [
                    "entered_count:sum",
                    "advanced_count:sum",
                    "won_count:sum",
                    "lost_count:sum",
                    "advance_rate:avg",
                    "days_in_stage:avg",
                    "median_days_in_stage:median",
                    "cycle_days:avg",
                ],
            ],
            name="lead: stage analysis",
        )

    @task(2)
    def forecast_rollup(self):
        if BASELINE:
            self.call(
                "crm.lead",
                "web_read_group",
                [OPPORTUNITIES, ["user_id"], ["expected_revenue:sum", "__count"]],
                {"limit": 80},
                name="lead: forecast roll-up",
            )
            return
        self.call(
            "sfa.forecast.territory",
            "web_read_group",
            [[], ["territory_id"], ["weighted:sum", "pipeline:sum", "actual:sum"]],
            {"limit": 80},
            name="lead: forecast roll-up",
        )

    @task(2)
    def dashboard(self):
        if BASELINE:
            self.call(
                "crm.lead",
                "web_read_group",
                [
                    OPPORTUNITIES + [["won_status", "=", "won"]],
                    ["user_id"],
                    ["expected_revenue:sum", "__count"],
                ],
                {"limit": 40},
                name="lead: team dashboard",
            )
            return
        self.cards = self.call(
            "sfa.performance.dashboard",
            "web_search_read",
            [
                [["in_sales_force", "=", True]],
                {
                    "name": {},
                    "month_target": {},
                    "month_actual": {},
                    "month_attainment": {},
                    "month_won": {},
                    "pipeline_amount": {},
                    "pipeline_count": {},
                    "overdue_action_count": {},
                    "team_target": {},
                    "team_won": {},
                    "team_pipeline_amount": {},
                },
            ],
            {"limit": 40},
            name="lead: team dashboard",
        )

    @task(1)
    def export(self):
        if BASELINE:
            self.list_pipeline("lead: list the team's pipeline")
            data = {
                "model": "crm.lead",
                "fields": [
                    {"name": f, "label": f}
                    for f in (
                        "name",
                        "partner_id",
                        "stage_id",
                        "user_id",
                        "expected_revenue",
                    )
                ],
                "ids": self.lead_ids,
                "domain": OPPORTUNITIES,
                "import_compat": False,
                "context": self.odoo_context,
            }
            self.client.post(
                "/web/export/xlsx",
                data={"data": json.dumps(data), "csrf_token": self.csrf_token()},
                name="lead: export",
            )
            return
        cards = getattr(self, "cards", None)
        if not cards:
            return
        action = self.button(
            "sfa.performance.dashboard",
            "action_export_xlsx",
            [row["id"] for row in cards["records"]],
            "lead: export",
        )
        if action:
            self.client.get(action["url"], name="lead: export download")


@events.test_start.add_listener
def _started(environment, **_kwargs):
    environment.sfa_started = time.time()
