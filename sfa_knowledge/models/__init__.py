from . import sfa_knowledge_category
from . import sfa_knowledge_tag
from . import sfa_knowledge_article
from . import sfa_knowledge_revision
from . import sfa_knowledge_feedback
from . import crm_lead
from . import sfa_knowledge_demo
