from . import sfa_target_decompose
from . import sfa_handover_wizard
