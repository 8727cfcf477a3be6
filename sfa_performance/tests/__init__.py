from . import test_deal_credit
from . import test_kpi
from . import test_scorecard
from . import test_tours
