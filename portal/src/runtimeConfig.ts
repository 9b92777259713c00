import type { MailServer, MailSettings } from "./setup/deviceSetupInput";

/** What the page is told at run time by `/config.json`: one build serves every environment. */
export type RuntimeConfig = (
  | { readonly auth: "dev"; readonly apiBaseUrl: string }
  | {
      readonly auth: "msal";
      readonly apiBaseUrl: string;
      readonly clientId: string;
      readonly tenantId: string;
      readonly apiScope: string;
    }
) & {
  /** The tenant's mail settings (checked where they are written); absent: the page shows a new password alone. */
  readonly mail?: MailSettings;
};

const server = (value: unknown): MailServer | undefined => {
  if (typeof value !== "object" || value === null) return undefined;
  const { host, port, security } = value as Record<string, unknown>;
  return typeof host === "string" && typeof port === "number" && (security === "ssl" || security === "starttls")
    ? { host, port, security }
    : undefined;
};

/** The parts of `mail` the page understands; anything else is left out. */
function mailSettings(value: unknown): MailSettings | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const json = value as Record<string, unknown>;
  const text = (name: string) => (typeof json[name] === "string" && json[name] !== "" ? json[name] : undefined);
  const [imap, pop3, smtp] = [server(json.imap), server(json.pop3), server(json.smtp)];
  const [activeSyncHost, davUrl, accountDescription] = [
    text("activeSyncHost"),
    text("davUrl"),
    text("accountDescription"),
  ];
  const mail: MailSettings = {
    ...(imap && { imap }),
    ...(pop3 && { pop3 }),
    ...(smtp && { smtp }),
    ...(activeSyncHost !== undefined && { activeSyncHost }),
    ...(davUrl !== undefined && { davUrl }),
    ...(accountDescription !== undefined && { accountDescription }),
  };
  return Object.keys(mail).length > 0 ? mail : undefined;
}

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
  const mail = mailSettings(json.mail);
  const withMail = mail === undefined ? {} : { mail };
  if (json.auth === "dev") return { auth: "dev", apiBaseUrl: text("apiBaseUrl"), ...withMail };
  if (json.auth === "msal") {
    return {
      auth: "msal",
      apiBaseUrl: text("apiBaseUrl"),
      clientId: text("clientId"),
      tenantId: text("tenantId"),
      apiScope: text("apiScope"),
      ...withMail,
    };
  }
  throw new Error(`${url} has an unknown "auth"; expected "dev" or "msal".`);
}
