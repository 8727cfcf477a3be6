from . import sfa_stage_history
from . import crm_lead
