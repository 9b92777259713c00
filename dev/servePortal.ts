import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { HttpResponseInit } from "@azure/functions";
import { jsonResponse, problemResponse } from "../shared/adapters/problemResponse";

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

/** The page may load its own scripts and styles and call this origin; Fluent UI injects its styles at run time. */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
};

const NOT_BUILT =
  "The self-service page is not built yet. Run `npm run build:portal` (npm start does it for you), then reload.\n";

/**
 * Answers a GET for the built self-service page in `portalDir` (portal/dist): its files with their content
 * types, `/config.json` for the local host, and index.html for any other path without a file extension, so
 * the page's own routes survive a reload. Nothing outside `portalDir` is ever read.
 */
export async function servePortal(portalDir: string, pathname: string): Promise<HttpResponseInit> {
  if (pathname === "/config.json") return jsonResponse(200, LOCAL_PORTAL_CONFIG);
  const root = path.resolve(portalDir);
  const index = path.join(root, "index.html");
  if (!(await isFile(index))) {
    return { status: 404, headers: { ...PAGE_HEADERS, "Content-Type": CONTENT_TYPES[".txt"] ?? "" }, body: NOT_BUILT };
  }

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
  // Vite names built assets by their content hash, so they never change; index.html must be fetched fresh.
  const immutable = file.includes(`${path.sep}assets${path.sep}`);
  return {
    status: 200,
    headers: {
      ...PAGE_HEADERS,
      "Content-Type": CONTENT_TYPES[extension] ?? "application/octet-stream",
      "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    },
    body: await readFile(file),
  };
}

const notFound = (): HttpResponseInit => ({
  status: 404,
  headers: { ...PAGE_HEADERS, "Content-Type": CONTENT_TYPES[".txt"] ?? "" },
  body: "Not found.\n",
});

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
