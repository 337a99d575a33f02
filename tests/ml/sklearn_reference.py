"""Reference values from scikit-learn for tests/ml/sklearn_reference_test.cpp.

Prints one JSON object: the fixed inputs (so the C++ test uses exactly the same numbers) and what
MinMaxScaler, chi2, SelectKBest(k=20) and the classification metrics return for them.
Exit code 3 means scikit-learn is not installed (the C++ test then skips).
"""
import json
import sys

try:
    import numpy as np
    from sklearn.feature_selection import SelectKBest, chi2
    from sklearn.metrics import (accuracy_score, f1_score, precision_score, recall_score,
                                 roc_auc_score)
    from sklearn.preprocessing import MinMaxScaler
except ImportError as e:  # pragma: no cover
    print(f"scikit-learn unavailable: {e}", file=sys.stderr)
    sys.exit(3)

rng = np.random.default_rng(20261128)
n_train, n_features = 40, 30
x = rng.uniform(0, 10, size=(n_train, n_features)).round(3)
x[:, 1] = 7.0                                  # constant column: range 0 is treated as 1
x[:, 4] = rng.integers(0, 2, n_train)          # boolean column
x[:, 5] = x[:, 4]                              # identical columns: tied chi2 scores
x[:, 9] = rng.integers(0, 2, n_train) * 1e-3   # tiny values
x[:, 29] = x[:, 28]                            # another tie
y = (x[:, 0] + 3 * x[:, 4] + rng.normal(0, 2, n_train) > 8).astype(int)

x_test = rng.uniform(-2, 12, size=(7, n_features)).round(3)  # outside the fitted range too

scaler = MinMaxScaler().fit(x)
xs = scaler.transform(x)
scores, _ = chi2(xs, y)
support = SelectKBest(chi2, k=20).fit(xs, y).get_support(indices=True)

def nan_to_none(values):
    return [None if np.isnan(v) else float(v) for v in values]

def metric_case(scores, labels):
    scores = np.asarray(scores, dtype=np.float32).astype(np.float64)
    labels = np.asarray(labels, dtype=int)
    pred = (scores > 0.5).astype(int)
    return {
        "scores": scores.tolist(),
        "labels": labels.tolist(),
        "acc": accuracy_score(labels, pred),
        "pre": precision_score(labels, pred, zero_division=0),
        "rec": recall_score(labels, pred, zero_division=0),
        "f1": f1_score(labels, pred, zero_division=0),
        "auc": roc_auc_score(labels, scores),
    }

cases = [
    metric_case(rng.uniform(0, 1, 50), rng.integers(0, 2, 50)),
    # ties across classes and a score exactly at the threshold (not a positive prediction)
    metric_case([0.5, 0.5, 0.2, 0.2, 0.9, 0.9, 0.9, 0.1, 0.7, 0.5], [1, 0, 0, 1, 1, 1, 0, 0, 1, 0]),
    # nothing predicted positive: precision and F1 are 0 by zero_division=0
    metric_case([0.1, 0.4, 0.3, 0.2, 0.45], [0, 1, 0, 1, 0]),
]

def select_case(scores, k):
    fixed = np.asarray(scores, dtype=np.float64)
    chosen = SelectKBest(lambda X, y: fixed, k=k).fit(np.zeros((2, len(fixed))), [0, 1])
    return {"scores": nan_to_none(fixed), "k": k, "selected": chosen.get_support(indices=True).tolist()}

select_cases = [
    select_case([1.0, 3.0, 3.0, 2.0, 3.0, 0.5], 2),         # three-way tie across the cut
    select_case([float("nan"), 0.0, 1.0, float("nan"), 1.0], 3),  # NaN ranks below 0
    select_case([2.0] * 6, 4),
]

print(json.dumps({
    "x": x.tolist(),
    "y": y.tolist(),
    "x_test": x_test.tolist(),
    "data_min": scaler.data_min_.tolist(),
    "data_max": scaler.data_max_.tolist(),
    "scale": scaler.scale_.tolist(),
    "offset": scaler.min_.tolist(),
    "x_scaled": xs.tolist(),
    "x_test_scaled": scaler.transform(x_test).tolist(),
    "chi2": nan_to_none(scores),
    "selected": support.tolist(),
    "metric_cases": cases,
    "select_cases": select_cases,
}))
