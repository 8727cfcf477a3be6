from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import SfaCase


@tagged("post_install", "-at_install")
class TestHierarchy(SfaCase):
    def test_reporting_line(self):
        self.assertEqual(self.rep_a.sfa_manager_id, self.supervisor)
        self.assertEqual(self.supervisor.sfa_direct_report_ids, self.rep_a | self.rep_b)
        self.assertEqual(
            self.director.sfa_direct_report_ids,
            self.manager | self.manager_2 | self.territory_manager,
        )
        line_1 = self.manager | self.supervisor | self.rep_a | self.rep_b
        line_2 = self.manager_2 | self.rep_c
        expected = {
            self.director: line_1 | line_2 | self.territory_manager,
            self.manager: self.supervisor | self.rep_a | self.rep_b,
            self.manager_2: self.rep_c,
            self.supervisor: self.rep_a | self.rep_b,
            self.rep_a: self.env["res.users"],
            self.territory_manager: self.env["res.users"],
            self.other_rep: self.env["res.users"],
        }
        for user, subordinates in expected.items():
            with self.subTest(user=user.login):
                self.assertEqual(user.sfa_subordinate_ids, subordinates)
                self.assertEqual(user.sfa_subordinate_count, len(subordinates))

    def test_subordinates_follow_changes(self):
        self.rep_c.sfa_manager_id = self.supervisor
        self.env.invalidate_all()
        self.assertEqual(
            self.supervisor.sfa_subordinate_ids, self.rep_a | self.rep_b | self.rep_c
        )
        self.assertEqual(
            self.manager.sfa_subordinate_ids,
            self.supervisor | self.rep_a | self.rep_b | self.rep_c,
        )
        self.assertFalse(self.manager_2.sfa_subordinate_ids)
        # a whole branch moves with its head
        self.supervisor.sfa_manager_id = self.manager_2
        self.env.invalidate_all()
        self.assertFalse(self.manager.sfa_subordinate_ids)
        self.assertEqual(
            self.manager_2.sfa_subordinate_ids,
            self.supervisor | self.rep_a | self.rep_b | self.rep_c,
        )
        self.assertEqual(len(self.director.sfa_subordinate_ids), 7)

    def test_archived_subordinate(self):
        self.rep_b.action_archive()
        self.env.invalidate_all()
        # the leaver's records stay in the manager's scope, for the hand-over
        self.assertIn(self.lead_b, self.visible_leads(self.supervisor))
        self.assertEqual(self.supervisor.sfa_subordinate_ids, self.rep_a)
        self.assertNotIn(self.lead_b, self.visible_leads(self.manager_2))

    def test_form_sets_manager(self):
        admin = new_test_user(
            self.env,
            login="hr_admin",
            groups="base.group_system,sfa_base.group_sfa_director",
        )
        with Form(self.rep_c.with_user(admin), view="base.view_users_form") as form:
            form.sfa_manager_id = self.supervisor
        self.env.invalidate_all()
        self.assertEqual(self.rep_c.sfa_manager_id, self.supervisor)
        self.assertIn(self.rep_c, self.supervisor.sfa_subordinate_ids)

    def test_reps_cannot_rewire_the_line(self):
        for user, target in (
            (self.rep_a, self.rep_a),
            (self.rep_a, self.rep_c),
            (self.supervisor, self.rep_a),
        ):
            with self.subTest(user=user.login, target=target.login):
                with self.assertRaises(AccessError):
                    target.with_user(user).write({"sfa_manager_id": self.manager_2.id})
        self.env.invalidate_all()
        self.assertEqual(self.rep_a.sfa_manager_id, self.supervisor)
        self.assertEqual(self.rep_c.sfa_manager_id, self.manager_2)
        self.assertNotIn(self.lead_a, self.visible_leads(self.manager_2))

    def test_director_reorganizes_the_sales_force_in_the_org_chart(self):
        """The org chart's drag and drop writes the manager alone: the
        director (no administrator of users) may, within the sales force of
        their companies; the chart is not draggable for the others."""
        Users = self.env["res.users"]
        view = self.env.ref("sfa_base.res_users_view_hierarchy_sfa")
        for user, draggable in (
            (self.rep_a, False),
            (self.supervisor, False),
            (self.manager, False),
            (self.director, True),
        ):
            arch = Users.with_user(user).get_view(view.id, "hierarchy")["arch"]
            self.assertIn(f'draggable="{int(draggable)}"', arch, user.login)
        self.assertFalse(self.director.has_group("base.group_erp_manager"))
        self.rep_a.with_user(self.director).write({"sfa_manager_id": self.manager_2.id})
        self.assertEqual(self.rep_a.sfa_manager_id, self.manager_2)
        self.assertIn(self.lead_a, self.visible_leads(self.manager_2))
        self.rep_a.with_user(self.director).write({"sfa_manager_id": False})
        self.assertFalse(self.rep_a.sfa_manager_id)
        outsider = new_test_user(self.env, "outsider", groups="base.group_user")
        for target, manager in (
            (self.rep_b, outsider),  # under someone outside the sales force
            (outsider, self.manager),  # someone outside the sales force
            (self.other_rep, self.manager),  # another company's rep
        ):
            with self.subTest(target=target.login):
                with self.assertRaises(AccessError):
                    target.with_user(self.director).write(
                        {"sfa_manager_id": manager.id}
                    )
        with self.assertRaises(AccessError):
            self.rep_b.with_user(self.director).write(
                {"sfa_manager_id": self.manager.id, "login": "taken_over"}
            )
        self.env.invalidate_all()
        self.assertEqual(self.rep_b.sfa_manager_id, self.supervisor)
        self.assertFalse(outsider.sfa_manager_id)
        self.assertEqual(self.rep_b.login, "rep_b")

    def test_role(self):
        expected = {
            self.director: "director",
            self.manager: "manager",
            self.manager_2: "manager",
            self.supervisor: "supervisor",
            self.territory_manager: "supervisor",
            self.rep_a: "rep",
            self.other_rep: "rep",
        }
        for user, role in expected.items():
            with self.subTest(user=user.login):
                self.assertEqual(user.sfa_role, role)
        plain = new_test_user(self.env, login="plain_user", groups="base.group_user")
        self.assertFalse(plain.sfa_role)
        salesman = new_test_user(
            self.env, login="salesman", groups="sales_team.group_sale_salesman"
        )
        self.assertFalse(
            salesman.sfa_role,
            "an Odoo salesman outside the sales force has no SFA role",
        )

    def test_promotion_changes_role(self):
        self.assertEqual(self.rep_a.sfa_role, "rep")
        self.rep_a.group_ids += self.env.ref("sfa_base.group_sfa_manager")
        self.rep_a.invalidate_recordset(["sfa_role"])
        self.assertEqual(self.rep_a.sfa_role, "manager")
        self.assertTrue(self.rep_a.has_group("sfa_base.group_sfa_supervisor"))

    def test_groups_chain(self):
        levels = ["rep", "supervisor", "manager", "director"]
        users = {
            "rep": self.rep_a,
            "supervisor": self.supervisor,
            "manager": self.manager,
            "director": self.director,
        }
        for index, level in enumerate(levels):
            user = users[level]
            with self.subTest(level=level):
                for below in levels[: index + 1]:
                    self.assertTrue(
                        user.has_group(f"sfa_base.group_sfa_{below}"), below
                    )
                for above in levels[index + 1 :]:
                    self.assertFalse(
                        user.has_group(f"sfa_base.group_sfa_{above}"), above
                    )
                self.assertTrue(user.has_group("sales_team.group_sale_salesman"))
                self.assertEqual(
                    user.has_group("sales_team.group_sale_manager"), level == "director"
                )
        # the group definitions themselves: each level implies the one before
        for lower, higher in zip(levels, levels[1:]):
            self.assertIn(
                self.env.ref(f"sfa_base.group_sfa_{lower}"),
                self.env.ref(f"sfa_base.group_sfa_{higher}").implied_ids,
            )

    # ------------------------------------------------------------------
    # cycles
    # ------------------------------------------------------------------

    def assertCycleRefused(self, user, manager):
        old = user.sfa_manager_id
        with self.assertRaises(ValidationError):
            user.sfa_manager_id = manager
        self.env.invalidate_all()
        self.assertEqual(user.sfa_manager_id, old)

    def test_self_manager_refused(self):
        self.assertCycleRefused(self.rep_a, self.rep_a)
        self.assertCycleRefused(self.director, self.director)

    def test_two_level_cycle_refused(self):
        self.assertCycleRefused(self.supervisor, self.rep_a)
        self.assertEqual(self.supervisor.sfa_subordinate_ids, self.rep_a | self.rep_b)
        self.assertFalse(self.rep_a.sfa_subordinate_ids)

    def test_three_level_cycle_refused(self):
        self.assertCycleRefused(self.manager, self.rep_b)
        self.assertCycleRefused(self.director, self.rep_c)
        self.assertCycleRefused(self.director, self.supervisor)
        self.assertEqual(len(self.director.sfa_subordinate_ids), 7)
        self.assertFalse(self.director.sfa_manager_id)
        # visibility is unchanged too
        self.assertEqual(self.visible_leads(self.rep_b), self.lead_b | self.lead_free)

    def test_cycle_refused_in_form(self):
        admin = new_test_user(
            self.env,
            login="hr_admin",
            groups="base.group_system,sfa_base.group_sfa_director",
        )
        form = Form(self.manager.with_user(admin), view="base.view_users_form")
        form.sfa_manager_id = self.rep_a
        with self.assertRaises(ValidationError):
            form.save()
        self.env.invalidate_all()
        self.assertEqual(self.manager.sfa_manager_id, self.director)

    def test_cycle_refused_in_batch_write(self):
        # supervisor under rep_a while rep_a stays under supervisor
        with self.assertRaises(ValidationError):
            (self.supervisor | self.rep_b).write({"sfa_manager_id": self.rep_a.id})
        self.env.invalidate_all()
        self.assertEqual(self.supervisor.sfa_manager_id, self.manager)
        self.assertEqual(self.rep_b.sfa_manager_id, self.supervisor)

    # ------------------------------------------------------------------
    # performance
    # ------------------------------------------------------------------

    def test_subordinates_one_query_whatever_the_depth(self):
        chain = self.env["res.users"]
        boss = self.rep_a
        for n in range(8):
            boss = new_test_user(
                self.env,
                login=f"deep_{n}",
                groups="sfa_base.group_sfa_rep",
                sfa_manager_id=boss.id,
            )
            chain |= boss
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(self.director.sfa_subordinate_ids & chain, chain)
        for user in (self.supervisor, self.director, self.rep_a):
            user = user.browse(user.id)  # no prefetching across users
            self.env.invalidate_all()
            # the recursive query, then one fetch of the subordinates (hides archived)
            with self.subTest(user=user.login), self.assertQueryCount(2):
                self.assertTrue(user.sfa_subordinate_ids)
        self.env.invalidate_all()
        self.assertEqual(len(self.director.sfa_subordinate_ids), 7 + 8)
        self.assertEqual(self.rep_a.sfa_subordinate_ids, chain)
