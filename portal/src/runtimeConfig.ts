/** What the page is told at run time by `/config.json`: one build serves every environment. */
export type RuntimeConfig =
  | { readonly auth: "dev"; readonly apiBaseUrl: string }
  | {
      readonly auth: "msal";
      readonly apiBaseUrl: string;
      readonly clientId: string;
      readonly tenantId: string;
      readonly apiScope: string;
    };

/** Fetches and checks `/config.json`; a missing or malformed one is an error the page shows as is. */
export async function loadRuntimeConfig(url = "/config.json"): Promise<RuntimeConfig> {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`${url} answered ${response.status}.`);
  const json = (await response.json()) as Record<string, unknown>;
  const text = (name: string) => {
    const value = json[name];
    if (typeof value !== "string" || value === "") throw new Error(`${url} has no "${name}".`);
    return value;
  };
  if (json.auth === "dev") return { auth: "dev", apiBaseUrl: text("apiBaseUrl") };
  if (json.auth === "msal") {
    return {
      auth: "msal",
      apiBaseUrl: text("apiBaseUrl"),
      clientId: text("clientId"),
      tenantId: text("tenantId"),
      apiScope: text("apiScope"),
    };
  }
  throw new Error(`${url} has an unknown "auth"; expected "dev" or "msal".`);
}
