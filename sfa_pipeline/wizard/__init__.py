from . import sfa_pipeline_change
