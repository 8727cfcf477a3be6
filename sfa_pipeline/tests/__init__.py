from . import test_stage_history
from . import test_stage_analysis
