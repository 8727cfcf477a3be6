from odoo import api, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL


class SfaMetricSource(models.AbstractModel):
    """The registry of measured sales figures the SFA modules share.

    Each module adds the metrics it can measure: ``_sfa_metrics`` lists them
    and ``_sfa_facts_<code>`` returns their facts, an SQL query of rows
    ``(company_id, user_id, team_id, partner_id, date, value)`` — one row per
    won deal, order, invoice, done action... dated and credited to a
    salesperson, a team and a customer (the commercial entity, whose
    territory on that date sfa_base's history gives). A fact recorded at a
    moment is dated on the salesperson's calendar (``_sfa_local_date_sql``):
    a deal won at 07:00 on 1 January in Shanghai is January's, not the
    31 December of UTC. Targets and
    scorecards sum these facts with one grouped query per metric, so a
    module adds a metric without touching them::

        class SfaMetricSource(models.AbstractModel):
            _inherit = "sfa.metric.source"

            def _sfa_metrics(self):
                return super()._sfa_metrics() + [("calls", self.env._("Calls"), True)]

            def _sfa_facts_calls(self):
                return SQL("SELECT company_id, user_id, ... FROM ...")
    """

    _name = "sfa.metric.source"
    _description = "SFA Metric Sources"

    @api.model
    def _sfa_metrics(self):
        """[(code, label, counted)]: ``counted`` metrics count things (split
        in whole units), the others are amounts in company currency."""
        return []

    @api.model
    def _sfa_metric_selection(self):
        return [(code, label) for code, label, _counted in self._sfa_metrics()]

    @api.model
    def _sfa_is_counted(self, code):
        return any(c == code and counted for c, _label, counted in self._sfa_metrics())

    @api.model
    def _sfa_metric_facts(self, code):
        """The facts query of metric ``code``; a clear error when no installed
        module measures it (e.g. after the module that did was removed)."""
        method = getattr(self, f"_sfa_facts_{code}", None)
        if code not in dict(self._sfa_metric_selection()) or method is None:
            raise UserError(
                self.env._("No installed module measures the metric %s.", code or "?")
            )
        return method()

    @api.model
    def _sfa_local_date_sql(self, timestamp, *tz_columns):
        """SQL of the local day of a UTC ``timestamp``, in the first of the
        ``tz_columns`` (SQL of res_partner.tz values, e.g. the salesperson's
        then the company's, joined by the facts query) that PostgreSQL knows,
        else UTC. A time zone name PostgreSQL does not know is skipped rather
        than failing the whole query."""
        zones = self._sfa_pg_timezones()
        known = [
            SQL("CASE WHEN %s = ANY(%s) THEN %s END", column, zones, column)
            for column in tz_columns
        ]
        return SQL(
            "((%s AT TIME ZONE 'UTC') AT TIME ZONE COALESCE(%s, 'UTC'))::date",
            timestamp,
            SQL(", ").join(known) if known else SQL("NULL"),
        )

    @api.model
    @tools.ormcache()
    def _sfa_pg_timezones(self):
        """The time zone names PostgreSQL knows (fixed for a server)."""
        return sorted(
            name
            for (name,) in self.env.execute_query(
                SQL("SELECT name FROM pg_timezone_names")
            )
        )
