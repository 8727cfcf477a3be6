from . import sfa_scorecard_generate
