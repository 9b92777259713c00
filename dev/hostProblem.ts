import type { HttpResponseInit } from "@azure/functions";
import { problemAnswer } from "../shared/adapters/problemResponse";

/**
 * The answers the local host gives on its own, before any function runs. In Azure the Functions host gives
 * them (a 404 or 405 page, a bare 401 for a missing key), so no function emits these codes.
 */
export type HostProblemCode = "NOT_FOUND" | "METHOD_NOT_ALLOWED" | "INVALID_FUNCTION_KEY";

const HOST_PROBLEMS: Readonly<Record<HostProblemCode, { readonly status: number; readonly title: string }>> = {
  NOT_FOUND: { status: 404, title: "Not found" },
  METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed" },
  INVALID_FUNCTION_KEY: { status: 401, title: "A valid function key is required" },
};

/** The local host's own problem+json answer, shaped like every function's. */
export function hostProblem(code: HostProblemCode, detail: string): HttpResponseInit {
  return problemAnswer({ code, ...HOST_PROBLEMS[code] }, detail);
}
