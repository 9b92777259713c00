import { writeFileSync } from "node:fs";
import path from "node:path";
import { mailSettingNames, mailSettingsFromEnv, type MailSettings } from "./mailSettings";

/** The self-service page's run-time configuration, served next to it as `config.json`. */
export interface PortalConfig {
  readonly auth: "msal";
  readonly clientId: string;
  readonly tenantId: string;
  readonly apiScope: string;
  readonly apiBaseUrl: string;
  /** The tenant's mail settings (README, Configuration); absent when none is set. */
  readonly mail?: MailSettings;
}

/** The azd environment values (Bicep outputs of infra/main.bicep) each field comes from. */
export const portalConfigSources = {
  clientId: "PORTAL_CLIENT_ID",
  tenantId: "PORTAL_TENANT_ID",
  apiScope: "PORTAL_API_SCOPE",
  apiBaseUrl: "API_BASE_URL",
} as const satisfies Record<Exclude<keyof PortalConfig, "auth" | "mail">, string>;

/**
 * Builds the page's configuration from the deployment's outputs, which azd hands to hooks as environment
 * variables. Throws naming every missing value, so a page that could not sign anybody in is never deployed.
 */
export function portalConfigFromEnv(env: NodeJS.ProcessEnv): PortalConfig {
  const read = (name: string): string => env[name]?.trim() ?? "";
  const missing = Object.values(portalConfigSources).filter((name) => read(name) === "");
  if (missing.length > 0) {
    const hint = missing.includes(portalConfigSources.clientId)
      ? " Run `azd provision`, which registers the page; with your own registrations, set the page's first with `azd env set APP_PASSWORDS_PORTAL_CLIENT_ID <client id>`."
      : " Run `azd provision` first.";
    throw new Error(`The self-service page cannot be configured: ${missing.join(", ")} not set.${hint}`);
  }
  // main.bicep hands each mail setting out as PORTAL_<setting>; `npm run portal:config` by hand may give it as is.
  const mail = mailSettingsFromEnv(
    Object.fromEntries(mailSettingNames.map((name) => [name, env[`PORTAL_${name}`] ?? env[name]])),
  );
  return {
    auth: "msal",
    clientId: read(portalConfigSources.clientId),
    tenantId: read(portalConfigSources.tenantId),
    apiScope: read(portalConfigSources.apiScope),
    apiBaseUrl: read(portalConfigSources.apiBaseUrl).replace(/\/+$/, ""),
    ...(Object.keys(mail).length > 0 && { mail }),
  };
}

/** Writes `config.json` into the built page (`portal/dist` unless a directory is given). */
export function writePortalConfig(distDir: string, env: NodeJS.ProcessEnv): string {
  const file = path.join(distDir, "config.json");
  writeFileSync(file, `${JSON.stringify(portalConfigFromEnv(env), null, 2)}\n`);
  return file;
}

// `npm run portal:config`, run by azd as the web service's predeploy hook (azure.yaml): after the page is built,
// before it is uploaded.
if (require.main === module) {
  try {
    const distDir = path.resolve(process.argv[2] ?? path.join(__dirname, "..", "..", "portal", "dist"));
    console.log(`Wrote ${writePortalConfig(distDir, process.env)}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
