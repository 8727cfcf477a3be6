from . import sfa_stage_analysis
from . import sfa_stage_product_analysis
from . import sfa_pipeline_product_analysis
from . import sfa_agenda_wizard
from . import sfa_forecast_rollup
