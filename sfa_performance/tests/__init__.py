from . import test_deal_credit
from . import test_kpi
from . import test_scorecard
from . import test_tours
from . import test_customer_value
from . import test_alerts
from . import test_dashboard
from . import test_i18n
