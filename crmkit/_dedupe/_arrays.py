"""The NumPy array types of duplicate detection, each defined once for every module.

Two float types, because two kinds of numbers are computed:

- :data:`SimilarityArray` (float32): string similarities in 0..1. rapidfuzz computes them in
  float32 (``process.cpdist(..., dtype=np.float32)``) and they stay so: they are only cut
  at thresholds and shown (``close 0.93``). Half the memory of float64 over millions of
  candidate pairs, and the levels and explanations depend on these exact values.
- :data:`FloatArray` (float64): what the model computes: ``m``, ``u``, weights in bits,
  match weights and probabilities. Explanations sum the weights to the match weight.

The integer types: :data:`IntArray` row numbers of records and pairs (int64, or int32
where millions of candidate pairs are held: 4 bytes a row number instead of 8),
:data:`CodeArray` (int32) codes of normalised values (``-1``: null), :data:`LevelArray`
(int8) agreement levels (``-1``: null).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "BoolArray",
    "CodeArray",
    "FloatArray",
    "IntArray",
    "LevelArray",
    "ObjArray",
    "SimilarityArray",
]

IntArray = npt.NDArray[np.signedinteger[Any]]
CodeArray = npt.NDArray[np.int32]
LevelArray = npt.NDArray[np.int8]
SimilarityArray = npt.NDArray[np.float32]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjArray = npt.NDArray[np.object_]
