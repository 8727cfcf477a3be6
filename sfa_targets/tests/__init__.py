from . import test_decomposition
from . import test_actuals
from . import test_rules
from . import test_tours
from . import test_handover
from . import test_i18n
from . import test_facts
from . import test_reports
