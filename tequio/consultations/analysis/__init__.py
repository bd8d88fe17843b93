"""Pure consultation math (Pol.is method): numpy and scipy only, no Django.

See docs/consultations-math.md for the method, the choices made where the method is
silent, and how the results compare with Pol.is's own groupings.
"""

from .clustering import Clustering, KSmootherState, kmeans, silhouette, smooth_k
from .matrix import VoteMatrix, build_vote_matrix, participants_in_conversation
from .metrics import adjusted_rand_index
from .pca import PCAResult, column_means, impute, principal_components
from .pipeline import PipelineOptions, PipelineResult, PipelineState, analyse, run_pipeline
from .polis_io import PolisConversation, PolisFormatError, load_polis_export, load_polis_groups
from .stats import (
    Consensus,
    ConsensusStatement,
    GroupVotes,
    Repness,
    RepresentativeStatement,
    choose_next_statement,
    priorities,
    representativeness,
)

__all__ = [
    "Clustering",
    "Consensus",
    "ConsensusStatement",
    "GroupVotes",
    "KSmootherState",
    "PCAResult",
    "PipelineOptions",
    "PipelineResult",
    "PipelineState",
    "PolisConversation",
    "PolisFormatError",
    "Repness",
    "RepresentativeStatement",
    "VoteMatrix",
    "adjusted_rand_index",
    "analyse",
    "build_vote_matrix",
    "choose_next_statement",
    "column_means",
    "impute",
    "kmeans",
    "load_polis_export",
    "load_polis_groups",
    "participants_in_conversation",
    "principal_components",
    "priorities",
    "representativeness",
    "run_pipeline",
    "silhouette",
    "smooth_k",
]
