import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  APP_PASSWORD_ALPHABET,
  appPasswordTag,
  generateAppPassword,
  normalizeAppPassword,
} from "../../../shared/domain/appPasswordSecret";

const DRAWS = 20_000;

/** How many times each letter a-z occurs in `passwords`. */
function letterCounts(passwords: readonly string[]): number[] {
  const counts = new Array<number>(26).fill(0);
  for (const password of passwords) {
    for (const letter of password) {
      const index = letter.charCodeAt(0) - 97;
      counts[index] = (counts[index] ?? 0) + 1;
    }
  }
  return counts;
}

/**
 * Whether letter counts look uniform: Pearson's chi-square under 100 (25 degrees of freedom; a uniform
 * source exceeds it with probability about 1e-10) and every letter within 6 standard deviations of its
 * expected count. Generous, so it never flakes, yet a modulo-biased source fails it by far.
 */
function looksUniform(counts: readonly number[]) {
  const total = counts.reduce((sum, count) => sum + count, 0);
  const expected = total / 26;
  const sigma = Math.sqrt(total * (1 / 26) * (25 / 26));
  const chiSquare = counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
  const worstDeviation = Math.max(...counts.map((count) => Math.abs(count - expected) / sigma));
  return { chiSquare, worstDeviation, uniform: chiSquare < 100 && worstDeviation < 6 };
}

/** The classic mistake: a random byte modulo 26, which favours a-v (256 = 9 * 26 + 22). */
function moduloBiasedPassword(): string {
  return [...randomBytes(16)].map((byte) => APP_PASSWORD_ALPHABET.charAt(byte % 26)).join("");
}

describe("generateAppPassword", () => {
  const passwords = Array.from({ length: DRAWS }, () => generateAppPassword());

  it("returns 16 lowercase letters a-z", () => {
    for (const password of passwords) expect(password).toMatch(/^[a-z]{16}$/);
  });

  it("never repeats itself over many draws", () => {
    expect(new Set(passwords).size).toBe(DRAWS);
  });

  it("uses every letter about equally often (no modulo bias)", () => {
    const counts = letterCounts(passwords);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(DRAWS * 16);
    expect(counts.every((count) => count > 0)).toBe(true);
    expect(looksUniform(counts)).toMatchObject({ uniform: true });
  });

  it("has a uniformity check that a byte % 26 generator fails", () => {
    const biased = letterCounts(Array.from({ length: DRAWS }, moduloBiasedPassword));
    const verdict = looksUniform(biased);
    expect(verdict.uniform).toBe(false);
    expect(verdict.chiSquare).toBeGreaterThan(200);
  });
});

describe("normalizeAppPassword", () => {
  it.each([
    ["as generated", "abcdefghijklmnop"],
    ["grouped with spaces", "abcd efgh ijkl mnop"],
    ["grouped with hyphens", "abcd-efgh-ijkl-mnop"],
    ["grouped with tabs", "abcd\tefgh\tijkl\tmnop"],
    ["in upper case", "ABCDEFGHIJKLMNOP"],
    ["capitalized by a phone keyboard", "Abcd efgh ijkl mnop"],
    ["mixed separators, case and padding", "  aBcD - EfGh\t\tijKL  mnop \n"],
  ])("returns the bare lowercase password when it is typed %s", (_, typed) => {
    expect(normalizeAppPassword(typed)).toBe("abcdefghijklmnop");
  });

  it("keeps characters that are not separators, so a different password stays different", () => {
    expect(normalizeAppPassword("abcd_efgh.ijkl/mnop")).toBe("abcd_efgh.ijkl/mnop");
  });

  it("returns an empty string for separators only", () => {
    expect(normalizeAppPassword(" - \t-")).toBe("");
  });
});

describe("appPasswordTag", () => {
  const alice = "9a3c2f1e-0b4d-4c5e-8f60-7a1b2c3d4e5f";
  const bob = "1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b";

  it("returns 8 lowercase hex digits", () => {
    expect(appPasswordTag(alice, "abcdefghijklmnop")).toMatch(/^[0-9a-f]{8}$/);
  });

  it("returns the same tag for the same user and password", () => {
    expect(appPasswordTag(alice, "abcdefghijklmnop")).toBe(appPasswordTag(alice, "abcdefghijklmnop"));
  });

  it("differs between users for the same password", () => {
    expect(appPasswordTag(alice, "abcdefghijklmnop")).not.toBe(appPasswordTag(bob, "abcdefghijklmnop"));
  });

  it("differs between passwords of the same user", () => {
    const tags = new Set(Array.from({ length: 1000 }, () => appPasswordTag(alice, generateAppPassword())));
    expect(tags.size).toBeGreaterThan(995);
    expect(appPasswordTag(alice, "abcdefghijklmnop")).not.toBe(appPasswordTag(alice, "abcdefghijklmnoq"));
  });
});
