from . import models
from . import wizard


def _sfa_uninstall(env):
    """What no model owns: the generations of the SFA caches (sfa.cache)."""
    env.cr.execute(
        "DROP TABLE IF EXISTS sfa_cache_generation;"
        " DROP SEQUENCE IF EXISTS sfa_cache_generation_seq"
    )
