from . import sfa_agenda
