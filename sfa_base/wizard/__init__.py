from . import sfa_realignment_wizard
from . import sfa_share_wizard
from . import sfa_delegate_wizard
from . import sfa_handover_wizard
