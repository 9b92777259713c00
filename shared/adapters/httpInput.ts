import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { z } from "zod";
import type { Principal } from "../domain/principal";
import { problemResponse, refusalResponse, type ProblemCode } from "./problemResponse";
import type { Services } from "../services";

/** Parsed input, or the problem answer that explains what is wrong with it. */
export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly response: HttpResponseInit };

/** Largest request body accepted. */
export const MAX_BODY_BYTES = 16 * 1024;

const invalid = (issues: readonly z.core.$ZodIssue[], root: string): Parsed<never> => {
  const errors = issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join(".") : root,
    message: issue.message,
  }));
  const fields = [...new Set(errors.map((error) => error.field))].join(", ");
  return { ok: false, response: problemResponse("INVALID_REQUEST", `Invalid ${fields}.`, { errors }) };
};

/** A smaller limit than {@link MAX_BODY_BYTES} for one endpoint, and the problem that refuses a larger body. */
export interface BodyLimit {
  readonly bytes: number;
  readonly problem: ProblemCode;
}

/**
 * Reads a JSON body of at most 16 KiB (or `limit`) and validates it. An empty body counts as `{}` when
 * `emptyAllowed`.
 */
export async function readJsonBody<S extends z.ZodType>(
  request: HttpRequest,
  schema: S,
  {
    emptyAllowed = false,
    limit = { bytes: MAX_BODY_BYTES, problem: "PAYLOAD_TOO_LARGE" },
  }: { emptyAllowed?: boolean; limit?: BodyLimit } = {},
): Promise<Parsed<z.infer<S>>> {
  const tooLarge = {
    ok: false,
    response: problemResponse(limit.problem, `The body must be at most ${limit.bytes} bytes.`),
  } as const;
  if (Number(request.headers.get("content-length") ?? 0) > limit.bytes) return tooLarge;
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > limit.bytes) return tooLarge;
  const text = bytes.toString("utf8");
  let json: unknown = {};
  if (text.trim() !== "" || !emptyAllowed) {
    try {
      json = JSON.parse(text);
    } catch {
      return {
        ok: false,
        response: problemResponse("MALFORMED_JSON", "The body must be a JSON object.", {
          errors: [{ field: "body", message: "not valid JSON" }],
        }),
      };
    }
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : invalid(parsed.error.issues, "body");
}

/** Validates the route parameters. */
export function readRouteParams<S extends z.ZodType>(request: HttpRequest, schema: S): Parsed<z.infer<S>> {
  const parsed = schema.safeParse(request.params);
  return parsed.success ? { ok: true, value: parsed.data } : invalid(parsed.error.issues, "route");
}

/** Validates the query string. */
export function readQuery<S extends z.ZodType>(request: HttpRequest, schema: S): Parsed<z.infer<S>> {
  const parsed = schema.safeParse(Object.fromEntries(request.query.entries()));
  return parsed.success ? { ok: true, value: parsed.data } : invalid(parsed.error.issues, "query");
}

/**
 * The user id a route's `{user}` names for this caller: `me`, an object id, or (for an administrator) a
 * login name; the problem answer when it names nobody or someone the caller may not name.
 */
export async function targetUser(services: Services, caller: Principal, user: string): Promise<Parsed<string>> {
  const outcome = await services.appPasswords.resolveUser(caller, user);
  return outcome.code === "RESOLVED"
    ? { ok: true, value: outcome.userId }
    : { ok: false, response: refusalResponse(outcome) };
}

/** The signed-in person, from the bearer token. */
export async function authenticate(services: Services, request: HttpRequest): Promise<Parsed<Principal>> {
  const outcome = await services.validateToken(request.headers.get("authorization"));
  if (outcome.code === "AUTHENTICATED") return { ok: true, value: outcome.principal };
  if (outcome.code === "INSUFFICIENT_SCOPE") {
    return {
      ok: false,
      response: problemResponse("INSUFFICIENT_SCOPE", outcome.detail, {
        headers: { "WWW-Authenticate": `Bearer error="insufficient_scope", scope="${outcome.requiredScope}"` },
      }),
    };
  }
  return {
    ok: false,
    response: problemResponse("UNAUTHENTICATED", outcome.detail, { headers: { "WWW-Authenticate": "Bearer" } }),
  };
}
