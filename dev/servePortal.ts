import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { HttpResponseInit } from "@azure/functions";
import { z } from "zod";
import type { MailSettings } from "./mailSettings";
import { BASE_HEADERS, jsonResponse, problemResponse } from "../shared/adapters/problemResponse";

/** What the page reads at start under the local host: sign in with the development issuer, API on this origin. */
export const LOCAL_PORTAL_CONFIG = { auth: "dev", apiBaseUrl: "/api" } as const;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};

/**
 * Azure Static Web Apps' configuration file, which Vite copies from portal/public into the build. Its headers
 * are the deployed page's; the local host reads them from the same file, so the two cannot drift.
 */
export const STATIC_WEB_APP_CONFIG = "staticwebapp.config.json";

const headerRecord = z.record(z.string(), z.string());

/** The parts of the file the local host applies. */
const staticWebAppConfig = z.object({
  globalHeaders: headerRecord.default({}),
  routes: z
    .array(
      z.object({
        // Static Web Apps allows a wildcard only at the end of a route; the local host matches no other form.
        route: z.string().regex(/^\/[^*]*\*?$/, "must be a path, with a wildcard only at its end"),
        headers: headerRecord.optional(),
      }),
    )
    .default([]),
});

export type StaticWebAppConfig = z.infer<typeof staticWebAppConfig>;

/** Reads the built page's staticwebapp.config.json; undefined when there is none (the page is not built). */
export async function readStaticWebAppConfig(portalDir: string): Promise<StaticWebAppConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(portalDir, STATIC_WEB_APP_CONFIG), "utf8");
  } catch {
    return undefined;
  }
  const invalid = (why: string) => new Error(`${path.join(portalDir, STATIC_WEB_APP_CONFIG)} is not valid: ${why}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : "not JSON");
  }
  const parsed = staticWebAppConfig.safeParse(json);
  if (!parsed.success) throw invalid(z.prettifyError(parsed.error));
  return parsed.data;
}

/**
 * The headers Static Web Apps gives an answer for `pathname`: the global headers, overridden by those of the
 * first route that matches (routes are case-insensitive; a trailing `*` matches any rest).
 */
export function staticWebAppHeaders(config: StaticWebAppConfig, pathname: string): Record<string, string> {
  const wanted = pathname.toLowerCase();
  const route = config.routes.find(({ route: pattern }) => {
    const lower = pattern.toLowerCase();
    return lower.endsWith("*") ? wanted.startsWith(lower.slice(0, -1)) : wanted === lower;
  });
  return { ...config.globalHeaders, ...route?.headers };
}

const NOT_BUILT =
  "The self-service page is not built yet (or was built without its staticwebapp.config.json). " +
  "Run `npm run build:portal` (npm start does it for you), then reload.\n";

/**
 * Answers a GET for the built self-service page in `portalDir` (portal/dist): its files with their content
 * types, `/config.json` for the local host, and index.html for any other path without a file extension, so
 * the page's own routes survive a reload. Every answer carries the headers the build's
 * staticwebapp.config.json declares for its path, as the deployed page's do. Nothing outside `portalDir` is
 * ever read.
 */
export async function servePortal(portalDir: string, pathname: string, mail?: MailSettings): Promise<HttpResponseInit> {
  const root = path.resolve(portalDir);
  const config = await readStaticWebAppConfig(root);
  const answer = await servePath(root, pathname, config !== undefined, mail);
  if (config === undefined) return answer;
  return { ...answer, headers: mergeHeaders(answer.headers, staticWebAppHeaders(config, pathname)) };
}

/** The answer before the file's headers: content type, and how long the browser may keep it. */
async function servePath(
  root: string,
  pathname: string,
  built: boolean,
  mail: MailSettings | undefined,
): Promise<HttpResponseInit> {
  if (pathname === "/config.json") {
    const hasMail = mail !== undefined && Object.keys(mail).length > 0;
    return jsonResponse(200, { ...LOCAL_PORTAL_CONFIG, ...(hasMail && { mail }) });
  }
  const index = path.join(root, "index.html");
  if (!built || !(await isFile(index))) return textAnswer(404, NOT_BUILT);
  // Static Web Apps reads its configuration and never serves it.
  if (pathname.toLowerCase() === `/${STATIC_WEB_APP_CONFIG}`) return notFound();

  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return problemResponse("INVALID_REQUEST", "The path is not valid percent-encoding.");
  }
  const file = path.resolve(root, `.${decoded}`);
  const inside = (file === root || file.startsWith(root + path.sep)) && !decoded.includes("\0");
  if (inside && (await isFile(file))) return fileResponse(file);
  // A missing script or image must not come back as HTML; any other path is one of the page's own views.
  if (!inside || path.extname(decoded) !== "") return notFound();
  return fileResponse(index);
}

async function fileResponse(file: string): Promise<HttpResponseInit> {
  const extension = path.extname(file).toLowerCase();
  // Vite names built assets by their content hash, so they never change; anything else is checked each time
  // (and index.html, by staticwebapp.config.json, never kept).
  const immutable = file.includes(`${path.sep}assets${path.sep}`);
  return {
    status: 200,
    headers: {
      "X-Content-Type-Options": "nosniff",
      "Content-Type": CONTENT_TYPES[extension] ?? "application/octet-stream",
      "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    },
    body: await readFile(file),
  };
}

const textAnswer = (status: number, body: string): HttpResponseInit => ({
  status,
  headers: { ...BASE_HEADERS, "Content-Type": CONTENT_TYPES[".txt"] ?? "" },
  body,
});

const notFound = () => textAnswer(404, "Not found.\n");

/** `base` (every answer here is built with a plain record) with `over` on top, names compared without case. */
function mergeHeaders(base: HttpResponseInit["headers"], over: Record<string, string>): Record<string, string> {
  const merged = new Map<string, [string, string]>();
  for (const [name, value] of Object.entries({ ...(base as Record<string, string> | undefined), ...over })) {
    merged.set(name.toLowerCase(), [name, value]);
  }
  return Object.fromEntries(merged.values());
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
