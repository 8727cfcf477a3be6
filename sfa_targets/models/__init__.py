from . import sfa_metric_source
from . import sfa_target_plan
from . import sfa_target_line
from . import sfa_targets_demo
from . import sfa_target_holder
