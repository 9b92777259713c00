import { app, type HttpFunctionOptions, type HttpResponseInit } from "@azure/functions";
import { handleErrors } from "../shared/adapters/handleErrors";
import { buildOpenApiDocument } from "../shared/adapters/openApiDocument";
import { jsonResponse } from "../shared/adapters/problemResponse";

// Built once per process: it depends on the code alone.
let document: string | undefined;

/** `GET /api/openapi.json` (anonymous): the OpenAPI 3.1 document, from the schemas the functions validate with. */
export function openApi(): Promise<HttpResponseInit> {
  document ??= JSON.stringify(buildOpenApiDocument());
  return Promise.resolve({ ...jsonResponse(200, undefined), body: document });
}

/** How the Functions host (and the local host) serves it. */
export const openApiOptions: HttpFunctionOptions = {
  methods: ["GET"],
  route: "openapi.json",
  authLevel: "anonymous",
  handler: handleErrors(openApi),
};

app.http("openApi", openApiOptions);
