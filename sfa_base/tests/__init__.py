from . import test_visibility
