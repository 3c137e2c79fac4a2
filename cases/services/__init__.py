"""Every write to children, reports, case files and assignments (see the modules for each)."""

from .assignments import *  # noqa: F403
from .case_files import *  # noqa: F403
from .case_files import CaseConflict, MeasureInput  # noqa: F401 - named for readers and type checkers
