"""Events booked by actions before 19.0.1.1.0 were public: every internal
user read the action's notes in the calendar. They become private to their
attendees, as new ones are."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE calendar_event e SET privacy = 'private'
          FROM sfa_action a
         WHERE a.calendar_event_id = e.id
           AND e.privacy IS DISTINCT FROM 'private'
        """
    )
