import logging
import time

from odoo.tools import SQL

from odoo.addons.sfa_base.tools import foreign_keys_checked_once

_logger = logging.getLogger(__name__)


def _sfa_pipeline_post_init(env):
    """Rebuild every opportunity's stage history from Odoo's stage tracking.

    One statement for the whole database: each tracked stage change closes a
    stay and opens the next one; opportunities never moved get one stay since
    their creation; lost ones have their last stay closed when they were lost.
    """
    start = time.monotonic()
    env.flush_all()
    # the table is new: its keys are checked once, after the rows are in
    with foreign_keys_checked_once(env.cr, "sfa_stage_history"):
        _sfa_stays_from_tracking(env, start)
    _logger.info(
        "sfa_pipeline: stage history keys checked, %.1f s", time.monotonic() - start
    )
    # statistics of the rows just written, for the statements that follow
    # in this transaction (a new table is estimated empty: nested loops)
    env.cr.execute("ANALYZE sfa_stage_history")
    # the lost stays written above are facts: built now, not by the nightly
    # rebuild (the module's data built them before this hook ran)
    env["sfa.stage.history"].invalidate_model()
    env["sfa.fact"]._sfa_rebuild(["lost_deals"])


def _sfa_stays_from_tracking(env, start):
    env.cr.execute(
        SQL(
            """
        WITH changes AS (
            SELECT m.res_id AS lead_id, m.date AS date, v.id AS seq,
                   v.old_value_integer AS old_stage, v.new_value_integer AS new_stage
              FROM mail_tracking_value v
              JOIN mail_message m ON m.id = v.mail_message_id
              JOIN ir_model_fields f ON f.id = v.field_id
             WHERE f.model = 'crm.lead' AND f.name = 'stage_id'
               AND m.model = 'crm.lead'
        ), stays AS (
            SELECT l.id AS lead_id, f.old_stage AS stage_id,
                   LEAST(l.create_date, f.date) AS date_in,
                   f.date AS date_out, f.new_stage AS next_stage_id
              FROM crm_lead l
              -- each deal's first change, in one pass over the changes
              JOIN (SELECT DISTINCT ON (c.lead_id) c.*
                      FROM changes c
                     ORDER BY c.lead_id, c.date, c.seq) f ON f.lead_id = l.id
            UNION ALL
            SELECT c.lead_id, c.new_stage, c.date,
                   LEAD(c.date) OVER w, LEAD(c.new_stage) OVER w
              FROM changes c
            WINDOW w AS (PARTITION BY c.lead_id ORDER BY c.date, c.seq)
            UNION ALL
            SELECT l.id, l.stage_id, l.create_date, NULL, NULL
              FROM crm_lead l
             WHERE l.id NOT IN (SELECT c.lead_id FROM changes c)
        )
        INSERT INTO sfa_stage_history (
            lead_id, stage_id, user_id, team_id, sfa_territory_id, company_id,
            date_in, date_out, expected_revenue, probability, outcome)
        SELECT s.lead_id, s.stage_id, l.user_id, l.team_id,
               l.sfa_territory_id, l.company_id, s.date_in,
               CASE WHEN s.date_out IS NOT NULL THEN GREATEST(s.date_out, s.date_in)
                    WHEN NOT l.active
                    THEN GREATEST(COALESCE(l.date_closed, l.write_date), s.date_in)
               END,
               l.expected_revenue, l.probability,
               CASE WHEN s.date_out IS NULL AND NOT l.active THEN 'lost'
                    WHEN s.date_out IS NULL THEN 'open'
                    WHEN nxt.is_won THEN 'won'
                    WHEN nxt.sequence > st.sequence
                      OR (nxt.sequence = st.sequence AND nxt.id > st.id) THEN 'advanced'
                    ELSE 'regressed'
               END
          FROM stays s
          JOIN crm_lead l ON l.id = s.lead_id
          JOIN crm_stage st ON st.id = s.stage_id
          LEFT JOIN crm_stage nxt ON nxt.id = s.next_stage_id
         WHERE s.date_in IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM sfa_stage_history h
                            WHERE h.lead_id = s.lead_id)
        """
        )
    )
    _logger.info(
        "sfa_pipeline: %d stays from the stage tracking, %.1f s",
        env.cr.rowcount,
        time.monotonic() - start,
    )
    # Leads whose tracking does not end in their current stage (stage changed
    # without tracking): close the stale stay and open the current one.
    env.cr.execute(
        SQL(
            """
        UPDATE sfa_stage_history h
           SET date_out = GREATEST(
                   COALESCE(l.date_last_stage_update, l.write_date), h.date_in),
               outcome = CASE WHEN nxt.is_won THEN 'won'
                              WHEN nxt.sequence >= st.sequence THEN 'advanced'
                              ELSE 'regressed' END
          FROM crm_lead l, crm_stage st, crm_stage nxt
         WHERE h.lead_id = l.id AND h.date_out IS NULL AND l.active
           AND st.id = h.stage_id AND nxt.id = l.stage_id AND h.stage_id != l.stage_id
        """
        )
    )
    env.cr.execute(
        SQL(
            """
        INSERT INTO sfa_stage_history (
            lead_id, stage_id, user_id, team_id, sfa_territory_id, company_id,
            date_in, expected_revenue, probability, outcome)
        SELECT l.id, l.stage_id, l.user_id, l.team_id, l.sfa_territory_id, l.company_id,
               COALESCE(l.date_last_stage_update, l.create_date),
               l.expected_revenue, l.probability, 'open'
          FROM crm_lead l
         WHERE l.active AND l.stage_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM sfa_stage_history h
                            WHERE h.lead_id = l.id AND h.date_out IS NULL)
        """
        )
    )
    _logger.info(
        "sfa_pipeline: %d current stays opened, %.1f s",
        env.cr.rowcount,
        time.monotonic() - start,
    )
