/** Order statistics of one measured operation, in milliseconds. */
export interface Summary {
  readonly n: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** Median (mean of the two middle values for even n) and nearest-rank p99 of `samples`. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { n, medianMs: Number.NaN, p99Ms: Number.NaN, minMs: Number.NaN, maxMs: Number.NaN };
  const at = (index: number) => sorted[Math.min(n - 1, Math.max(0, index))] ?? Number.NaN;
  const middle = Math.floor(n / 2);
  return {
    n,
    medianMs: n % 2 === 1 ? at(middle) : (at(middle - 1) + at(middle)) / 2,
    p99Ms: at(Math.ceil(0.99 * n) - 1),
    minMs: at(0),
    maxMs: at(n - 1),
  };
}

/** The median of plain numbers (throughputs, cold-start times). */
export function median(values: readonly number[]): number {
  return summarize(values).medianMs;
}
