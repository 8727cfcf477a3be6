from . import sfa_xlsx
