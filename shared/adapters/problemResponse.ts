import type { HttpResponseInit } from "@azure/functions";
import type { Refusal } from "../domain/outcomes";

/**
 * Every stable `code` a function's problem+json answer can carry. The host's own answers (no such route,
 * wrong method, missing function key) are not here: in Azure the Functions host gives them, and the local
 * host mimics them in `dev/hostProblem.ts`.
 */
export type ProblemCode =
  | Refusal["code"]
  | "INVALID_REQUEST"
  | "MALFORMED_JSON"
  | "PAYLOAD_TOO_LARGE"
  | "HANDOFF_TOO_LARGE"
  | "IF_MATCH_REQUIRED"
  | "UNAUTHENTICATED"
  | "INSUFFICIENT_SCOPE"
  | "VERIFY_THROTTLED"
  | "STORAGE_UNAVAILABLE"
  | "IDENTITY_UNAVAILABLE"
  | "INTERNAL_ERROR";

/** The one place where a problem code becomes an HTTP status and a title. */
export function problemStatus(code: ProblemCode): { status: number; title: string } {
  switch (code) {
    case "INVALID_REQUEST":
      return { status: 400, title: "The request is not valid" };
    case "LIFETIME_TOO_LONG":
      return { status: 400, title: "The lifetime is longer than allowed" };
    case "INVALID_CONTINUATION":
      return { status: 400, title: "The continuation is not valid" };
    case "MALFORMED_JSON":
      return { status: 400, title: "The request body is not valid JSON" };
    case "UNAUTHENTICATED":
      return { status: 401, title: "Authentication required" };
    case "FORBIDDEN":
      return { status: 403, title: "Not allowed" };
    case "INSUFFICIENT_SCOPE":
      return { status: 403, title: "The access token lacks the required scope" };
    case "SELF_SERVICE_ONLY":
      return { status: 403, title: "Only the owner can create app passwords" };
    case "APP_PASSWORDS_DISABLED":
      return { status: 403, title: "App passwords are turned off" };
    case "APP_PASSWORD_NOT_FOUND":
      return { status: 404, title: "App password not found" };
    case "USER_NOT_FOUND":
      return { status: 404, title: "User not found" };
    case "REGISTRATION_REQUIRED":
      return { status: 409, title: "Register for two-step verification first" };
    case "APP_PASSWORD_LIMIT_REACHED":
      return { status: 409, title: "App password limit reached" };
    case "LOGIN_NAME_IN_USE":
      return { status: 409, title: "The login name belongs to another account" };
    case "LOGIN_NAME_NOT_FOUND":
      return { status: 404, title: "Login name not found" };
    case "POLICY_CHANGED":
      return { status: 412, title: "Someone else changed the policy first" };
    case "IF_MATCH_REQUIRED":
      return { status: 428, title: "Send If-Match with the policy's ETag" };
    case "PAYLOAD_TOO_LARGE":
      return { status: 413, title: "The request body is too large" };
    case "HANDOFF_TOO_LARGE":
      return { status: 413, title: "The hand-off is too large" };
    case "HANDOFF_NOT_FOUND":
      return { status: 404, title: "Hand-off not found, used or expired" };
    case "HANDOFF_LIMIT_REACHED":
      return { status: 429, title: "Too many unread hand-offs" };
    case "VERIFY_THROTTLED":
      return { status: 429, title: "Too many failed attempts" };
    case "INTERNAL_ERROR":
      return { status: 500, title: "Internal error" };
    case "CONTENTION":
      return { status: 503, title: "Busy, try again" };
    case "STORAGE_UNAVAILABLE":
      return { status: 503, title: "Storage unavailable, try again later" };
    case "IDENTITY_UNAVAILABLE":
      return { status: 503, title: "Token issuer unavailable, try again later" };
    default: {
      const unknown: never = code;
      throw new Error(`No status for problem code ${String(unknown)}`);
    }
  }
}

/** Headers on every answer: nothing here may be cached, and nothing sniffed as another content type. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
};

export interface ProblemExtras {
  /** Offending fields, for 400 answers. */
  readonly errors?: readonly { readonly field: string; readonly message: string }[];
  readonly retryAfterSeconds?: number;
  /** Extra response headers, such as `WWW-Authenticate`. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly [member: string]: unknown;
}

/** What identifies a problem: its stable code, and the HTTP status and title that go with it. */
export interface ProblemKind {
  readonly code: string;
  readonly status: number;
  readonly title: string;
}

/** An RFC 9457 problem+json answer of any kind: the one shape every problem answer has. */
export function problemAnswer(kind: ProblemKind, detail: string, extras: ProblemExtras = {}): HttpResponseInit {
  const { code, status, title } = kind;
  const { retryAfterSeconds, headers, ...members } = extras;
  const body = {
    type: `urn:app-passwords:problem:${code.toLowerCase().replace(/_/g, "-")}`,
    title,
    status,
    detail,
    code,
    ...members,
  };
  return {
    status,
    headers: {
      ...BASE_HEADERS,
      "Content-Type": "application/problem+json",
      ...(retryAfterSeconds !== undefined && { "Retry-After": String(retryAfterSeconds) }),
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

/** A function's RFC 9457 problem+json answer with a stable `code`. */
export function problemResponse(code: ProblemCode, detail: string, extras: ProblemExtras = {}): HttpResponseInit {
  return problemAnswer({ code, ...problemStatus(code) }, detail, extras);
}

/** The problem answer for a domain refusal. */
export function refusalResponse(refusal: Refusal): HttpResponseInit {
  switch (refusal.code) {
    case "APP_PASSWORD_LIMIT_REACHED":
      return problemResponse(refusal.code, refusal.detail, { limit: refusal.limit });
    case "LIFETIME_TOO_LONG":
      return problemResponse(refusal.code, refusal.detail, {
        maxDays: refusal.maxDays,
        errors: [{ field: "expiresInDays", message: `must be at most ${refusal.maxDays}` }],
      });
    case "INVALID_CONTINUATION":
      return problemResponse(refusal.code, refusal.detail, {
        errors: [{ field: "continuation", message: "must be a continuation this endpoint handed out" }],
      });
    case "CONTENTION":
      return problemResponse(refusal.code, refusal.detail, { retryAfterSeconds: 1 });
    case "HANDOFF_LIMIT_REACHED":
      return problemResponse(refusal.code, refusal.detail, {
        limit: refusal.limit,
        retryAfterSeconds: refusal.retryAfterSeconds,
      });
    default:
      return problemResponse(refusal.code, refusal.detail);
  }
}

/**
 * A path of this API with every interpolated value percent-encoded as one path segment, for headers such as
 * `Location`. A route value is whatever the caller sent (a login name in any script, or with `/`, `?`, `#` or
 * `%` in it): raw, it would make the header throw (header values are Latin-1) after the work was done, or
 * name another resource.
 */
export function apiPath(strings: TemplateStringsArray, ...segments: readonly string[]): string {
  return strings.reduce((path, text, index) => {
    const segment = segments[index - 1];
    return path + (segment === undefined ? "" : encodeURIComponent(segment)) + text;
  });
}

/** A JSON answer. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status,
    headers: { ...BASE_HEADERS, "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}
