# Reference values for test/stats/distributions.test.ts (SciPy 1.17.1). Run: python3 test/stats/references/distributions.py
# Not used at test time: the printed numbers are pasted into the tests.
from scipy import stats as s, special as sp
import math
print("normcdf", [repr(s.norm.cdf(z)) for z in [1.0, 1.96, -3.0, -5.0, -10.0, -37.0, 0.3]])
print("normppf", [repr(s.norm.ppf(p)) for p in [0.975, 0.95, 0.999, 0.5+1e-9, 1e-10, 1e-300, 0.02425, 0.3]])
print("tcdf", [repr(s.t.cdf(t, df)) for t, df in [(2.228, 10), (-1.8325, 17.9), (-4.0, 3), (-10.0, 2.5), (0.5, 5841.742032093565), (-12.0, 40), (1.0, 1)]])
print("tppf", [repr(s.t.ppf(p, df)) for p, df in [(0.975, 10), (0.975, 1), (0.995, 5), (0.95, 30), (0.975, 100), (0.975, 24.9), (0.975, 5841.742032093565), (1e-8, 4), (0.975, 3.3)]])
print("chi2sf", [repr(s.chi2.sf(x, df)) for x, df in [(3.841458820694124, 1), (18.307, 10), (0.4, 1), (22.77436884189436, 1), (200.0, 3), (5.0, 0.5)]])
print("chi2ppf", [repr(s.chi2.ppf(p, df)) for p, df in [(0.95, 1), (0.95, 10), (0.99, 3), (0.999, 1), (0.05, 7), (0.5, 100)]])
print("nct", [repr(s.nct.cdf(t, df, nc)) for t, df, nc in [(2.024394164, 38, 3.16227766), (1.0, 10, -2.0), (-1.5, 12, 1.0), (2.0, 30, 0.0), (3.0, 200, 8.0), (1.96, 1e5, 2.8)]])
print("gammainc", [repr(sp.gammainc(a, x)) for a, x in [(0.5, 0.1), (3.0, 2.5), (10.0, 30.0), (100.0, 90.0)]])
print("gammaincc", [repr(sp.gammaincc(a, x)) for a, x in [(0.5, 50.0), (3.0, 2.5), (10.0, 30.0)]])
print("betainc", [repr(sp.betainc(a, b, x)) for a, b, x in [(0.5, 5.0, 0.2), (2.0, 3.0, 0.4), (50.0, 0.5, 0.98), (1e4, 0.5, 0.9999)]])
print("lgamma", [repr(math.lgamma(x)) for x in [0.5, 1.0, 10.0, 100.0, 0.01, 1e6]])
print("betaln", [repr(sp.betaln(a, b)) for a, b in [(0.5, 1e7), (3, 4), (25.5, 400.0)]])
print("t large df", repr(s.t.cdf(-2, 2e7)), repr(s.t.ppf(0.975, 2e7)))
print("norm.ppf(0.9)", repr(s.norm.ppf(0.9)))
import numpy as np
x = np.array([11, 9, 10, 11, 10, 12, 9, 11, 12, 9.])
print("sample mean/var (sufficient.test.ts)", repr(x.mean()), repr(np.var(x, ddof=1)), repr(np.var(x, ddof=1) / len(x)))
