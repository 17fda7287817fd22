# Reference values for test/stats/{frequentist,cuped,srm-holm,power,analysis}.test.ts (NumPy + SciPy 1.17.1).
# Run: python3 test/stats/references/tests.py — not used at test time; printed numbers are pasted into the tests.
import numpy as np
from scipy import stats as s
np.set_printoptions(precision=17)
R = lambda x: repr(float(x))
print("== Welch (R example data)")
ts1 = np.array([11,9,10,11,10,12,9,11,12,9.]); ts2 = np.array([11,13,10,13,12,9,11,12,12,11.])
r = s.ttest_ind(ts2, ts1, equal_var=False); ci = r.confidence_interval(0.95)
print("t", R(r.statistic), "p", R(r.pvalue), "df", R(r.df), "ci", R(ci.low), R(ci.high))
print("== two proportions")
for (xa, na, xb, nb) in [(200, 1000, 240, 1000), (14, 28, 16, 30), (1320, 10000, 1405, 10050)]:
    chi2, p, dof, _ = s.chi2_contingency([[xa, na-xa], [xb, nb-xb]], correction=False)
    pa, pb = xa/na, xb/nb
    se = np.sqrt(pa*(1-pa)/na + pb*(1-pb)/nb); q = s.norm.ppf(0.975)
    print((xa, na, xb, nb), "chi2", R(chi2), "z", R(np.sign(pb-pa)*np.sqrt(chi2)), "p", R(p), "ci", R(pb-pa-q*se), R(pb-pa+q*se))
print("== ratio (CTR clustered by user)")
rng = np.random.default_rng(20261128)
def arm(n, base):
    d = rng.poisson(4, n) + 1
    pu = np.clip(rng.beta(2, 2/base - 2, n), 0, 1)
    m = rng.binomial(d, pu)
    return m.astype(float), d.astype(float)
arms = [arm(1500, 0.10), arm(1480, 0.11)]
res = []
for m, d in arms:
    n = len(m); r_ = m.sum()/d.sum(); lin = (m - r_*d)/d.mean()
    v = np.var(lin, ddof=1)/n
    res.append((r_, v))
    print("sums n=%d sumM=%s sumD=%s sumM2=%s sumD2=%s sumMD=%s" % (n, R(m.sum()), R(d.sum()), R((m*m).sum()), R((d*d).sum()), R((m*d).sum())))
    print("  ratio", R(r_), "var(ratio) via linearisation", R(v), "naive exposure-level var", R(r_*(1-r_)/d.sum()))
diff = res[1][0]-res[0][0]; se = np.sqrt(res[0][1]+res[1][1])
print("abs diff", R(diff), "se", R(se), "z", R(diff/se), "p", R(2*s.norm.sf(abs(diff/se))), "ci", R(diff-s.norm.ppf(.975)*se), R(diff+s.norm.ppf(.975)*se))
print("== CUPED")
rng = np.random.default_rng(4242)
rows = []
for n, eff in [(500, 0.0), (520, 0.3)]:
    x = rng.gamma(2.0, 2.0, n)
    y = 2 + 0.8*x + rng.normal(0, 1.5, n) + eff
    rows.append((x, y))
xall = np.concatenate([r[0] for r in rows]); yall = np.concatenate([r[1] for r in rows])
theta = np.cov(yall, xall, ddof=1)[0,1]/np.var(xall, ddof=1); xbar = xall.mean()
print("theta", R(theta), "center", R(xbar))
adj = []
for x, y in rows:
    print("sums n=%d sum=%s sumSquares=%s preSum=%s preSumSquares=%s sumCross=%s" % (len(x), R(y.sum()), R((y*y).sum()), R(x.sum()), R((x*x).sum()), R((x*y).sum())))
    a = y - theta*(x - xbar); adj.append(a)
    print("  adjusted mean", R(a.mean()), "adjusted var of mean", R(np.var(a, ddof=1)/len(a)), "unadjusted var of mean", R(np.var(y, ddof=1)/len(y)))
r = s.ttest_ind(adj[1], adj[0], equal_var=False); ci = r.confidence_interval(0.95)
print("welch on adjusted rows t", R(r.statistic), "p", R(r.pvalue), "df", R(r.df), "ci", R(ci.low), R(ci.high))
r = s.ttest_ind(rows[1][1], rows[0][1], equal_var=False); ci = r.confidence_interval(0.95)
print("welch unadjusted t", R(r.statistic), "p", R(r.pvalue), "ci", R(ci.low), R(ci.high))
print("== SRM")
for obs, w in [([50100, 49900], [1, 1]), ([821588, 815482], [1, 1]), ([3378, 3200, 3422], [1, 1, 1]), ([1043, 8957], [1, 9]), ([5120, 4880, 19850], [0.25, 0.25, 1.0])]:
    exp = np.array(w)/np.sum(w)*np.sum(obs)
    c = s.chisquare(obs, exp)
    print(obs, w, "chi2", R(c.statistic), "p", R(c.pvalue))
print("== power (formula, unequal allocation k=2)")
p1, p2, k, a, pw = 0.10, 0.12, 2.0, 0.05, 0.8
pbar = (p1 + k*p2)/(1+k); za = s.norm.ppf(1-a/2); zb = s.norm.ppf(pw)
n = (za*np.sqrt(pbar*(1-pbar)*(1+1/k)) + zb*np.sqrt(p1*(1-p1)+p2*(1-p2)/k))**2/(p2-p1)**2
print("prop n_control", R(n))
# means t-test, k=2, sd=3, delta=0.5: solve with nct
from scipy.optimize import brentq
def pw_t(nA, d=0.5, sd=3.0, k=2.0, a=0.05):
    nB = k*nA; df = nA+nB-2; ncp = d/(sd*np.sqrt(1/nA+1/nB)); c = s.t.ppf(1-a/2, df)
    return s.nct.sf(c, df, ncp)
print("mean n_control", R(brentq(lambda n: pw_t(n)-0.8, 3, 1e5, xtol=1e-12)))
print("R power.t.test(n=20, delta=1) via nct", R(s.nct.sf(s.t.ppf(0.975, 38), 38, np.sqrt(10))))
print("R power.prop.test(n=50,p1=.5,p2=.75) via formula", R(s.norm.cdf((np.sqrt(50)*0.25 - s.norm.ppf(0.975)*np.sqrt(1.25*(1-0.625)))/np.sqrt(.25+.1875))))
