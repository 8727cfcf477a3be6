from . import sfa_stage_history
from . import crm_lead
from . import sfa_action_type
from . import sfa_action
from . import mail_activity
from . import calendar_event
from . import sfa_pipeline_snapshot
