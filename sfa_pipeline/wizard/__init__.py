from . import sfa_pipeline_change
from . import sfa_handover_wizard
