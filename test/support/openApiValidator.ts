import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { ExchangedCall } from "./testService";

const DOCUMENT_ID = "https://app-passwords.invalid/openapi.json";

interface Operation {
  readonly responses: Record<string, { content?: Record<string, unknown> }>;
}
interface OpenApiDocument {
  readonly paths: Record<string, Record<string, Operation>>;
}

/** A JSON pointer segment as it goes into a URI fragment. */
const pointer = (segment: string) => encodeURIComponent(segment.replace(/~/g, "~0").replace(/\//g, "~1"));

/**
 * Checks real answers against the OpenAPI document with a JSON Schema 2020-12 validator (ajv): the path and
 * method must be documented, the status among its responses, and the body valid against the schema of that
 * status and content type. Answers of the host to routes that exist nowhere (404) are left out.
 */
export function createOpenApiValidator(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  const templates = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{\w+\}/g, "[^/]+").replace(/\./g, "\\.")}$`),
  }));

  /** What is wrong with one answer, or undefined when it is as documented. */
  function problemsOf({ method, route, response }: ExchangedCall): string | undefined {
    const path = route.split("?")[0] ?? "";
    const found = templates.find(({ pattern }) => pattern.test(path));
    const where = `${method} ${route} → ${response.status}`;
    if (!found) return response.status === 404 ? undefined : `${where}: path not in the document`;
    const operation = document.paths[found.template]?.[method.toLowerCase()];
    if (!operation) {
      return response.status === 405 || response.status === 404 ? undefined : `${where}: method not in the document`;
    }
    const documented = operation.responses[String(response.status)];
    if (!documented) return `${where}: status not in the document`;
    const contentType = response.headers.get("content-type")?.split(";")[0] ?? "";
    if (documented.content === undefined) return response.text === "" ? undefined : `${where}: undocumented body`;
    if (!(contentType in documented.content)) return `${where}: content type ${contentType} not in the document`;
    const ref = [
      "paths",
      found.template,
      method.toLowerCase(),
      "responses",
      String(response.status),
      "content",
      contentType,
      "schema",
    ]
      .map(pointer)
      .join("/");
    const validate = ajv.getSchema(`${DOCUMENT_ID}#/${ref}`);
    if (!validate) return `${where}: no schema at ${ref}`;
    return validate(response.json) ? undefined : `${where}: ${ajv.errorsText(validate.errors)}`;
  }

  return {
    /** Every answer that does not match the document, described. */
    problems: (calls: readonly ExchangedCall[]) => calls.flatMap((call) => problemsOf(call) ?? []),
  };
}
