import { app } from "@azure/functions";
import { z } from "zod";
import { defineEndpoint, definedEndpoints } from "../shared/adapters/defineEndpoint";
import { getServices } from "../shared/services";
import { buildOpenApiDocument } from "../shared/adapters/openApiDocument";

// Built once per process, at the first request: by then the host has loaded every function file.
let document: ReturnType<typeof buildOpenApiDocument> | undefined;

/** `GET /api/openapi.json` (anonymous): the OpenAPI 3.1 document, from the endpoints' own definitions. */
export const openApi = defineEndpoint(
  {
    name: "openApi",
    method: "GET",
    route: "openapi.json",
    summary: "This document",
    caller: "anonymous",
    touchesStorage: false,
    answers: { 200: { description: "The OpenAPI 3.1 document", schema: z.looseObject({ openapi: z.string() }) } },
    problems: [],
  },
  () => {
    document ??= buildOpenApiDocument(definedEndpoints());
    return { status: 200, body: document };
  },
);

/** How the Functions host serves it (the local host and tests serve `openApi` with their own services). */
export const openApiOptions = openApi.serve(getServices);

app.http("openApi", openApiOptions);
