import { expect } from "vitest";
import type { CallResult } from "../support/testService";

const STACK_TRACE = /\n\s+at |\bat .+\.(?:ts|js|mjs|cjs):\d+/;
const PROBLEM_CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/**
 * Asserts an RFC 9457 problem answer with the given status and stable code: problem+json, the members every
 * problem carries, `nosniff`, and no stack trace.
 */
export function expectProblemAnswer(response: CallResult, status: number, code?: string) {
  expect({ status: response.status, code: response.json?.code }).toEqual({
    status,
    code: code ?? expect.stringMatching(PROBLEM_CODE),
  });
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.json).toMatchObject({ type: expect.any(String), title: expect.any(String), status });
  expect(typeof response.json.detail).toBe("string");
  expect(response.json).not.toHaveProperty("stack");
  expect(response.text).not.toMatch(STACK_TRACE);
}

/**
 * Asserts what any answer to anything a client can send must be: not a 5xx, `nosniff`, and for a 4xx a
 * well-formed problem+json.
 */
export function expectClientSafeAnswer(response: CallResult) {
  expect(response.status, `never a 5xx for client input; got ${response.status} ${response.text}`).toBeLessThan(500);
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  if (response.status >= 400) expectProblemAnswer(response, response.status);
}
