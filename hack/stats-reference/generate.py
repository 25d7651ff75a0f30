#!/usr/bin/env python3
"""Reference values for the compare judge's statistics (src/analysis/statistics/).

Run ONCE by a developer, never at test time; its output is committed as
test/unit/analysis/fixtures/statistics-reference.json and read by
test/unit/analysis/statistics-reference.test.ts.

    pip install scipy            # or: apt-get install -y python3-scipy
    python3 hack/stats-reference/generate.py
    npx prettier --write test/unit/analysis/fixtures/statistics-reference.json

What each block is:
- mannWhitney: scipy.stats.mannwhitneyu(canary, control, use_continuity=True,
  alternative='two-sided', method='asymptotic'); `u` is SciPy's statistic (U of the first
  sample, the canary), `p` its p-value. A NaN p-value is written as null.
- hodgesLehmann: SciPy has no Hodges-Lehmann interval, so it is computed here with NumPy from
  its textbook definition (Hollander & Wolfe, Nonparametric Statistical Methods, 3rd ed., 4.3):
  the estimate is the median of all canary_i - control_j; the interval at confidence c is
  [D(k), D(n1*n2 + 1 - k)] of the sorted differences D (1-based), with
  k = floor(n1*n2/2 - z * sqrt(n1*n2*(n1+n2+1)/12)), z = scipy.stats.norm.ppf(1 - (1-c)/2);
  k < 1 means the samples are too small for that confidence (both bounds null).
- fisher: scipy.stats.fisher_exact([[a, b], [c, d]], alternative='two-sided') p-value.
- normal: scipy.stats.norm.sf and norm.ppf, for the judge's normal distribution.
"""
import json
import math
import os

import numpy as np
import scipy
from scipy import stats

rng = np.random.default_rng(20261204)


def rounded(values, digits=3):
    return [round(float(v), digits) for v in values]


SAMPLE_CASES = [
    ("no overlap", [1, 2, 3, 4, 5], [6, 7, 8, 9, 10]),
    ("interleaved", [1.5, 3.5, 5.5, 7.5], [1, 2, 4, 6, 8, 9]),
    ("ties across samples", [1, 2, 2, 3, 3, 3], [2, 3, 3, 4, 4, 5]),
    ("n = 1 each, different", [1], [2]),
    ("n = 1 each, equal", [5], [5]),
    ("n = 1 against 10", [11], list(range(1, 11))),
    ("equal samples", [3.1, 4.7, 2.2, 9.9, 5.0, 6.4], [3.1, 4.7, 2.2, 9.9, 5.0, 6.4]),
    ("constant samples, different constants", [3, 3, 3, 3], [5, 5, 5, 5, 5]),
    ("constant samples, same constant", [2, 2, 2], [2, 2, 2, 2]),
    ("normal n 40 vs 35", rounded(rng.normal(100, 15, 40)), rounded(rng.normal(106, 15, 35))),
    ("heavy integer ties", rng.integers(0, 4, 30).tolist(), rng.integers(0, 4, 30).tolist()),
    ("kayenta#780 spikes", [100] * 7 + [1] * 3, [1] * 10),
    ("kayenta#426 sparse counts", [0, 1, 2, 0, 0, 1, 0, 0, 2, 0], [0] * 10),
    (
        "lognormal 200 vs 200, 25% slower",
        rounded(1.25 * rng.lognormal(math.log(100), 0.25, 200)),
        rounded(rng.lognormal(math.log(100), 0.25, 200)),
    ),
    ("negative values", [-3.5, -1.25, 0, 2.75, -0.5], [-4, -2.5, -2, -1, 0.5, -3]),
    ("3 against 20", [50, 52, 49], rounded(rng.normal(40, 5, 20))),
    ("one value differs", [7, 7, 7, 7, 8], [7, 7, 7, 7, 7]),
]

FISHER_CASES = [
    [[0, 10], [0, 10]],
    [[0, 0], [0, 0]],
    [[1, 0], [0, 1]],
    [[5, 5], [5, 5]],
    [[10, 0], [0, 10]],
    [[7, 3], [2, 8]],
    [[2, 98], [0, 100]],
    [[3, 2997], [0, 3000]],
    [[1, 999], [0, 1000]],
    [[30, 2970], [90, 2910]],
    [[50, 50], [40, 60]],
    [[100, 9900], [300, 9700]],
    [[500, 99500], [450, 99550]],
    [[0, 5], [3, 2]],
    [[12, 1988], [4, 1996]],
]

CONFIDENCES = [0.98, 0.95]


def nullable(x):
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def hodges_lehmann(x, y, confidence):
    d = np.sort(np.subtract.outer(np.asarray(x, float), np.asarray(y, float)).ravel())
    m = len(d)
    n1, n2 = len(x), len(y)
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    k = math.floor(n1 * n2 / 2 - z * math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12))
    lower, upper = (None, None) if k < 1 else (float(d[k - 1]), float(d[m - k]))
    return {"confidence": confidence, "k": k, "lower": lower, "upper": upper}


def main():
    out = {
        "generatedBy": "hack/stats-reference/generate.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "mannWhitney": [],
        "hodgesLehmann": [],
        "fisher": [],
        "normal": {"sf": [], "ppf": []},
    }
    for name, canary, control in SAMPLE_CASES:
        r = stats.mannwhitneyu(
            canary, control, use_continuity=True, alternative="two-sided", method="asymptotic"
        )
        out["mannWhitney"].append(
            {"name": name, "canary": canary, "control": control,
             "u": float(r.statistic), "p": nullable(r.pvalue)}
        )
        d = np.subtract.outer(np.asarray(canary, float), np.asarray(control, float)).ravel()
        out["hodgesLehmann"].append(
            {"name": name, "canary": canary, "control": control,
             "estimate": float(np.median(d)),
             "intervals": [hodges_lehmann(canary, control, c) for c in CONFIDENCES]}
        )
    for table in FISHER_CASES:
        r = stats.fisher_exact(table, alternative="two-sided")
        out["fisher"].append({"table": table, "p": float(r.pvalue)})
    for z in [-3, 0, 0.5, 1, 1.96, 2.5, 3.2, 5, 8.5, 10, 20, 37]:
        out["normal"]["sf"].append({"z": z, "sf": float(stats.norm.sf(z))})
    for p in [1e-12, 1e-6, 0.001, 0.01, 0.02425, 0.1, 0.5, 0.9, 0.97575, 0.99, 0.995, 0.999999]:
        out["normal"]["ppf"].append({"p": p, "ppf": float(stats.norm.ppf(p))})
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "test", "unit", "analysis", "fixtures",
                        "statistics-reference.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
