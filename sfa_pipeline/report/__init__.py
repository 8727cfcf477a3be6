from . import sfa_stage_analysis
