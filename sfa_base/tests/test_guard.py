from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import SfaCase


@tagged("post_install", "-at_install")
class TestValueGuard(SfaCase):
    """What an RPC client can send that no form would: every case leaves a
    clear error and nothing written."""

    def lead_count(self):
        return self.env["crm.lead"].search_count([])

    def test_onchange_does_not_read_another_teams_customer(self):
        """Choosing rep C's customer on a new deal of rep A would return its
        email, phone and address (Odoo computes them as superuser)."""
        Lead = self.env["crm.lead"].with_user(self.rep_a)
        spec = {"email_from": {}, "phone": {}, "zip": {}}
        values = {"name": "x", "type": "opportunity"}
        with self.assertRaisesRegex(AccessError, "cannot read"):
            Lead.onchange(dict(values, partner_id=self.cust_c.id), ["partner_id"], spec)
        mine = Lead.onchange(
            dict(values, partner_id=self.cust_a.id), ["partner_id"], spec
        )
        self.assertEqual(mine["value"]["email_from"], "info@alpha.fr")
        # an existing deal keeps working when it is not the partner that changes
        self.lead_a.sudo().partner_id = self.cust_b
        self.lead_a.with_user(self.supervisor).onchange(
            {"partner_id": self.cust_b.id, "name": "Deal A2"}, ["name"], spec
        )

    def test_onchange_lines_are_checked_too(self):
        """A deal may not be planted in a one2many line of a form either."""
        Partner = self.env["res.partner"].with_user(self.rep_a)
        with self.assertRaisesRegex(AccessError, "cannot read"):
            Partner.onchange(
                {
                    "name": "New Co",
                    "opportunity_ids": [(0, 0, {"partner_id": self.cust_c.id})],
                },
                ["opportunity_ids"],
                {"opportunity_ids": {"fields": {"partner_id": {}}}},
            )

    def test_linking_a_customer_one_cannot_read_is_refused(self):
        count = self.lead_count()
        Lead = self.env["crm.lead"].with_user(self.rep_a)
        with self.assertRaisesRegex(AccessError, "cannot read"):
            Lead.create({"name": "Planted", "partner_id": self.cust_c.id})
        with self.assertRaisesRegex(AccessError, "cannot read"):
            self.lead_a.with_user(self.rep_a).write({"partner_id": self.cust_c.id})
        self.assertEqual(self.lead_count(), count)
        self.assertEqual(self.lead_a.partner_id, self.cust_a)

    def test_an_owner_given_as_text_is_refused(self):
        """xmlrpc sends '14' as text: Odoo would read it as no owner at all."""
        count = self.lead_count()
        Lead = self.env["crm.lead"].with_user(self.rep_a)
        with self.assertRaisesRegex(ValidationError, "expects the id of a record"):
            Lead.create({"name": "Unowned by mistake", "user_id": str(self.rep_a.id)})
        with self.assertRaisesRegex(ValidationError, "expects the id of a record"):
            self.lead_a.with_user(self.rep_a).write({"user_id": 1.0 * self.rep_a.id})
        self.assertEqual(self.lead_count(), count)
        self.assertEqual(self.lead_a.user_id, self.rep_a)

    def test_unknown_ids_get_a_clear_error(self):
        Lead = self.env["crm.lead"].with_user(self.rep_a)
        with self.assertRaisesRegex(ValidationError, "there is no .* with id 987654"):
            Lead.create({"name": "x", "sfa_territory_id": 987654})
        with self.assertRaisesRegex(ValidationError, "there is no record"):
            Lead.create({"name": "x", "sfa_territory_id": 2**40})
        # what the database refuses is said in the same words over RPC
        salesman = new_test_user(
            self.env, login="plain_seller", groups="sales_team.group_sale_salesman"
        )
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError) as caught,
            self.env.cr.savepoint(),
        ):
            Lead.with_user(salesman).create({"name": "x", "sfa_territory_id": 987654})
            self.env.flush_all()
        self.assertEqual(
            Lead._sql_error_to_message(caught.exception),
            "Territory: there is no record with id 987654.",
        )

    def test_nan_infinity_and_out_of_range_numbers(self):
        lead = self.lead_a.with_user(self.rep_a)
        for value in (float("nan"), float("inf"), float("-inf")):
            with self.subTest(value=value):
                with self.assertRaisesRegex(ValidationError, "must be a number"):
                    lead.write({"expected_revenue": value})
                with self.assertRaisesRegex(ValidationError, "must be a number"):
                    lead.write({"color": value})
        with self.assertRaisesRegex(ValidationError, "out of range"):
            lead.write({"color": 2**40})
        # a typing accident, and what a deal is never worth
        with self.assertRaisesRegex(
            ValidationError, "Expected Revenue is out of range"
        ):
            lead.write({"expected_revenue": 1e308})
        with self.assertRaisesRegex(
            ValidationError, "Expected Revenue cannot be negative"
        ):
            lead.write({"expected_revenue": -5000})
        with self.assertRaisesRegex(ValidationError, "must be a number"):
            lead.write({"probability": "12"})
        # nobody, not even an import as the superuser, makes a deal negative
        with self.assertRaises(ValidationError) as refused:
            self.lead_a.sudo().write({"expected_revenue": -5000})
        self.assertIn("cannot be negative", str(refused.exception))
        self.lead_a.invalidate_recordset()
        self.assertEqual(self.lead_a.expected_revenue, 1000)

    def test_oversized_texts(self):
        manager = self.env["sfa.territory"].with_user(self.manager)
        with self.assertRaisesRegex(ValidationError, "too long: 1000000 characters"):
            manager.create(
                {"name": "x" * 1_000_000, "code": "BIG", "parent_id": self.t_north.id}
            )
        with self.assertRaisesRegex(ValidationError, "too long"):
            self.cust_a.with_user(self.rep_a).write({"name": "n" * 600})
        self.assertFalse(self.env["sfa.territory"].search([("code", "=", "BIG")]))

    def test_bad_dates_and_choices(self):
        lead = self.lead_a.with_user(self.rep_a)
        with self.assertRaisesRegex(ValidationError, "not a valid date"):
            lead.write({"date_deadline": "next tuesday"})
        with self.assertRaisesRegex(ValidationError, "cannot be 'everyone'"):
            lead.write({"priority": "everyone"})

    def test_computed_and_system_fields_are_the_systems(self):
        """The lifecycle is computed, the last contact recorded by done
        actions: neither can be typed in, by write, create or a default."""
        partner = self.cust_a.with_user(self.rep_a)
        for values in (
            {"sfa_lifecycle_stage": "key_account"},
            {"sfa_name_key": "bravo"},
            {"sfa_last_contact_date": "2026-01-01"},
        ):
            with self.subTest(values=values):
                with self.assertRaisesRegex(AccessError, "set by the system"):
                    partner.write(values)
                with self.assertRaisesRegex(AccessError, "set by the system"):
                    partner.create(dict(values, name="New Co"))
        created = partner.with_context(
            default_sfa_last_contact_date="2026-01-01",
            default_sfa_lifecycle_stage="key_account",
        ).create({"name": "Defaults Co", "is_company": True})
        self.assertFalse(created.sfa_last_contact_date)
        self.assertEqual(created.sfa_lifecycle_stage, "suspect")
        # the override is the user's to set
        partner.write({"sfa_lifecycle_override": "lost"})
        self.assertEqual(self.cust_a.sfa_lifecycle_stage, "lost")

    def test_superuser_code_is_not_checked(self):
        self.cust_a.write({"sfa_last_contact_date": "2026-01-01"})
        self.assertEqual(str(self.cust_a.sfa_last_contact_date), "2026-01-01")

    def test_numbers_given_as_text(self):
        with self.assertRaisesRegex(ValidationError, "must be a number, not '12'"):
            self.lead_a.with_user(self.rep_a).write({"expected_revenue": "12"})

    def test_no_wizard_or_record_for_a_company_one_does_not_work_for(self):
        """The realignment wizard took any company: a director of one company
        realigned another's customers."""
        with self.assertRaisesRegex(AccessError, "do not work for company"):
            self.env["sfa.realignment.wizard"].with_user(self.director).create(
                {"company_id": self.company_2.id}
            )
        with self.assertRaisesRegex(AccessError, "do not work for company"):
            self.env["crm.lead"].with_user(self.rep_a).create(
                {"name": "Elsewhere", "company_id": self.company_2.id}
            )
