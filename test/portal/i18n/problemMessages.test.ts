import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { HostProblemCode } from "../../../dev/hostProblem";
import { loadFunctions } from "../../../dev/functionRegistry";
import { definedEndpoints } from "../../../shared/adapters/defineEndpoint";
import { buildOpenApiDocument } from "../../../shared/adapters/openApiDocument";
import { LANGUAGES } from "../../../portal/src/i18n/languages";

const LOCALES = path.join(__dirname, "..", "..", "..", "portal", "src", "i18n", "locales");

// The local host's own answers, which the page can meet too. A record, so that a code added to HostProblemCode
// fails to compile here until it is listed.
const HOST_CODES: Record<HostProblemCode, true> = {
  NOT_FOUND: true,
  METHOD_NOT_ALLOWED: true,
  INVALID_FUNCTION_KEY: true,
  REQUEST_TIMEOUT: true,
  HEADERS_TOO_LARGE: true,
};

/** Every `code` enum anywhere in the document: the problems each operation says it can answer. */
function problemCodes(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(problemCodes);
  if (typeof node !== "object" || node === null) return [];
  const record = node as Record<string, unknown>;
  const own = (record.properties as { code?: { enum?: unknown } } | undefined)?.code?.enum;
  return [...(Array.isArray(own) ? own.map(String) : []), ...Object.values(record).flatMap(problemCodes)];
}

/** The page's words for each problem code, by language (a plural has `_one` and `_other` instead). */
function messages(language: string): Record<string, string> {
  const file = path.join(LOCALES, language, "problems.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { code: Record<string, string> }).code;
}

describe("the page's words for the service's problems", () => {
  let codes: string[];

  beforeAll(async () => {
    await loadFunctions(path.join(__dirname, "..", "..", "..", "functions"));
    const document = buildOpenApiDocument(definedEndpoints());
    codes = [...new Set([...problemCodes(document.paths), ...Object.keys(HOST_CODES)])].sort();
  });

  it("finds the codes in the OpenAPI document the endpoints' definitions make", () => {
    // The per-user limit and bad input are answered by create at least: a document without them was not read.
    expect(codes).toEqual(expect.arrayContaining(["APP_PASSWORD_LIMIT_REACHED", "INVALID_REQUEST"]));
  });

  it.each(LANGUAGES)(
    "%s: every code the service can answer has a message, so none falls back to English",
    (language) => {
      const catalog = messages(language);
      const has = (code: string) =>
        catalog[code] !== undefined || (catalog[`${code}_one`] !== undefined && catalog[`${code}_other`] !== undefined);
      expect({ language, missing: codes.filter((code) => !has(code)) }).toEqual({ language, missing: [] });
    },
  );
});
