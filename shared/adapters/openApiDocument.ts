import { z } from "zod";
import type { Endpoint } from "./defineEndpoint";
import { problemStatus, type ProblemCode } from "./problemResponse";

type JsonSchema = Record<string, unknown>;

/** Where a named schema (`.meta({ id })`) lives in the document. */
const componentUri = (id: string) => `#/components/schemas/${id}`;

/**
 * A registry of every named schema (an `id` in zod's global registry) and, when given, one more under `self`:
 * converted with `uri`, named schemas nested anywhere become references to `components.schemas`, and anything
 * else is written out in place.
 */
function convert(io: "input" | "output", self?: z.ZodType): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of z.globalRegistry._idmap) registry.add(schema, { id });
  if (self !== undefined) registry.add(self, { id: "self" });
  const { schemas } = z.toJSONSchema(registry, { io, unrepresentable: "any", uri: componentUri });
  // Each entry is a JSON Schema document of its own; inside OpenAPI's it needs neither header.
  const headerless = (entry: JsonSchema) =>
    Object.fromEntries(Object.entries(entry).filter(([key]) => key !== "$schema" && key !== "$id"));
  return Object.fromEntries(Object.entries(schemas).map(([id, entry]) => [id, headerless(entry as JsonSchema)]));
}

/** `schema`'s JSON Schema for the document: a reference when it is named, else written out. */
function schemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const named = z.globalRegistry.get(schema)?.id;
  return named === undefined ? (convert(io, schema).self ?? {}) : { $ref: componentUri(named) };
}

/** Builds the document from the endpoints; named schemas (`.meta({ id })`) go to `components.schemas`. */
export function buildOpenApiDocument(endpoints: readonly Endpoint[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of endpoints) {
    const operationId = op.name;
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
            schema: schemaOf(schema as z.ZodType, "input"),
          })),
        ...Object.entries(op.query?.shape ?? {}).map(([name, schema]) => ({
          name,
          in: "query",
          required: false,
          schema: schemaOf(schema as z.ZodType, "input"),
        })),
      ];
      const responses: Record<string, unknown> = {};
      for (const [status, answer] of Object.entries(op.answers)) {
        responses[status] = {
          description: answer.description,
          ...(answer.schema && { content: { "application/json": { schema: schemaOf(answer.schema, "output") } } }),
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
        security: op.caller === "bearer" ? [{ bearer: [] }] : op.caller === "functionKey" ? [{ functionKey: [] }] : [],
        ...(parameters.length > 0 && { parameters }),
        ...(op.body && {
          requestBody: {
            required: op.bodyRequired,
            content: { "application/json": { schema: schemaOf(op.body, "input") } },
          },
        }),
        responses,
      };
    });
  }
  const components = { ...convert("output"), Problem: PROBLEM_SCHEMA };
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
