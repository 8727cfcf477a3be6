from . import controllers
from . import models
from . import report
from . import wizard
from .hooks import _sfa_pipeline_post_init
