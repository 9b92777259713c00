import { z } from "zod";
import { problemStatus, type ProblemCode } from "./problemResponse";
import {
  activityQuery,
  appPasswordRoute,
  createAppPasswordBody,
  deleteAppPasswordRoute,
  loginNameRoute,
  registrationBody,
  releasedLoginNameRoute,
  renameAppPasswordBody,
  userRoute,
  verifyRequestBody,
} from "./requestSchemas";
import {
  activityPage,
  appPasswordItem,
  appPasswordList,
  issuedAppPassword,
  registrationAnswer,
} from "./responseSchemas";

/** The answer of verify: allow, with who it is, or deny. */
export const verifyAnswer = z
  .union([
    z.object({
      valid: z.literal(true),
      userId: z.string(),
      loginName: z.string(),
      appPasswordId: z.string(),
    }),
    z.object({ valid: z.literal(false) }),
  ])
  .meta({ id: "VerifyAnswer" });

type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** One operation of the API: what it takes, what it answers, and every problem code it can answer with. */
export interface ApiOperation {
  readonly method: Method;
  /** The Functions route, as in the function's options (`{id?}` is an optional segment). */
  readonly route: string;
  readonly summary: string;
  readonly auth: "bearer" | "functionKey" | "anonymous";
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly bodyRequired?: boolean;
  /** Success statuses and their bodies (absent: no body). */
  readonly answers: Readonly<Record<number, { readonly description: string; readonly schema?: z.ZodType }>>;
  readonly problems: readonly ProblemCode[];
}

/** What any route can answer: the host's own, and infrastructure faults. */
// No route, a wrong method and a missing function key are the Functions host's answers, not the API's: the
// document lists only what the functions emit.
const ANY_ROUTE: readonly ProblemCode[] = ["STORAGE_UNAVAILABLE", "INTERNAL_ERROR"];
/** What every route about a user can answer. */
const USER_ROUTE: readonly ProblemCode[] = [
  ...ANY_ROUTE,
  "INVALID_REQUEST",
  "UNAUTHENTICATED",
  "INSUFFICIENT_SCOPE",
  "FORBIDDEN",
  "USER_NOT_FOUND",
  "IDENTITY_UNAVAILABLE",
];
const WITH_BODY: readonly ProblemCode[] = ["MALFORMED_JSON", "PAYLOAD_TOO_LARGE"];

/** Every operation of the API, by the name of the function that serves it. */
export const API_OPERATIONS = {
  registration: {
    method: "POST",
    route: "users/{user}/registration",
    summary: "Record the registration for two-step verification; the first time, get the first app password",
    auth: "bearer",
    params: userRoute,
    body: registrationBody,
    bodyRequired: false,
    answers: {
      201: { description: "Registered now, with the first app password (shown this once)", schema: registrationAnswer },
      200: { description: "Registered before", schema: registrationAnswer },
    },
    problems: [...USER_ROUTE, ...WITH_BODY, "SELF_SERVICE_ONLY", "LOGIN_NAME_IN_USE", "CONTENTION"],
  },
  createAppPassword: {
    method: "POST",
    route: "users/{user}/app-passwords",
    summary: "Create an app password, shown this once",
    auth: "bearer",
    params: userRoute,
    body: createAppPasswordBody,
    bodyRequired: true,
    answers: { 201: { description: "Created; `Location` names it", schema: issuedAppPassword } },
    problems: [
      ...USER_ROUTE,
      ...WITH_BODY,
      "SELF_SERVICE_ONLY",
      "APP_PASSWORDS_DISABLED",
      "REGISTRATION_REQUIRED",
      "APP_PASSWORD_LIMIT_REACHED",
      "LOGIN_NAME_IN_USE",
      "LIFETIME_TOO_LONG",
      "CONTENTION",
    ],
  },
  listAppPasswords: {
    method: "GET",
    route: "users/{user}/app-passwords",
    summary: "List a user's app passwords, oldest first",
    auth: "bearer",
    params: userRoute,
    answers: { 200: { description: "The app passwords, never a password or hash", schema: appPasswordList } },
    problems: [...USER_ROUTE, "APP_PASSWORDS_DISABLED"],
  },
  getAppPassword: {
    method: "GET",
    route: "users/{user}/app-passwords/{id}",
    summary: "One app password",
    auth: "bearer",
    params: appPasswordRoute,
    answers: { 200: { description: "The app password, never its password or hash", schema: appPasswordItem } },
    problems: [...USER_ROUTE, "APP_PASSWORDS_DISABLED", "APP_PASSWORD_NOT_FOUND"],
  },
  renameAppPassword: {
    method: "PATCH",
    route: "users/{user}/app-passwords/{id}",
    summary: "Rename an app password; it keeps working as before",
    auth: "bearer",
    params: appPasswordRoute,
    body: renameAppPasswordBody,
    bodyRequired: true,
    answers: { 200: { description: "Renamed", schema: appPasswordItem } },
    problems: [...USER_ROUTE, ...WITH_BODY, "APP_PASSWORDS_DISABLED", "APP_PASSWORD_NOT_FOUND"],
  },
  deleteAppPassword: {
    method: "DELETE",
    route: "users/{user}/app-passwords/{id?}",
    summary: "Delete one app password, or without {id} all of the user's; they stop working at once",
    auth: "bearer",
    params: deleteAppPasswordRoute,
    answers: { 204: { description: "Deleted" } },
    problems: [...USER_ROUTE, "APP_PASSWORDS_DISABLED", "APP_PASSWORD_NOT_FOUND", "CONTENTION"],
  },
  listActivity: {
    method: "GET",
    route: "users/{user}/activity",
    summary: "A user's activity of the last 90 days, newest first, a page at a time",
    auth: "bearer",
    params: userRoute,
    query: activityQuery,
    answers: { 200: { description: "One page of events", schema: activityPage } },
    problems: [...USER_ROUTE, "INVALID_CONTINUATION"],
  },
  resetVerifyThrottle: {
    method: "DELETE",
    route: "users/{user}/throttle",
    summary: "Lift every verify lockout of a user (administrators)",
    auth: "bearer",
    params: userRoute,
    answers: { 204: { description: "Reset" } },
    problems: USER_ROUTE,
  },
  releaseLoginName: {
    method: "DELETE",
    route: "login-names/{loginName}",
    summary: "Free a login name, so that the next account whose token proves it can claim it (administrators)",
    auth: "bearer",
    params: loginNameRoute,
    answers: { 204: { description: "Released" } },
    problems: [
      ...ANY_ROUTE,
      "INVALID_REQUEST",
      "UNAUTHENTICATED",
      "INSUFFICIENT_SCOPE",
      "FORBIDDEN",
      "LOGIN_NAME_NOT_FOUND",
      "IDENTITY_UNAVAILABLE",
    ],
  },
  liftLoginNameRelease: {
    method: "DELETE",
    route: "users/{user}/released-login-names/{loginName}",
    summary: "Let an account claim again a login name an administrator released from it (administrators)",
    auth: "bearer",
    params: releasedLoginNameRoute,
    answers: { 204: { description: "The account may claim the name again" } },
    problems: [...USER_ROUTE, "LOGIN_NAME_NOT_FOUND"],
  },
  verifyAppPassword: {
    method: "POST",
    route: "verify",
    summary: "Verify a mail client's login (mail gateways, with a function key)",
    auth: "functionKey",
    body: verifyRequestBody,
    bodyRequired: true,
    answers: { 200: { description: "`valid: true` allows, `valid: false` denies", schema: verifyAnswer } },
    problems: [...ANY_ROUTE, ...WITH_BODY, "INVALID_REQUEST", "VERIFY_THROTTLED", "CONTENTION"],
  },
  openApi: {
    method: "GET",
    route: "openapi.json",
    summary: "This document",
    auth: "anonymous",
    answers: { 200: { description: "The OpenAPI 3.1 document", schema: z.looseObject({ openapi: z.string() }) } },
    problems: ANY_ROUTE,
  },
} as const satisfies Record<string, ApiOperation>;

type JsonSchema = Record<string, unknown>;

/** Builds the document from the operations; named schemas (`.meta({ id })`) go to `components.schemas`. */
export function buildOpenApiDocument(operations: Readonly<Record<string, ApiOperation>> = API_OPERATIONS) {
  const components: Record<string, JsonSchema> = {};
  const toSchema = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
    const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    delete json.$schema;
    const relink = (value: unknown) =>
      JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
    for (const [id, def] of Object.entries(defs)) components[id] = relink(def);
    return relink(json);
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const [operationId, op] of Object.entries(operations)) {
    const optional = /\/\{(\w+)\?\}$/.exec(op.route);
    // OpenAPI has no optional path segment: `{id?}` is two paths, with and without it.
    const routes = optional
      ? [op.route.replace(/\{(\w+)\?\}$/, "{$1}"), op.route.slice(0, optional.index)]
      : [op.route];
    routes.forEach((route, index) => {
      const parameters = [
        ...Object.entries(op.params?.shape ?? {})
          .filter(([name]) => route.includes(`{${name}}`))
          .map(([name, schema]) => ({
            name,
            in: "path",
            required: true,
            schema: toSchema(schema as z.ZodType, "input"),
          })),
        ...Object.entries(op.query?.shape ?? {}).map(([name, schema]) => ({
          name,
          in: "query",
          required: false,
          schema: toSchema(schema as z.ZodType, "input"),
        })),
      ];
      const responses: Record<string, unknown> = {};
      for (const [status, answer] of Object.entries(op.answers)) {
        responses[status] = {
          description: answer.description,
          ...(answer.schema && { content: { "application/json": { schema: toSchema(answer.schema, "output") } } }),
        };
      }
      for (const [status, codes] of problemsByStatus(op.problems)) {
        responses[String(status)] = {
          description: codes.map((code) => problemStatus(code).title).join("; "),
          content: {
            "application/problem+json": {
              schema: { allOf: [{ $ref: "#/components/schemas/Problem" }, { properties: { code: { enum: codes } } }] },
            },
          },
        };
      }
      (paths[`/api/${route}`] ??= {})[op.method.toLowerCase()] = {
        operationId: index === 0 ? operationId : `${operationId}All`,
        summary: op.summary,
        security: op.auth === "bearer" ? [{ bearer: [] }] : op.auth === "functionKey" ? [{ functionKey: [] }] : [],
        ...(parameters.length > 0 && { parameters }),
        ...(op.body && {
          requestBody: {
            required: op.bodyRequired ?? true,
            content: { "application/json": { schema: toSchema(op.body, "input") } },
          },
        }),
        responses,
      };
    });
  }
  components.Problem = PROBLEM_SCHEMA;
  return {
    openapi: "3.1.0",
    info: {
      title: "App passwords",
      version: "1",
      description: "App passwords for Microsoft Entra ID users with two-step verification.",
    },
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "Entra ID access token" },
        functionKey: { type: "apiKey", in: "header", name: "x-functions-key" },
      },
    },
  };
}

/** RFC 9457 problem details with the service's stable `code`. */
const PROBLEM_SCHEMA: JsonSchema = {
  type: "object",
  required: ["type", "title", "status", "detail", "code"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "string", pattern: "^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$" },
    errors: {
      type: "array",
      items: {
        type: "object",
        required: ["field", "message"],
        properties: { field: { type: "string" }, message: { type: "string" } },
      },
    },
    limit: { type: "integer" },
    maxDays: { type: "integer" },
  },
};

function problemsByStatus(codes: readonly ProblemCode[]): Map<number, ProblemCode[]> {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of new Set(codes)) {
    const { status } = problemStatus(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}
