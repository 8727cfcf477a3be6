from . import sfa_fact
from . import sfa_target_plan
from . import sfa_target_line
from . import sfa_targets_demo
from . import sfa_target_holder
from . import res_company
from . import res_config_settings
