from . import res_company
from . import res_config_settings
from . import crm_stage
from . import sfa_deal_credit
from . import crm_lead
from . import sfa_metric_source
from . import sfa_kpi
