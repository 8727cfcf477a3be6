from . import test_stage_history
from . import test_stage_analysis
from . import test_snapshot
from . import test_pipeline_change
from . import test_action
from . import test_action_access
from . import test_action_agenda
from . import test_tours
