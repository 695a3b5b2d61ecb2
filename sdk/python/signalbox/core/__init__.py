"""The Signalbox evaluation core: pure, synchronous, standard-library only and never raising.
Compile an environment config once, then evaluate flags against contexts."""
from .compile import MAX_PREREQUISITE_DEPTH, CompiledEnvironment, ConfigProblem, compile_environment
from .evaluate import evaluate, evaluate_all
from .murmur3 import BUCKET_COUNT, bucket_for, murmur3_x86_32
from .result import EvaluationDetails

__all__ = [
    "BUCKET_COUNT", "MAX_PREREQUISITE_DEPTH", "CompiledEnvironment", "ConfigProblem", "EvaluationDetails",
    "bucket_for", "compare_semver", "compile_environment", "evaluate", "evaluate_all", "is_valid_date_value",
    "is_valid_semver", "murmur3_x86_32", "parse_date_value", "parse_semver", "validate_regex",
]
from .._lazy import lazy_exports

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the name)
if TYPE_CHECKING:
    from .dates import is_valid_date_value, parse_date_value
    from .regex_matcher import validate_regex
    from .semver import compare_semver, is_valid_semver, parse_semver

# Validators and parsers that evaluation needs only for some operators: imported on first use.
_LAZY = {
    "is_valid_date_value": "dates",
    "parse_date_value": "dates",
    "validate_regex": "regex_matcher",
    "compare_semver": "semver",
    "is_valid_semver": "semver",
    "parse_semver": "semver",
}


__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
