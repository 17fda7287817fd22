// Number formats of the experiment report's tables ("—" where there is no value).

export const pct = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(digits)}%`);
export const ms = (x: number | null) => (x === null ? "—" : `${x.toFixed(2)} ms`);
export const pValue = (p: number | null) => (p === null ? "—" : p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
export const usd = (x: number) => (x < 0.01 ? `$${x.toPrecision(2)}` : `$${x.toFixed(4)}`);
