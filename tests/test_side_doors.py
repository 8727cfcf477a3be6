"""No side door: the matrix of tests/security/side_doors.py, run in the test
database through Odoo's own RPC dispatch (``call_kw``), case by case in a
savepoint that is always rolled back."""

import copy
import itertools
import sys
import time
from contextlib import closing
from pathlib import Path

from odoo.service.model import call_kw
from odoo.tests import TransactionCase, tagged

sys.path.insert(0, str(Path(__file__).resolve().parent / "security"))
import side_doors  # noqa: E402


def run_case(env, case, users):
    """("ok", result) or ("error", "clear" | "raw", message), as a client
    calling over RPC would see it."""
    user = users[case["user"]]
    model = env(user=user, su=False)[case["model"]]
    kwargs = dict(case["kwargs"], context=case["context"])
    with closing(env.cr.savepoint()):
        try:
            result = call_kw(model, case["method"], list(case["args"]), kwargs)
            env.cr.flush()  # what the RPC layer does before answering
        except Exception as exc:  # noqa: BLE001 - judged below
            kind = "clear" if side_doors.is_clear(exc) else "raw"
            return ("error", kind, f"{type(exc).__name__}: {exc}")
        return ("ok", result)


def run_forge(env, case, users):
    """(outcome, state) of a forge case: the call as run_case makes it, and
    whether the watched facts moved, read before the savepoint rolls back."""
    user = users[case["user"]]
    model = env(user=user, su=False)[case["model"]]
    kwargs = dict(case["kwargs"], context=case["context"])
    with closing(env.cr.savepoint()):
        before = side_doors.fact_state(env, case["watch"])
        try:
            # a copy: Odoo may add to the values it is given
            call_kw(model, case["method"], copy.deepcopy(case["args"]), kwargs)
            env.cr.flush()
        except Exception as exc:  # noqa: BLE001 - judged below
            kind = "clear" if side_doors.is_clear(exc) else "raw"
            return ("error", kind, f"{type(exc).__name__}: {exc}"), None
        after = side_doors.fact_state(env, case["watch"])
    if after == before:
        return ("ok", None), None
    moved = [row for row in after if row not in before]
    gone = [row for row in before if row not in after]
    return ("ok", None), {"changed": f"now {moved[:3]}, was {gone[:3]}"}


@tagged("post_install", "-at_install")
class TestSideDoors(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.world = side_doors.World(cls.env).build()
        cls.cases = side_doors.generate_cases(cls.world)
        cls.users = {user.login: user.id for user in cls.world.users.values()}

    def test_every_covered_model_has_records_of_both_teams(self):
        """A model the world does not build would be tried by nothing: the
        test of a new model starts by giving both teams records of it."""
        missing = []
        for name in side_doors.covered_models(self.env):
            model = self.env[name]
            if side_doors.is_configuration(model) or name == "res.config.settings":
                continue
            teams = self.world.records.get(name, {})
            if not (teams.get("a") and teams.get("b")):
                missing.append(name)
        self.assertFalse(
            missing, f"build records of both teams for {', '.join(missing)}"
        )

    def test_the_context_keys_tried_include_those_the_modules_read(self):
        read = set(side_doors.context_keys_read())
        tried = {key for _label, ctx in side_doors.context_variants() for key in ctx}
        self.assertLessEqual(read, tried)
        self.assertIn("sfa_territory_date", tried, "the keys once read stay tried")

    def test_no_side_door(self):
        started = time.time()
        leaks = []
        for case in self.cases:
            outcome = run_case(self.env, case, self.users)
            problem = side_doors.judge(case, outcome)
            if problem:
                leaks.append(
                    f"#{case['id']} {case['user']} {case['model']}.{case['method']}"
                    f" [{case['variant']}]: {problem}"
                )
        print(  # noqa: T201 - the figure of the run
            f"side doors: {len(self.cases)} cases, {len(leaks)} leaks "
            f"({time.time() - started:.0f} s)"
        )
        self.assertGreater(len(self.cases), 1000)
        self.assertFalse(leaks, "\n".join(leaks[:40]))

    def test_every_number_field_refuses_bad_numbers(self):
        """NaN, infinity, 1e308, text, and a negative figure where the field
        says it has none: every number field of the covered models refuses
        them with a message naming the field, written through RPC by the
        team's own people (the rep, their supervisor and manager, the
        director) on their own records, and nothing is written."""
        writers = ["rep_b", "supervisor_b", "manager_b", "director"]
        tried, reached, problems = 0, set(), []
        for name in side_doors.covered_models(self.env):
            Model = self.env[name].sudo()
            if not Model._auto:
                continue
            teams = self.world.records.get(name, {})
            ids = (teams.get("b") or teams.get(None) or [])[:1]
            if not ids:
                continue
            for fname, values in side_doors.bad_numbers(Model):
                field = Model._fields[fname]
                before = Model.browse(ids)[fname]
                copied = side_doors.copy_values(Model.browse(ids[0]))
                calls = [("write", lambda v, f=fname: [ids, {f: v}])]
                if copied is not None:
                    calls.append(
                        ("create", lambda v, f=fname: [dict(copied, **{f: v})])
                    )
                for (method, args), value in itertools.product(calls, values):
                    tried += 1
                    for writer in writers:
                        case = {
                            "user": self.world.user(writer).login,
                            "model": name,
                            "method": method,
                            "args": args(value),
                            "kwargs": {},
                            "context": {},
                        }
                        outcome = run_case(self.env, case, self.users)
                        message = outcome[2] if outcome[0] == "error" else ""
                        if message.startswith("AccessError"):
                            continue  # not theirs to write: the next one up
                        label = field._description_string(self.env)
                        what = f"{method} {name}.{fname} = {value!r}"
                        if outcome[0] == "ok":
                            problems.append(f"{what}: taken")
                        elif outcome[1] == "raw":
                            problems.append(f"{what}: {message[:160]}")
                        elif (
                            label.lower() not in message.lower()
                            and fname not in message
                        ):
                            problems.append(
                                f"{what}: a message that does not name the field: "
                                f"{message[:120]}"
                            )
                        else:
                            reached.add(f"{name}.{fname}")
                        break
                self.env.invalidate_all()
                self.assertEqual(Model.browse(ids)[fname], before, f"{name}.{fname}")
        self.assertFalse(problems, "\n".join(problems[:60]))
        # the people who write them reached the checks of these fields
        for field in (
            "crm.lead.expected_revenue",
            "sfa.action.duration",
            "sfa.action.cost",
            "sfa.target.line.target_value",
            "sfa.forecast.rep_forecast",
            "sfa.lead.line.price_unit",
        ):
            self.assertIn(field, reached)
        self.assertGreater(tried, 100)

    def test_no_forged_figures(self):
        """Every field that feeds a metric's owner, day, amount or customer,
        written by a rep on his own documents, sent in a create or as a
        context default, aiming at another rep or a closed month: the facts
        of others and of closed months do not move, or the call is refused
        with a clear message."""
        cases = side_doors.generate_forge_cases(self.world)
        feeds = side_doors.fact_feeds(self.env)
        sources = self.env["sfa.fact"]._sfa_sources()
        tried, refused, leaks = set(), set(), []
        for case in cases:
            outcome, state = run_forge(self.env, case, self.users)
            metric, role, _when = case["variant"].split()
            tried.add(metric)
            if outcome[0] == "error" and (
                "closed month" in outcome[2] or "not in your team" in outcome[2]
            ):
                refused.add(role)
            if problem := side_doors.judge(case, outcome, state):
                leaks.append(
                    f"#{case['id']} {case['model']}.{case['method']} "
                    f"{case['args']!s:.80} {case['context']} [{case['variant']}]: "
                    f"{problem}"
                )
        print(f"forged figures: {len(cases)} cases, {len(leaks)} leaks")  # noqa: T201
        self.assertFalse(leaks, "\n".join(leaks[:40]))
        # every metric a client's document feeds was tried; the others are
        # made of records only the system writes
        self.assertFalse(
            sorted(m for m, found in feeds.items() if found and m not in tried)
        )
        for metric, found in feeds.items():
            if not found:
                source = sources[metric]
                model = self.env[source.model]
                if not source.depends:
                    self.assertTrue(model._sfa_system_records, metric)
                feeding = {
                    fname
                    for fname in source.depends
                    if side_doors.feed_role(model._fields[fname])
                }
                self.assertLessEqual(feeding, side_doors.system_fields(model), metric)
        # the fact check itself refused each kind of forgery (not only the
        # record rules before it)
        self.assertEqual(refused, {"owner", "date", "amount", "customer"})

    def test_every_public_method_answers_an_rpc_client(self):
        """Every method a client may call on an SFA model answers with a
        value XML-RPC can carry (None cannot be: the work would be done and
        the client told it failed), or with a clear error."""
        director = self.world.user("director")
        tried, problems = 0, []
        for name in side_doors.covered_models(self.env):
            teams = self.world.records.get(name, {})
            ids = (teams.get("a") or teams.get(None) or [])[:1]
            for method in side_doors.public_methods(self.env, name):
                tried += 1
                case = {
                    "user": director.login,
                    "model": name,
                    "method": method,
                    "args": [ids] if ids else [[]],
                    "kwargs": {},
                    "context": {},
                }
                outcome = run_case(self.env, case, self.users)
                if outcome[0] == "error" and outcome[1] == "raw":
                    problems.append(f"{name}.{method}: {outcome[2][:160]}")
                elif outcome[0] == "ok":
                    if problem := side_doors.unreadable_by_rpc(outcome[1]):
                        problems.append(f"{name}.{method}: {problem}")
        self.assertGreater(tried, 40)
        self.assertFalse(problems, "\n".join(problems))

    def test_the_reads_aim_at_records_that_are_there(self):
        """A case that found nothing because it aimed at nothing would pass
        for the wrong reason: each read case's domain finds the other team's
        records when the system itself searches, and the director, who reads
        the whole company, finds them too (but another user's votes and
        reads of an article, and wizards, which are their user's only)."""
        director = self.world.user("director").login
        blind, unseen = set(), set()
        tried = 0
        for case in self.cases:
            if (
                case["method"] != "search_read"
                or case["expect"] != "no_foreign"
                or case["context"]
            ):
                continue
            tried += 1
            domain = case["args"][0]
            Model = self.env[case["model"]].sudo().with_context(active_test=False)
            if not Model.search_count(domain):
                blind.add(case["model"])
            if Model._transient or case["model"] in (
                "sfa.knowledge.vote",
                "sfa.knowledge.view",
            ):
                continue
            outcome = run_case(self.env, dict(case, user=director), self.users)
            if outcome[0] != "ok" or not side_doors.found_ids(
                "search_read", outcome[1]
            ) & set(case["foreign"]):
                unseen.add(case["model"])
        self.assertGreater(tried, 30)
        self.assertFalse(sorted(blind), "read cases that aim at nothing")
        self.assertFalse(sorted(unseen), "records even a director does not see")
