"""The "not sure" threshold of both models: the largest coverage whose confident errors stay ≤ 2 %.

A classifier of ten classes always names one of the ten; below a threshold on its confidence (the
CNN's top-1 probability, the SVM's margin) the site answers "not sure" instead. That is *selective
classification* (Chow 1970, "On optimum recognition error and reject tradeoff"; Geifman &
El-Yaniv 2017, "Selective classification for deep neural networks"): for a threshold ``t``,

* **coverage** ``φ(t)`` = share of the answers with confidence ≥ ``t`` (the "sure" ones);
* **risk** ``r(t)`` = share of those sure answers that are wrong — the *confident errors*.

The rule, the same for both models and stated before any result was looked at: the **lowest
threshold (the largest coverage) whose risk on the validation images is at most**
``MAX_RISK`` = 2 %. The validation images are the validation split as stored and in photo-like
copies (procedural backgrounds), since the site answers both sprites and phone pictures; the
split holds Gen-V frames and other drawing styles, whole poses and generations kept apart from
training (`export.split`). Nothing else chooses it: the leave-one-generation-out diagnostic, the
test split and the test sets stay clean measurements, and the pictures of no Pokémon at all
(``data/not-pokemon``) check the result; they never choose it.
"""

from __future__ import annotations


import numpy as np

from pyodemo import classify

#: The highest share of wrong answers among the "sure" ones on validation.
MAX_RISK = 0.02
#: How the training logs state the rule.
RULE = (f"the lowest threshold (largest coverage) whose confident-error rate (wrong among the sure "
        f"answers) is <= {MAX_RISK:.0%} on the validation images (export.threshold)")


def risk_coverage(confidence: np.ndarray, correct: np.ndarray, threshold: float) -> tuple[float, float]:
    """``(coverage, risk)`` at *threshold*: the share answered sure, the share of those that are wrong.

    >>> risk_coverage(np.array([0.9, 0.8, 0.7, 0.6]), np.array([True, True, False, True]), 0.7)
    (0.75, 0.3333333333333333)
    """
    confidence, correct = np.asarray(confidence, float), np.asarray(correct, bool)
    sure = confidence >= threshold
    if not sure.any():
        return 0.0, 0.0
    return float(sure.mean()), float((~correct[sure]).mean())


def choose_threshold(confidence: np.ndarray, correct: np.ndarray, max_risk: float = MAX_RISK) -> float:
    """The lowest threshold whose risk is ≤ *max_risk*: the largest coverage (the rule is written once, in
    :func:`pyodemo.classify.choose_threshold`, which the browser's "Teach it" uses too). It is one of the
    answers' own confidences, kept exactly (a rounded value could let in one more wrong answer).

    *confidence*: one number per validation answer (higher: surer); *correct*: whether it was right.
    The risk curve need not fall as the threshold rises; the rule takes the largest coverage that
    meets the bound, wherever it lies. With no such threshold, nothing is sure.

    Sure from 0.6 on: four answers, one wrong (25 %); from 0.5 on, two of five would be wrong:

    >>> choose_threshold(np.array([0.9, 0.8, 0.7, 0.6, 0.5]), np.array([True, True, False, True, False]), 0.25)
    0.6
    >>> choose_threshold(np.array([0.5, 0.9]), np.array([True, True]))  # no error at all: everything sure
    0.5
    >>> choose_threshold(np.array([0.3, 0.9]), np.array([False, False]))  # never right: above every answer
    0.9000000000000001
    """
    return classify.choose_threshold(np.asarray(confidence, float).tolist(), np.asarray(correct, bool).tolist(), max_risk)
