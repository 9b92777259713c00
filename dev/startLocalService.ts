import { randomBytes } from "node:crypto";
import { loadConfig, type Config } from "../shared/adapters/config";
import { createServices, type ServiceOverrides, type Services } from "../shared/services";
import { createDevTokenIssuer, type DevTokenIssuer } from "./devTokenIssuer";
import { loadFunctions } from "./functionRegistry";
import { mailSettingsFromEnv } from "./mailSettings";
import { startLocalHost, type LocalHost, type LocalHostOptions } from "./localHost";

export const DEFAULT_FUNCTION_KEY = "dev-function-key";
export const DEV_AUDIENCE = "api://app-passwords-local";

export interface LocalServiceOptions extends ServiceOverrides {
  readonly port: number;
  readonly tableConnectionString: string;
  /** Folder of the compiled (or, under vitest, source) function modules. */
  readonly functionsDir: string;
  /** Settings; the local defaults below fill in what it leaves out. */
  readonly env?: NodeJS.ProcessEnv;
  readonly functionKey?: string;
  readonly onLog?: LocalHostOptions["onLog"];
  /** The built self-service page (portal/dist) to serve at `/`. */
  readonly portalDir?: string;
}

export interface LocalService {
  readonly host: LocalHost;
  readonly issuer: DevTokenIssuer;
  readonly config: Config;
  readonly services: Services;
  readonly functionKey: string;
}

/**
 * The service as `npm start` and the end-to-end tests run it: the functions behind the local host, wired to
 * Azurite, with the development token issuer as the trusted issuer unless the settings name another.
 */
export async function startLocalService(options: LocalServiceOptions): Promise<LocalService> {
  const origin = `http://127.0.0.1:${options.port}`;
  const config = loadConfig({
    AUTH_ISSUER: `${origin}/dev`,
    AUTH_AUDIENCE: DEV_AUDIENCE,
    AUTH_JWKS_URI: `${origin}/dev/jwks`,
    APP_PASSWORDS_TABLE_CONNECTION_STRING: options.tableConnectionString,
    // A key of its own per start unless the settings give one (`npm start` keeps one in .azurite/).
    APP_PASSWORDS_THROTTLE_KEY: randomBytes(32).toString("base64url"),
    ...Object.fromEntries(Object.entries(options.env ?? {}).filter(([, value]) => value !== undefined && value !== "")),
  });
  const issuer = createDevTokenIssuer(
    config.auth.issuers[0] ?? `${origin}/dev`,
    config.auth.audiences[0] ?? DEV_AUDIENCE,
    config.auth.requiredScope,
  );
  const services = createServices(config, options);
  const functionKey = options.functionKey ?? DEFAULT_FUNCTION_KEY;
  const host = await startLocalHost({
    functions: await loadFunctions(options.functionsDir),
    services: () => services,
    functionKey,
    issuer,
    port: options.port,
    ...(options.onLog && { onLog: options.onLog }),
    ...(options.portalDir !== undefined && { portalDir: options.portalDir }),
    portalMail: mailSettingsFromEnv(options.env ?? {}),
    ...(config.notices.queueConnectionString !== undefined && {
      queueConnectionString: config.notices.queueConnectionString,
    }),
  });
  return { host, issuer, config, services, functionKey };
}
