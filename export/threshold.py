"""The "not sure" threshold of both models: keep 95 % of the right answers on the validation split.

A classifier of ten classes always names one of the ten; below a threshold on its confidence (the
CNN's top-1 probability, the SVM's margin) the site answers "not sure" instead. Both models choose
it by the same rule, on the validation images only — as stored and on generated backgrounds, since
the site answers both sprites and phone pictures: the highest threshold that still keeps
``KEEP`` of the *correct* validation answers. Pictures that are no Pokémon at all
(``data/not-pokemon``) check the result; they never choose it.

A rule on the right answers alone, rather than one that trades right against wrong answers: the
validation split holds only the ten Pokémon, so a trade-off there has no reason to doubt anything
(with the SVM's near-perfect validation scores it kept 99 % and let 81 % of the not-Pokémon
pictures through).
"""

from __future__ import annotations

import math

import numpy as np

#: The share of the correct validation answers that stay "sure".
KEEP = 0.95


def choose_threshold(confidence: np.ndarray, correct: np.ndarray, keep: float = KEEP) -> float:
    """The largest threshold (rounded down to 0.001) that keeps ≥ *keep* of the correct answers.

    *confidence*: one number per validation answer (higher: surer); *correct*: whether it was right.

    >>> choose_threshold(np.array([0.5, 0.9, 0.95, 0.99]), np.array([True, True, True, True]), 0.75)
    0.9
    >>> choose_threshold(np.array([-0.2, 0.31, 0.8, 2.5, 9.0]), np.array([False, True, True, True, True]), 0.75)
    0.8
    """
    p = np.sort(np.asarray(confidence, float)[np.asarray(correct, bool)])
    if len(p) == 0:
        return 0.0
    t = math.floor(float(p[int(math.floor((1 - keep) * len(p)))]) * 1000) / 1000
    while (p >= t).mean() < keep:  # floating point: never keep less than asked
        t = round(t - 0.001, 3)
    return t
