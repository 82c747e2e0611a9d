"""Consolidation: combine several workers' answers into one label with a confidence (pure: numpy, scipy).

Classification aggregators share one estimator shape: hyperparameters in the constructor,
``fit(answers) -> self``, learned state in trailing-underscore attributes.
"""

from crowdform.consolidation.answers import CategoricalAnswers, MultiLabelAnswers
from crowdform.consolidation.aws_dawid_skene import AwsDawidSkene
from crowdform.consolidation.dawid_skene import DawidSkene
from crowdform.consolidation.glad import Glad
from crowdform.consolidation.majority_vote import MajorityVote
from crowdform.consolidation.multi_label import MultiLabelDawidSkene
from crowdform.consolidation.one_coin import OneCoinDawidSkene

__all__ = [
    "AwsDawidSkene",
    "CategoricalAnswers",
    "DawidSkene",
    "Glad",
    "MajorityVote",
    "MultiLabelAnswers",
    "MultiLabelDawidSkene",
    "OneCoinDawidSkene",
]

# Geometric task types (boxes, keypoints, polygons, masks, entities) and verification/adjustment.
from crowdform.consolidation.boxes import BoxConsolidator  # noqa: E402
from crowdform.consolidation.keypoints import KeypointConsolidator  # noqa: E402
from crowdform.consolidation.masks import (  # noqa: E402
    labels_from_rgb,
    rgb_from_labels,
    vote_mask,
)
from crowdform.consolidation.polygons import PolygonConsolidator  # noqa: E402
from crowdform.consolidation.spans import SpanConsolidator  # noqa: E402
from crowdform.consolidation.verification import LabelVerification, adjusted_objects, adjustment_status  # noqa: E402

__all__ += [
    "BoxConsolidator",
    "KeypointConsolidator",
    "LabelVerification",
    "PolygonConsolidator",
    "SpanConsolidator",
    "adjusted_objects",
    "adjustment_status",
    "labels_from_rgb",
    "rgb_from_labels",
    "vote_mask",
]
