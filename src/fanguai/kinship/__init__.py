"""DNA kinship engine: exact likelihood ratios and a vectorised database search.

Plain Python and NumPy; it never imports Django (an import-linter contract enforces it), so it can be
used on its own, from the command line (``fanguai kinship …``) or by the Django DNA app.

Typical use::

    from fanguai.kinship import KinshipModel, MutationModel, compute_lr, load_frequencies, read_profiles

    profiles = read_profiles("case.csv")
    model = KinshipModel(load_frequencies(), MutationModel.uniform("stepwise", 0.002), theta=0.01)
    result = compute_lr("trio", [profiles["M"], profiles["AF"], profiles["C"]], model=model)
    result.total_lr, result.inconsistent_loci, result.conclusion
"""

from .conclusions import CONCLUSIONS, EXCLUDED, INCONCLUSIVE, PARENTAGE_SUPPORTED, Thresholds, conclude
from .frequencies import (
    FrequencyFormatError,
    FrequencyTable,
    default_frequencies,
    load_frequencies,
    parse_frequencies,
)
from .kits import KITS, kit_loci
from .loci import canonical_allele, canonical_locus, is_skipped_marker
from .lr import KAPPAS, RELATIONSHIPS, KinshipModel, KinshipResult, LocusLR, compute_lr
from .mutation import MutationModel, mutation_matrix
from .profiles import (
    Profile,
    ProfileError,
    ProfileFormatError,
    ProfileSet,
    ProfileWarning,
    decode_profile_bytes,
    parse_profiles,
    profile_from_mapping,
    read_profiles,
)
from .search import CoupleIndex, ProfileIndex, SearchHit, SearchQuery, search, search_many

__all__ = [
    "CONCLUSIONS",
    "EXCLUDED",
    "INCONCLUSIVE",
    "KAPPAS",
    "KITS",
    "PARENTAGE_SUPPORTED",
    "RELATIONSHIPS",
    "CoupleIndex",
    "FrequencyFormatError",
    "FrequencyTable",
    "KinshipModel",
    "KinshipResult",
    "LocusLR",
    "MutationModel",
    "Profile",
    "ProfileError",
    "ProfileFormatError",
    "ProfileIndex",
    "ProfileSet",
    "ProfileWarning",
    "SearchHit",
    "SearchQuery",
    "Thresholds",
    "canonical_allele",
    "canonical_locus",
    "compute_lr",
    "conclude",
    "decode_profile_bytes",
    "default_frequencies",
    "is_skipped_marker",
    "kit_loci",
    "load_frequencies",
    "mutation_matrix",
    "parse_frequencies",
    "parse_profiles",
    "profile_from_mapping",
    "read_profiles",
    "search",
    "search_many",
]
