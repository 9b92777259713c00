import type { HttpResponseInit } from "@azure/functions";
import { problemAnswer, type ProblemExtras } from "../shared/adapters/problemResponse";

/**
 * The answers the local host gives on its own, before any function runs. In Azure the Functions host (or the
 * platform's front end, for a request that is not valid HTTP or too slow to arrive) gives them, so no function
 * emits these codes.
 */
export type HostProblemCode =
  "NOT_FOUND" | "METHOD_NOT_ALLOWED" | "INVALID_FUNCTION_KEY" | "REQUEST_TIMEOUT" | "HEADERS_TOO_LARGE";

const HOST_PROBLEMS: Readonly<Record<HostProblemCode, { readonly status: number; readonly title: string }>> = {
  NOT_FOUND: { status: 404, title: "Not found" },
  METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed" },
  INVALID_FUNCTION_KEY: { status: 401, title: "A valid function key is required" },
  REQUEST_TIMEOUT: { status: 408, title: "The request took too long to arrive" },
  HEADERS_TOO_LARGE: { status: 431, title: "The request headers are too large" },
};

/** The local host's own problem+json answer, shaped like every function's. */
export function hostProblem(code: HostProblemCode, detail: string, extras: ProblemExtras = {}): HttpResponseInit {
  return problemAnswer({ code, ...HOST_PROBLEMS[code] }, detail, extras);
}
