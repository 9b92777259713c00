import { z } from "zod";

/**
 * The tenant's mail settings: the servers people's mail apps connect to. They are settings of the page, not of
 * the function app: the local host serves them in `/config.json`, and in Azure the web service's predeploy hook
 * writes them there (dev/writePortalConfig.ts) from the azd environment values of the same names.
 */
export interface MailServer {
  readonly host: string;
  readonly port: number;
  /** `ssl`: TLS from the first byte (993, 995, 465); `starttls`: plain, then upgraded (143, 110, 587). */
  readonly security: "ssl" | "starttls";
}

export interface MailSettings {
  readonly imap?: MailServer;
  readonly pop3?: MailServer;
  readonly smtp?: MailServer;
  readonly activeSyncHost?: string;
  readonly davUrl?: string;
  readonly accountDescription?: string;
}

const SERVERS = {
  imap: { prefix: "MAIL_IMAP", ports: { ssl: 993, starttls: 143 } },
  pop3: { prefix: "MAIL_POP3", ports: { ssl: 995, starttls: 110 } },
  smtp: { prefix: "MAIL_SMTP", ports: { ssl: 465, starttls: 587 } },
} as const;

/** Every mail setting, as README's Configuration table names them. */
export const mailSettingNames: readonly string[] = [
  ...Object.values(SERVERS).flatMap(({ prefix }) => [`${prefix}_HOST`, `${prefix}_PORT`, `${prefix}_SECURITY`]),
  "MAIL_ACTIVESYNC_HOST",
  "MAIL_DAV_URL",
  "MAIL_ACCOUNT_DESCRIPTION",
];

/** A DNS name or an address in brackets-free form; no scheme, path or port. */
const hostName = z
  .string()
  .max(253)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/, {
    message: "must be a host name such as mail.contoso.com (no scheme, path or port)",
  });
const port = z.coerce
  .number({ message: "must be a port number" })
  .int({ message: "must be a whole number" })
  .min(1, { message: "must be 1–65535" })
  .max(65535, { message: "must be 1–65535" });
const security = z.enum(["ssl", "starttls"], { message: 'must be "ssl" or "starttls"' });
const httpsUrl = z.url({ protocol: /^https$/, message: "must be an https URL such as https://dav.contoso.com/" });
const description = z.string().max(100, { message: "must be at most 100 characters" });

export class MailSettingsError extends Error {}

/**
 * Reads and checks the mail settings; an empty or unset one is absent. Throws a {@link MailSettingsError} naming
 * each bad setting and what it must be, so a typo stops the start instead of reaching people's phones.
 */
export function mailSettingsFromEnv(env: NodeJS.ProcessEnv): MailSettings {
  const problems: string[] = [];
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const check = <T>(name: string, schema: z.ZodType<T>): T | undefined => {
    const value = read(name);
    if (value === undefined) return undefined;
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    problems.push(`${name} ${parsed.error.issues[0]?.message ?? "is not valid"} (it is "${value}")`);
    return undefined;
  };
  const settings: { -readonly [K in keyof MailSettings]: MailSettings[K] } = {};
  for (const [kind, { prefix, ports }] of Object.entries(SERVERS) as [
    keyof typeof SERVERS,
    (typeof SERVERS)[keyof typeof SERVERS],
  ][]) {
    const host = check(`${prefix}_HOST`, hostName);
    const givenSecurity = check(`${prefix}_SECURITY`, security);
    const givenPort = check(`${prefix}_PORT`, port);
    if (read(`${prefix}_HOST`) === undefined) {
      const orphans = [`${prefix}_PORT`, `${prefix}_SECURITY`].filter((name) => read(name) !== undefined);
      if (orphans.length > 0) problems.push(`${orphans.join(" and ")} given without ${prefix}_HOST`);
      continue;
    }
    if (host === undefined) continue;
    const chosen = givenSecurity ?? "ssl";
    settings[kind] = { host, port: givenPort ?? ports[chosen], security: chosen };
  }
  const activeSyncHost = check("MAIL_ACTIVESYNC_HOST", hostName);
  if (activeSyncHost !== undefined) settings.activeSyncHost = activeSyncHost;
  const davUrl = check("MAIL_DAV_URL", httpsUrl);
  if (davUrl !== undefined) settings.davUrl = davUrl;
  const accountDescription = check("MAIL_ACCOUNT_DESCRIPTION", description);
  if (accountDescription !== undefined) settings.accountDescription = accountDescription;
  if (problems.length > 0) throw new MailSettingsError(`Mail settings: ${problems.join("; ")}.`);
  return settings;
}

/** What `npm start` uses when no mail setting is given: servers that do not exist, so nothing reaches anybody. */
export const EXAMPLE_MAIL_ENV: Readonly<Record<string, string>> = {
  MAIL_IMAP_HOST: "imap.example.invalid",
  MAIL_IMAP_PORT: "993",
  MAIL_IMAP_SECURITY: "ssl",
  MAIL_POP3_HOST: "pop3.example.invalid",
  MAIL_POP3_PORT: "995",
  MAIL_POP3_SECURITY: "ssl",
  MAIL_SMTP_HOST: "smtp.example.invalid",
  MAIL_SMTP_PORT: "587",
  MAIL_SMTP_SECURITY: "starttls",
  MAIL_ACTIVESYNC_HOST: "eas.example.invalid",
  MAIL_ACCOUNT_DESCRIPTION: "Example mail (npm start; servers do not exist)",
};
