from . import test_visibility
from . import test_territory
from . import test_realignment
from . import test_handover
from . import test_tours
from . import test_share
