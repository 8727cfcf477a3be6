from . import test_access
from . import test_article
from . import test_guidance
from . import test_download
from . import test_i18n
from . import test_tours
