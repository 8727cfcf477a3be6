from . import sfa_stage_analysis
from . import sfa_agenda_wizard
