from datetime import date

from odoo.tests import Form

from odoo.addons.sfa_base.tests.common import SfaCase


class TargetCase(SfaCase):
    """SfaCase's sales force with a 2026 plan of the company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Plan = cls.env["sfa.target.plan"]
        cls.Line = cls.env["sfa.target.line"]
        cls.plan = cls.Plan.create(
            {
                "name": "2026 Plan",
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 12, 31),
            }
        )

    @classmethod
    def year_line(cls, value, metric="won_revenue", plan=None, parent=None, **owner):
        """A 2026 target of ``value``: the company's, or with ``territory=``,
        ``team=`` or ``user=`` that owner's; under ``parent`` if given."""
        owner_type, record = next(iter(owner.items()), ("company", None))
        values = {
            "parent_id": parent.id if parent else False,
            "plan_id": (plan or cls.plan).id,
            "owner_type": owner_type,
            "metric": metric,
            "date_from": date(2026, 1, 1),
            "date_to": date(2026, 12, 31),
            "target_value": value,
        }
        if record:
            values[f"{owner_type}_id"] = record.id
        return cls.Line.create(values)

    def company_line(self, value, metric="won_revenue", plan=None):
        return self.year_line(value, metric, plan)

    def france_line(self, value):
        return self.year_line(value, territory=self.t_country)

    def wizard(self, line, user=None, **values):
        """The split wizard on ``line`` as ``user`` (the director by default),
        filled in through its form."""
        Wizard = self.env["sfa.target.decompose"].with_user(user or self.director)
        form = Form(Wizard.with_context(default_line_id=line.id))
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def split(self, line, user=None, **values):
        return self.wizard(line, user=user, **values).action_apply()
