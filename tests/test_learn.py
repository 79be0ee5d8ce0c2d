"""The fitting that calibrates the ranker, the sentence picker and abstention on data."""

from __future__ import annotations

import numpy as np

from tpm_assistant.learn import fit_listwise, fit_logistic


def test_listwise_fit_weights_the_informative_feature_and_ignores_noise():
    rng = np.random.default_rng(0)
    questions, candidates = 200, 20
    x = rng.standard_normal((questions, candidates, 2))
    positive = np.zeros((questions, candidates), dtype=bool)
    positive[np.arange(questions), np.argmax(x[:, :, 0] + 0.3 * rng.standard_normal((questions, candidates)), axis=1)] = True
    w = fit_listwise(x, np.ones_like(positive), positive)
    assert w[0] > 1.0 and abs(w[1]) < 0.3 * w[0]


def test_listwise_fit_respects_padding():
    x = np.zeros((1, 3, 1))
    x[0, :, 0] = [1.0, 0.0, 5.0]  # the padded third candidate would dominate if it counted
    valid = np.array([[True, True, False]])
    positive = np.array([[True, False, False]])
    assert fit_listwise(x, valid, positive)[0] > 0


def test_logistic_fit_separates_two_clouds_and_generalises():
    rng = np.random.default_rng(1)
    yes, no = rng.normal(1.0, 0.5, (300, 2)), rng.normal(-1.0, 0.5, (300, 2))
    w, b = fit_logistic(np.vstack([yes, no]), np.r_[np.ones(300), np.zeros(300)])
    fresh = np.vstack([rng.normal(1.0, 0.5, (100, 2)), rng.normal(-1.0, 0.5, (100, 2))])
    predicted = (fresh @ w + b) > 0
    assert (predicted == np.r_[np.ones(100, bool), np.zeros(100, bool)]).mean() > 0.95
