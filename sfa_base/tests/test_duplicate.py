from ast import literal_eval

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import SfaCase


@tagged("post_install", "-at_install")
class TestDuplicate(SfaCase):
    """rep_c (South) creates customers that may already exist in the North (rep_a)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cust_a.write(
            {
                "phone": "+33 3 20 12 34 56",
                "vat": "FR12345678901",
                "street": "1 rue Secrète",
                "comment": "Confidential pricing",
            }
        )

    def warning_for(self, user, **values):
        """Warning shown while ``user`` fills in a new customer (not saved)."""
        form = Form(self.customer_form_model(user))
        for name, value in values.items():
            setattr(form, name, value)
        return form.sfa_duplicate_warning

    def customer_form_model(self, user):
        """res.partner as opened from the SFA Customers menu."""
        action = self.env.ref("sfa_base.action_sfa_customers")
        return (
            self.env["res.partner"]
            .with_user(user)
            .with_context(**literal_eval(action.context))
        )

    def assertWarnsOf(self, warning, partner, owner):
        self.assertTrue(warning, "a duplicate warning is expected")
        self.assertIn(partner.name, warning)
        self.assertIn(owner.name, warning)

    def partner_count(self):
        return self.env["res.partner"].with_context(active_test=False).search_count([])

    def test_name_with_legal_form(self):
        warning = self.warning_for(self.rep_c, name="ALPHA s.a.r.l.")
        self.assertEqual(
            warning,
            "Possible duplicate of an existing customer: Alpha SARL (owner: Rep A)",
        )

    def test_warning_discloses_only_name_and_owner(self):
        warning = self.warning_for(self.rep_c, name="Alpha", email="sales@alpha.fr")
        self.assertWarnsOf(warning, self.cust_a, self.rep_a)
        for secret in (
            "info@alpha.fr",
            "alpha.fr",
            "20 12 34 56",
            "FR12345678901",
            "Secrète",
            "Confidential",
            "59000",
            "Lille",
        ):
            self.assertNotIn(secret, warning)
        # and the rep still cannot open the match
        with self.assertRaises(AccessError):
            self.cust_a.with_user(self.rep_c).read(["email"])
        self.assertNotIn(self.cust_a, self.visible_customers(self.rep_c))

    def test_name_variants(self):
        for name in (
            "Alpha",
            "alpha sarl",
            "ALPHA  SARL",
            "Alpha Ltd.",
            "Alpha, Inc.",
            "Alpha GmbH",
        ):
            with self.subTest(name=name):
                self.assertWarnsOf(
                    self.warning_for(self.rep_c, name=name), self.cust_a, self.rep_a
                )

    def test_dotted_legal_forms(self):
        for name in ("Alpha S.A.R.L.", "ALPHA s.a.r.l.", "Alpha S.A."):
            with self.subTest(name=name):
                self.assertWarnsOf(
                    self.warning_for(self.rep_c, name=name), self.cust_a, self.rep_a
                )
        self.assertWarnsOf(
            self.warning_for(self.rep_c, name="Bravo S.A."), self.cust_b, self.rep_b
        )

    def test_no_warning_for_new_customer(self):
        self.assertFalse(
            self.warning_for(
                self.rep_c,
                name="Zulu Industries",
                email="hello@zulu.io",
                phone="+33 4 91 00 00 00",
            )
        )
        # a name merely containing an existing one is not a duplicate
        self.assertFalse(self.warning_for(self.rep_c, name="Alphabet Consulting"))

    def test_email_domain(self):
        warning = self.warning_for(self.rep_c, name="Zulu", email="buyer@alpha.fr")
        self.assertWarnsOf(warning, self.cust_a, self.rep_a)
        self.assertFalse(
            self.warning_for(self.rep_c, name="Zulu", email="buyer@alpha-group.fr")
        )

    def test_free_mail_domain_ignored(self):
        self.cust_b.email = "bravo.sa@gmail.com"
        self.assertFalse(
            self.warning_for(self.rep_c, name="Zulu", email="zulu@gmail.com")
        )
        self.assertFalse(
            self.warning_for(self.rep_c, name="Zulu", email="zulu@GMAIL.com")
        )
        self.assertFalse(
            self.warning_for(self.rep_c, name="Zulu", email="bravo.sa@gmail.com")
        )

    def test_phone(self):
        for phone in (
            "+33 3 20 12 34 56",
            "03 20 12 34 56",
            "0320123456",
            "+33320123456",
            "0033 3 20 12 34 56",
            "+33 (0)3-20-12-34-56",
        ):
            with self.subTest(phone=phone):
                warning = self.warning_for(self.rep_c, name="Zulu", phone=phone)
                self.assertWarnsOf(warning, self.cust_a, self.rep_a)
                self.assertNotIn("20 12 34 56", warning)
        self.assertFalse(
            self.warning_for(self.rep_c, name="Zulu", phone="+33 3 20 12 34 57")
        )

    def test_vat(self):
        for vat in ("FR12345678901", "fr 123 456 789 01", "FR-12.345.678.901"):
            with self.subTest(vat=vat):
                self.assertWarnsOf(
                    self.warning_for(self.rep_c, name="Zulu", vat=vat),
                    self.cust_a,
                    self.rep_a,
                )
        self.assertFalse(self.warning_for(self.rep_c, name="Zulu", vat="FR12345678902"))

    def test_unowned_and_several_matches(self):
        warning = self.warning_for(self.rep_c, name="Unowned Prospect")
        self.assertEqual(
            warning,
            "Possible duplicate of an existing customer: "
            "Unowned Prospect (owner: nobody)",
        )
        self.cust_b.email = "contact@alpha.fr"
        warning = self.warning_for(self.rep_c, name="Zulu", email="x@alpha.fr")
        self.assertWarnsOf(warning, self.cust_a, self.rep_a)
        self.assertWarnsOf(warning, self.cust_b, self.rep_b)

    def test_contact_persons_are_not_customers(self):
        # a contact person of Alpha named like a new company does not count
        self.env["res.partner"].create({"name": "Kilo", "parent_id": self.cust_a.id})
        self.assertFalse(self.warning_for(self.rep_c, name="Kilo"))
        # and a contact person being added under a company gets no warning
        with Form(self.env["res.partner"].with_user(self.rep_a)) as form:
            form.company_type = "person"
            form.parent_id = self.cust_a
            form.name = "Alpha"
            self.assertFalse(form.sfa_duplicate_warning)

    def test_existing_customer_does_not_match_itself(self):
        with Form(self.cust_a.with_user(self.rep_a)) as form:
            form.comment = "edited"
            self.assertFalse(form.sfa_duplicate_warning)
        self.assertFalse(self.cust_a.sfa_duplicate_warning)

    def test_other_company_customers_ignored(self):
        """A customer of another company is neither disclosed nor a reason to block."""
        self.assertEqual(self.cust_other.company_id, self.company_2)
        with self.assertRaises(AccessError):
            self.cust_other.with_user(self.rep_c).read(["name"])
        warning = self.warning_for(self.rep_c, name="Other Co Customer")
        self.assertFalse(
            warning and "Other Co Customer" in warning,
            "BUG res_partner._sfa_find_duplicates: the sudo search crosses "
            f"companies and discloses another company's customer: {warning!r}",
        )
        self.company.sfa_duplicate_block = True
        partner = (
            self.env["res.partner"]
            .with_user(self.rep_c)
            .create({"name": "Other Co Customer", "is_company": True})
        )
        self.assertFalse(partner.sfa_duplicate_warning)

    def test_chinese_legal_suffix(self):
        huawei = self.env["res.partner"].create(
            {
                "name": "华为技术",
                "is_company": True,
                "user_id": self.rep_a.id,
            }
        )
        self.assertWarnsOf(
            self.warning_for(self.rep_c, name="华为技术有限公司"), huawei, self.rep_a
        )
        self.assertWarnsOf(
            self.warning_for(self.rep_c, name="华为技术股份有限公司"),
            huawei,
            self.rep_a,
        )
        self.assertFalse(self.warning_for(self.rep_c, name="华为终端有限公司"))

    def test_vietnamese_legal_suffix(self):
        abc = self.env["res.partner"].create(
            {"name": "ABC", "is_company": True, "user_id": self.rep_b.id}
        )
        for name in (
            "Công ty TNHH ABC",
            "CÔNG TY TNHH ABC",
            "Công ty Cổ phần ABC",
            "ABC JSC",
        ):
            with self.subTest(name=name):
                self.assertWarnsOf(
                    self.warning_for(self.rep_c, name=name), abc, self.rep_b
                )
        self.assertFalse(self.warning_for(self.rep_c, name="Công ty TNHH XYZ"))

    # ------------------------------------------------------------------
    # leads
    # ------------------------------------------------------------------

    def test_lead_warning(self):
        with Form(self.env["crm.lead"].with_user(self.rep_c)) as form:
            form.name = "New opportunity"
            form.partner_name = "Alpha Ltd"
            warning = form.sfa_duplicate_warning
            self.assertWarnsOf(warning, self.cust_a, self.rep_a)
            self.assertNotIn("info@alpha.fr", warning)
            form.partner_name = "Zulu Industries"
            self.assertFalse(form.sfa_duplicate_warning)
            form.email_from = "jane@alpha.fr"
            self.assertWarnsOf(form.sfa_duplicate_warning, self.cust_a, self.rep_a)
            form.email_from = False
            form.phone = "03 20 12 34 56"
            self.assertWarnsOf(form.sfa_duplicate_warning, self.cust_a, self.rep_a)
        lead = form.record
        self.assertTrue(lead.sfa_duplicate_warning)
        # once linked to a customer, the lead is no longer a possible duplicate
        lead.partner_id = self.cust_c
        self.assertFalse(lead.sfa_duplicate_warning)

    # ------------------------------------------------------------------
    # blocking
    # ------------------------------------------------------------------

    def test_block_duplicates(self):
        self.company.sfa_duplicate_block = True
        Partner = self.env["res.partner"].with_user(self.rep_c)
        count = self.partner_count()
        for values in (
            {"name": "Alpha SARL"},
            {"name": "Alpha Ltd"},
            {"name": "Zulu", "phone": "03 20 12 34 56"},
            {"name": "Zulu", "vat": "FR 12345678901"},
        ):
            with self.subTest(values=values):
                with self.assertRaises(ValidationError) as cm:
                    Partner.create(dict(values, is_company=True))
                self.assertIn("Alpha SARL (owner: Rep A)", str(cm.exception))
                self.assertNotIn("info@alpha.fr", str(cm.exception))
                self.assertEqual(self.partner_count(), count)
        # through the form too
        with self.assertRaises(ValidationError):
            with Form(self.customer_form_model(self.rep_c)) as form:
                form.name = "ALPHA LTD"
        self.assertEqual(self.partner_count(), count)
        # an email domain alone only warns: Odoo creates contacts from mail too
        zulu = Partner.create(
            {"name": "Zulu", "email": "buyer@alpha.fr", "is_company": True}
        )
        self.assertIn("Alpha SARL (owner: Rep A)", zulu.sfa_duplicate_warning)
        self.assertEqual(self.partner_count(), count + 1)
        # renaming another customer into a duplicate is refused as well
        with self.assertRaises(ValidationError):
            self.cust_c.with_user(self.rep_c).name = "Alpha"
        self.assertEqual(self.cust_c.name, "Charlie")
        # editing the existing customer itself is fine
        self.cust_a.with_user(self.rep_a).write(
            {"phone": "+33 3 20 99 99 99", "name": "Alpha S.A.R.L"}
        )
        self.assertEqual(self.cust_a.phone, "+33 3 20 99 99 99")
        # a genuinely new customer goes through
        zulu = Partner.create({"name": "Zulu Industries", "is_company": True})
        self.assertEqual(self.partner_count(), count + 2)
        self.assertEqual(zulu.name, "Zulu Industries")

    def test_block_off_only_warns(self):
        self.assertFalse(self.company.sfa_duplicate_block)
        count = self.partner_count()
        with Form(self.customer_form_model(self.rep_c)) as form:
            form.name = "Alpha SARL"
            self.assertTrue(form.sfa_duplicate_warning)
        self.assertEqual(self.partner_count(), count + 1)
        self.assertEqual(form.record.name, "Alpha SARL")

    def test_block_ignores_contact_persons(self):
        self.company.sfa_duplicate_block = True
        contact = (
            self.env["res.partner"]
            .with_user(self.rep_a)
            .create(
                {
                    "name": "Jean",
                    "parent_id": self.cust_a.id,
                    "email": "jean@alpha.fr",
                    "phone": "+33 3 20 12 34 56",
                }
            )
        )
        self.assertEqual(contact.commercial_partner_id, self.cust_a)

    def test_name_matching_without_accents_and_without_false_friends(self):
        Partner = self.env["res.partner"]
        abc = Partner.create(
            {"name": "Công ty TNHH ABC", "is_company": True, "user_id": self.rep_a.id}
        )
        for typed in ("Cong ty ABC", "Cong ty Co phan ABC", "ABC JSC"):
            with self.subTest(typed=typed):
                self.assertEqual(Partner._sfa_find_duplicates(typed), abc)
        Partner.create({"name": "Pa Travel", "is_company": True})
        Partner.create({"name": "Hoa Sen", "is_company": True})
        for typed in ("Sa Pa Travel", "Spa Hoa Sen"):
            with self.subTest(typed=typed):
                self.assertFalse(Partner._sfa_find_duplicates(typed))

    def test_block_applies_to_leads_too(self):
        self.company.sfa_duplicate_block = True
        with self.assertRaises(ValidationError):
            self.env["crm.lead"].with_user(self.rep_c).create(
                {"name": "New deal", "partner_name": "ALPHA sarl"}
            )
        lead = (
            self.env["crm.lead"]
            .with_user(self.rep_c)
            .create({"name": "New deal", "partner_name": "Omega Holdings"})
        )
        self.assertTrue(lead)

    def test_portal_access_keeps_a_customer_a_customer(self):
        new_test_user(
            self.env,
            login="alpha_portal",
            groups="base.group_portal",
            partner_id=self.cust_a.id,
        )
        self.assertTrue(self.cust_a.sfa_is_customer)
        company = self.env["res.company"].create({"name": "Sister Co"})
        self.assertFalse(company.partner_id.sfa_is_customer)

    def test_bots_and_former_employees_are_not_customers(self):
        """OdooBot's partner (its user is archived) and a former employee's
        are colleagues, not customers: no value, lifecycle or alert."""
        self.assertFalse(self.env.ref("base.partner_root").sfa_is_customer)
        leaver = new_test_user(self.env, login="leaver", groups="base.group_user")
        self.assertFalse(leaver.partner_id.sfa_is_customer)
        leaver.action_archive()
        self.env.flush_all()
        self.assertFalse(leaver.partner_id.sfa_is_customer)
        Partner = self.env["res.partner"]
        customers = Partner.search([("sfa_is_customer", "=", True)])
        self.assertNotIn(self.env.ref("base.partner_root"), customers)
        self.assertNotIn(leaver.partner_id, customers)
