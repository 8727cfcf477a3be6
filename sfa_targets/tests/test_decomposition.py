from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, tagged

from odoo.addons.sfa_targets.models.decomposition import split_exact

from .common import TargetCase

amounts = st.decimals(
    min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False
)
weights = st.lists(
    st.one_of(st.just(0), st.floats(min_value=0, max_value=1e6, allow_nan=False)),
    min_size=1,
    max_size=40,
)


def units(value, digits):
    return int((Decimal(str(value)) * 10**digits).to_integral_value())


@st.composite
def trees(draw, depth=0):
    """A tree of weights: each node splits over 1 to 6 children, 0 to 3 deep."""
    if depth >= 3 or draw(st.booleans()):
        return []
    return [
        (
            draw(st.floats(min_value=0, max_value=1000, allow_nan=False)),
            draw(trees(depth=depth + 1)),
        )
        for _i in range(draw(st.integers(min_value=1, max_value=6)))
    ]


@tagged("post_install", "-at_install")
class TestSplitExact(TransactionCase):
    @settings(max_examples=300, deadline=None)
    @given(total=amounts, weights=weights, digits=st.sampled_from([0, 2, 3]))
    def test_parts_add_up_exactly_and_are_never_negative(self, total, weights, digits):
        parts = split_exact(total, weights, digits)
        self.assertEqual(len(parts), len(weights))
        self.assertTrue(all(part >= 0 for part in parts))
        expected = units(
            Decimal(total).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP), digits
        )
        self.assertEqual(sum(units(part, digits) for part in parts), expected)
        # largest remainder: each part is its exact share, give or take a unit
        exact = [Decimal(str(w)) for w in weights]
        if not any(exact):
            exact = [Decimal(1)] * len(weights)
        for part, weight in zip(parts, exact, strict=True):
            share = Decimal(expected) * weight / sum(exact)
            self.assertLess(abs(units(part, digits) - share), 1)

    @settings(max_examples=200, deadline=None)
    @given(total=amounts, tree=trees())
    def test_any_tree_sums_to_its_parent_at_every_level(self, total, tree):
        def check(amount, children):
            if not children:
                return
            parts = split_exact(amount, [weight for weight, _sub in children], 2)
            rounded = Decimal(str(amount)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            self.assertEqual(sum(units(part, 2) for part in parts), units(rounded, 2))
            for part, (_weight, sub) in zip(parts, children, strict=True):
                self.assertGreaterEqual(part, 0)
                check(part, sub)

        check(float(total), tree)

    def test_worked_examples(self):
        self.assertEqual(split_exact(100, [1, 1, 1], 2), [33.34, 33.33, 33.33])
        self.assertEqual(split_exact(10, [0, 0, 0], 0), [4, 3, 3], "all zero: equal")
        self.assertEqual(split_exact(1000, [20, 30, 50], 2), [200, 300, 500])
        self.assertEqual(split_exact(0.05, [1] * 3, 2), [0.02, 0.02, 0.01])

    def test_refuses_negative_input(self):
        with self.assertRaises(ValueError):
            split_exact(-1, [1], 2)
        with self.assertRaises(ValueError):
            split_exact(1, [1, -1], 2)


@tagged("post_install", "-at_install")
class TestDecomposeWizard(TargetCase):
    def test_org_then_time_split_add_up_at_every_level(self):
        year = self.company_line(1000000.01)
        self.split(year, owner_type="territory", org_method="equal")
        self.assertEqual(year.child_ids.territory_id, self.t_country, "top level")
        france = year.child_ids
        self.assertEqual(france.target_value, 1000000.01)
        self.split(france, owner_type="territory", org_method="equal")
        north, south = france.child_ids.sorted(lambda line: line.territory_id.code)
        self.assertEqual(
            (north.territory_id, south.territory_id), (self.t_north, self.t_south)
        )
        self.assertEqual(
            (north.target_value, south.target_value), (500000.01, 500000.0)
        )
        self.split(north, owner_type="user", org_method="equal", user=self.manager)
        self.assertEqual(north.child_ids.user_id, self.rep_a | self.rep_b)
        rep_line = north.child_ids.filtered(lambda line: line.user_id == self.rep_a)
        self.split(rep_line, split_by="time", period="month", user=self.manager)
        months = rep_line.child_ids
        self.assertEqual(len(months), 12)
        self.assertEqual(set(months.mapped("period_type")), {"month"})
        self.assertEqual(
            round(sum(months.mapped("target_value")), 2), rep_line.target_value
        )
        self.assertTrue(all(month.user_id == self.rep_a for month in months))
        self.assertFalse((year | france | north | rep_line).filtered("split_mismatch"))

    def test_opens_on_the_way_the_target_splits(self):
        """The wizard opens on a split that has something to split into: a
        territory into its sub-territories (or its members when it has none,
        else over time), a salesperson over time, and a target already split
        the way it is."""
        france = self.france_line(900)
        east = self.env["sfa.territory"].create(
            {
                "name": "East",
                "code": "FR-E",
                "type": "region",
                "parent_id": self.t_country.id,
                "member_ids": [(6, 0, [self.rep_c.id])],
            }
        )
        east_line = self.year_line(100, territory=east)
        lille = self.year_line(100, territory=self.t_lille)
        rep = self.year_line(100, user=self.rep_a)
        for line, expected in (
            (france, ("org", "territory")),
            (east_line, ("org", "user")),
            (lille, ("time", "user")),
            (rep, ("time", "user")),
        ):
            wizard = self.wizard(line)
            self.assertEqual((wizard.split_by, wizard.owner_type), expected, line.name)
            self.assertTrue(wizard.child_ids, line.name)
        self.split(france, split_by="time", period="quarter")
        self.assertEqual(self.wizard(france).split_by, "time")
        self.split(france, split_by="org", owner_type="team", org_method="equal")
        wizard = self.wizard(france)
        self.assertEqual((wizard.split_by, wizard.owner_type), ("org", "team"))

    def test_preview_keeps_its_title_and_shows_shares(self):
        france = self.france_line(900)
        wizard = self.wizard(france, org_method="headcount")
        action = wizard.action_preview()
        self.assertEqual(action["name"], "Split a Target")
        self.assertEqual(
            sorted(
                (child.name, round(child.share, 1), child.amount)
                for child in wizard.child_ids
            ),
            [
                (self.t_north.display_name, 66.7, 600),
                (self.t_south.display_name, 33.3, 300),
            ],
        )

    def test_nothing_to_split_says_what_to_do(self):
        lille = self.year_line(100, territory=self.t_lille)
        wizard = self.wizard(lille, split_by="org", owner_type="territory")
        with self.assertRaises(UserError) as caught:
            wizard.action_preview()
        self.assertIn("has no sub-territories", str(caught.exception))

    def test_weights_must_add_up_to_100(self):
        france = self.france_line(900)
        wizard = self.wizard(france, owner_type="territory", org_method="weights")
        north, south = wizard.child_ids.sorted("name")
        north.weight = 60
        south.weight = 30
        with self.assertRaises(ValidationError) as caught:
            wizard.action_apply()
        self.assertIn("add up to 90", str(caught.exception))
        self.assertFalse(france.child_ids, "nothing written")
        south.weight = 40
        wizard.action_apply()
        by_territory = {
            line.territory_id: line.target_value for line in france.child_ids
        }
        self.assertEqual(by_territory, {self.t_north: 540, self.t_south: 360})

    def test_headcount(self):
        france = self.france_line(900)
        self.split(france, owner_type="territory", org_method="headcount")
        by_territory = {
            line.territory_id: line.target_value for line in france.child_ids
        }
        self.assertEqual(by_territory, {self.t_north: 600, self.t_south: 300})

    def test_counts_split_in_whole_units(self):
        year = self.company_line(10, metric="won_deals")
        self.split(year, split_by="time", period="quarter")
        self.assertEqual(year.child_ids.mapped("target_value"), [3, 3, 2, 2])

    def test_split_replaces_the_children(self):
        year = self.company_line(1200)
        self.split(year, split_by="time", period="quarter")
        self.split(year, split_by="time", period="month")
        self.assertEqual(len(year.child_ids), 12)
        self.assertEqual(set(year.child_ids.mapped("target_value")), {100})
