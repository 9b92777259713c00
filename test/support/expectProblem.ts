import { expect } from "vitest";
import type { CallResult } from "./serviceClient";

const STACK_TRACE = /\n\s+at |\bat .+\.(?:ts|js|mjs|cjs):\d+/;
const PROBLEM_CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/**
 * Asserts an RFC 9457 problem answer: the status, and the stable code when given (any SCREAMING_SNAKE code
 * otherwise); problem+json with the members every problem carries and `status` in line with the answer;
 * `nosniff`; and no stack trace.
 */
export function expectProblem(response: CallResult, status: number, code?: string) {
  expect({ status: response.status, code: response.json?.code }).toEqual({
    status,
    code: code ?? expect.stringMatching(PROBLEM_CODE),
  });
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.json).toMatchObject({ type: expect.any(String), title: expect.any(String), status });
  expect(typeof response.json.detail).toBe("string");
  expect(response.json.code).toMatch(PROBLEM_CODE);
  expect(response.json).not.toHaveProperty("stack");
  expect(response.text).not.toMatch(STACK_TRACE);
}

/** The fields a 400 answer names in `errors[].field`. */
export function fieldsOf(response: CallResult): string[] {
  const errors = (response.json?.errors ?? []) as { field: string }[];
  return errors.map((error) => error.field);
}

/** Asserts a 400 INVALID_REQUEST naming `field` among the offending fields. */
export function expectInvalid(response: CallResult, field: string) {
  expectProblem(response, 400, "INVALID_REQUEST");
  expect(fieldsOf(response)).toContain(field);
}

/**
 * Asserts what any answer to anything a client can send must be: not a 5xx, `nosniff`, and for a 4xx a
 * well-formed problem+json.
 */
export function expectClientSafeAnswer(response: CallResult) {
  expect(response.status, `never a 5xx for client input; got ${response.status} ${response.text}`).toBeLessThan(500);
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  if (response.status >= 400) expectProblem(response, response.status);
}
