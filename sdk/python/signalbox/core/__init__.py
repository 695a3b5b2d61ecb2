"""The Signalbox evaluation core: pure, synchronous, standard-library only and never raising.
Compile an environment config once, then evaluate flags against contexts."""
from .compile import MAX_PREREQUISITE_DEPTH, CompiledEnvironment, ConfigProblem, compile_environment
from .dates import is_valid_date_value, parse_date_value
from .regex_matcher import validate_regex
from .evaluate import evaluate, evaluate_all
from .murmur3 import BUCKET_COUNT, bucket_for, murmur3_x86_32
from .result import EvaluationDetails
from .semver import compare_semver, is_valid_semver, parse_semver

__all__ = [
    "BUCKET_COUNT", "MAX_PREREQUISITE_DEPTH", "CompiledEnvironment", "ConfigProblem", "EvaluationDetails",
    "bucket_for", "compare_semver", "compile_environment", "evaluate", "evaluate_all", "is_valid_date_value",
    "is_valid_semver", "murmur3_x86_32", "parse_date_value", "parse_semver", "validate_regex",
]
