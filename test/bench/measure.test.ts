import { describe, expect, it } from "vitest";
import { summarize } from "../../bench/measure";

describe("bench statistics", () => {
  it("takes the middle value, or the mean of the two middle values", () => {
    expect(summarize([3, 1, 2]).medianMs).toBe(2);
    expect(summarize([4, 1, 3, 2]).medianMs).toBe(2.5);
  });

  it("takes p99 by nearest rank", () => {
    const samples = Array.from({ length: 200 }, (_, i) => 200 - i);
    expect(summarize(samples)).toMatchObject({ n: 200, p99Ms: 198, minMs: 1, maxMs: 200 });
  });

  it("answers NaN for no samples rather than a number", () => {
    expect(summarize([]).medianMs).toBeNaN();
  });
});
