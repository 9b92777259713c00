import type { HttpFunctionOptions, HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { z } from "zod";
import type { Refusal } from "../domain/outcomes";
import type { Principal } from "../domain/principal";
import type { Services, ServicesProvider } from "../services";
import { handleErrors } from "./handleErrors";
import { authenticate, readJsonBody, readQuery, readRouteParams, targetUser, type BodyLimit } from "./httpInput";
import {
  BASE_HEADERS,
  jsonResponse,
  problemResponse,
  refusalResponse,
  type ProblemCode,
  type ProblemExtras,
} from "./problemResponse";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Who may call: a person's bearer token (with the API's scope), the Functions host's function key, or anyone. */
export type Caller = "bearer" | "functionKey" | "anonymous";

/** A success status's description and, when it has a body, the body's schema. */
export interface Answer {
  readonly description: string;
  readonly schema?: z.ZodType;
}

type Answers = Readonly<Record<number, Answer>>;

/** A success the handler answers: a status the definition declares, with a body its schema types. */
export type Reply<A extends Answers> = {
  [S in keyof A & number]: {
    readonly status: S;
    readonly headers?: Readonly<Record<string, string>>;
  } & (A[S] extends { readonly schema: infer T extends z.ZodType }
    ? { readonly body: z.input<T> }
    : { readonly body?: undefined });
}[keyof A & number];

/** A problem the handler answers itself (not a domain refusal), such as verify's 429. */
export interface Problem {
  readonly problem: Exclude<ProblemCode, Refusal["code"]>;
  readonly detail: string;
  readonly extras?: ProblemExtras;
}

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler receives: the input parsed by the definition's schemas, the caller, the target and services. */
export interface EndpointInput<P, Q, B, C extends Caller> {
  readonly request: HttpRequest;
  readonly context: InvocationContext;
  readonly services: Services;
  readonly params: Output<P>;
  readonly query: Output<Q>;
  readonly body: Output<B>;
  /** The signed-in person (bearer endpoints). */
  readonly caller: C extends "bearer" ? Principal : undefined;
  /** The user id the route's `{user}` names for this caller (routes with `{user}`). */
  readonly target: Output<P> extends { readonly user: string } ? string : undefined;
}

/** One endpoint: everything its function, the OpenAPI document and the page's client need. */
export interface EndpointDefinition<
  A extends Answers,
  P extends z.ZodObject | undefined,
  Q extends z.ZodObject | undefined,
  B extends z.ZodType | undefined,
  C extends Caller,
> {
  /** The function's name: its file's, and the OpenAPI operation id. */
  readonly name: string;
  readonly method: Method;
  /** The Functions route, under `/api` (`{id?}` is an optional last segment). */
  readonly route: string;
  readonly summary: string;
  readonly caller: C;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** Whether a body must be sent; without (false), an empty body reads as `{}`. Default true. */
  readonly bodyRequired?: boolean;
  /** A limit below the 16 KiB every body has, and the problem that refuses a larger one. */
  readonly bodyLimit?: BodyLimit;
  /** Success statuses and their bodies. */
  readonly answers: A;
  /** Whether it reads or writes Table Storage (default true), and so can answer `STORAGE_UNAVAILABLE`. */
  readonly touchesStorage?: boolean;
  /**
   * The problems the handler itself can answer. Those of authentication, parsing and resolving `{user}`
   * are added from the rest of the definition, and storage and internal faults to every endpoint.
   */
  readonly problems: readonly ProblemCode[];
}

/** What an endpoint does once its input is parsed and its caller known: a reply, a refusal, or a problem. */
export type EndpointHandler<A extends Answers, P, Q, B, C extends Caller> = (
  input: EndpointInput<P, Q, B, C>,
) => Promise<Reply<A> | Refusal | Problem> | Reply<A> | Refusal | Problem;

/** An endpoint as defined, with every problem code it can answer, and its options for `app.http`. */
export interface Endpoint {
  readonly name: string;
  readonly method: Method;
  readonly route: string;
  readonly summary: string;
  readonly caller: Caller;
  readonly params?: z.ZodObject | undefined;
  readonly query?: z.ZodObject | undefined;
  readonly body?: z.ZodType | undefined;
  readonly bodyRequired: boolean;
  readonly bodyLimit?: BodyLimit;
  readonly answers: Answers;
  readonly touchesStorage: boolean;
  readonly problems: readonly ProblemCode[];
  /**
   * Its `app.http` options, answering with the services `services` gives at each call: the process's in the
   * Functions host, a harness's own in tests.
   */
  serve(services: ServicesProvider): HttpFunctionOptions;
}

const registry = new Map<string, Endpoint>();

/**
 * Every endpoint defined in this process so far (the Functions host loads every function file at start), by
 * name: the same order whichever order the files were loaded in.
 */
export const definedEndpoints = (): readonly Endpoint[] =>
  [...registry.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

const hasUser = (params: z.ZodObject | undefined) => params !== undefined && "user" in params.shape;

/** The problems an endpoint can answer: its handler's, and those of what the definition makes it do. */
function problemsOf(definition: Omit<Endpoint, "problems" | "serve">, own: readonly ProblemCode[]): ProblemCode[] {
  const codes: ProblemCode[] = definition.touchesStorage
    ? ["STORAGE_UNAVAILABLE", "INTERNAL_ERROR"]
    : ["INTERNAL_ERROR"];
  if (definition.params ?? definition.query ?? definition.body) codes.push("INVALID_REQUEST");
  if (definition.body) codes.push("MALFORMED_JSON", definition.bodyLimit?.problem ?? "PAYLOAD_TOO_LARGE");
  if (definition.caller === "bearer") codes.push("UNAUTHENTICATED", "INSUFFICIENT_SCOPE", "IDENTITY_UNAVAILABLE");
  if (hasUser(definition.params)) codes.push("FORBIDDEN", "USER_NOT_FOUND");
  return [...new Set([...codes, ...own])];
}

type Result = { status: number; body?: unknown; headers?: Readonly<Record<string, string>> } | Refusal | Problem;

function toResponse(result: Result): HttpResponseInit {
  if ("status" in result) {
    return result.body === undefined
      ? { status: result.status, headers: { ...BASE_HEADERS, ...result.headers } }
      : jsonResponse(result.status, result.body, { ...result.headers });
  }
  return "problem" in result ? problemResponse(result.problem, result.detail, result.extras) : refusalResponse(result);
}

/**
 * Declares an endpoint once: its definition, then what it does. The function it makes authenticates the
 * caller, parses the route, query and body with the definition's schemas, resolves `{user}` to the target's
 * id, then calls `handle` with typed
 * input; a domain refusal or a problem becomes problem+json, any unexpected throw a logged 500 (or 503 for an
 * infrastructure fault). The answers and problems are what the OpenAPI document says of it.
 */
export function defineEndpoint<
  const A extends Answers,
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  C extends Caller = Caller,
>(
  definition: EndpointDefinition<A, P, Q, B, C>,
  handle: EndpointHandler<NoInfer<A>, NoInfer<P>, NoInfer<Q>, NoInfer<B>, NoInfer<C>>,
): Endpoint {
  const { problems, ...declared } = definition;
  const shape = {
    ...declared,
    bodyRequired: definition.bodyRequired ?? true,
    touchesStorage: definition.touchesStorage ?? true,
  };

  async function handler(
    services: Services,
    request: HttpRequest,
    context: InvocationContext,
  ): Promise<HttpResponseInit> {
    let caller: Principal | undefined;
    if (definition.caller === "bearer") {
      const authenticated = await authenticate(services, request);
      if (!authenticated.ok) return authenticated.response;
      caller = authenticated.value;
    }
    let params: unknown;
    if (definition.params) {
      const parsed = readRouteParams(request, definition.params);
      if (!parsed.ok) return parsed.response;
      params = parsed.value;
    }
    let query: unknown;
    if (definition.query) {
      const parsed = readQuery(request, definition.query);
      if (!parsed.ok) return parsed.response;
      query = parsed.value;
    }
    let body: unknown;
    if (definition.body) {
      const parsed = await readJsonBody(request, definition.body, {
        emptyAllowed: !shape.bodyRequired,
        ...(definition.bodyLimit && { limit: definition.bodyLimit }),
      });
      if (!parsed.ok) return parsed.response;
      body = parsed.value;
    }
    let target: string | undefined;
    if (caller !== undefined && hasUser(definition.params)) {
      const resolved = await targetUser(services, caller, (params as { user: string }).user);
      if (!resolved.ok) return resolved.response;
      target = resolved.value;
    }
    const input = { request, context, services, params, query, body, caller, target };
    const response = toResponse(await handle(input as EndpointInput<P, Q, B, C>));
    // The page's calls carry the browser's language: remembered for the person's notices, from a request that
    // acted on their own app passwords and succeeded (a refused one changes nothing). Once per person and
    // process; a failure costs the notice's language, never the answer.
    const language = request.headers.get("accept-language");
    if (caller !== undefined && target === caller.userId && language !== null && (response.status ?? 200) < 300) {
      await services.rememberContact(caller, language).catch((error: unknown) => {
        console.warn(`Notice contact not remembered: ${error instanceof Error ? error.message : "unknown error"}`);
      });
    }
    return response;
  }

  const endpoint: Endpoint = {
    ...shape,
    problems: problemsOf(shape, problems),
    serve: (services) => ({
      methods: [definition.method],
      route: definition.route,
      authLevel: definition.caller === "functionKey" ? "function" : "anonymous",
      handler: handleErrors((request, context) => handler(services(), request, context)),
    }),
  };
  registry.set(endpoint.name, endpoint);
  return endpoint;
}
