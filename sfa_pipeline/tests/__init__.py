from . import test_stage_history
