import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../shared/adapters/config";
import { freePort, startAzurite, startAzuriteQueue } from "./azurite";
import { EXAMPLE_MAIL_ENV, mailSettingNames } from "./mailSettings";
import { DEFAULT_FUNCTION_KEY, startLocalService } from "./startLocalService";

/**
 * `npm start`: Azurite (data in `.azurite/`) plus the local host on http://localhost:7071, with the
 * development token issuer. Ctrl-C, SIGTERM, or the end of the npm process that started it stops both.
 */
async function main() {
  const root = path.resolve(__dirname, "..", "..");
  const given = { ...readLocalSettings(path.join(root, "local.settings.json")), ...process.env };
  // No mail setting given: example servers that do not exist, so the set-up step has something to show.
  const exampleMail = !mailSettingNames.some((name) => given[name]?.trim());
  const env = exampleMail ? { ...EXAMPLE_MAIL_ENV, ...given } : given;
  const port = portSetting(env, "PORT", 7071);
  const functionKey = env.LOCAL_FUNCTION_KEY ?? DEFAULT_FUNCTION_KEY;

  const location = path.join(root, ".azurite");
  mkdirSync(location, { recursive: true });
  const wanted = portSetting(env, "AZURITE_TABLE_PORT", 10002);
  const azurite = await startAzurite({ location, port: (await isFree(wanted)) ? wanted : await freePort() });
  const wantedQueue = portSetting(env, "AZURITE_QUEUE_PORT", 10001);
  // The notices' queue: sendNotice mails from it when NOTICES_SMTP_URL is set.
  const queues = await startAzuriteQueue({
    location,
    port: (await isFree(wantedQueue)) ? wantedQueue : await freePort(),
  });

  let service;
  try {
    service = await startLocalService({
      port,
      tableConnectionString: azurite.connectionString,
      functionsDir: path.join(__dirname, "..", "functions"),
      // The embedded Azurite always holds the data under `npm start`, whatever local.settings.json says.
      env: {
        ...env,
        APP_PASSWORDS_TABLE_CONNECTION_STRING: azurite.connectionString,
        NOTICES_QUEUE_CONNECTION_STRING: queues.connectionString,
        APP_PASSWORDS_PORTAL_URL: env.APP_PASSWORDS_PORTAL_URL?.trim()
          ? env.APP_PASSWORDS_PORTAL_URL
          : `http://localhost:${port}`,
        APP_PASSWORDS_THROTTLE_KEY: env.APP_PASSWORDS_THROTTLE_KEY?.trim()
          ? env.APP_PASSWORDS_THROTTLE_KEY
          : localThrottleKey(location),
      },
      functionKey,
      portalDir: path.join(root, "portal", "dist"),
    });
  } catch (error) {
    await Promise.all([azurite.stop(), queues.stop()]);
    throw error;
  }
  const { host } = service;
  const base = `http://localhost:${port}`;
  console.log(`
App passwords service running at ${base}/api  (Azurite table storage on port ${azurite.port}, data in .azurite/)

The self-service page: ${base}/  (sign in as any login name; tick "Administrator" for the admin view)
${
  exampleMail
    ? `
Mail settings: EXAMPLES ONLY (imap.example.invalid, smtp.example.invalid …, servers that do not exist). The
set-up step of a new app password shows them; set MAIL_IMAP_HOST and the others (README, Configuration) for real.
`
    : ""
}
1. Get a development access token (any login name; add "roles":["AppPasswords.Admin"] for an admin):
   TOKEN=$(curl -s -X POST ${base}/dev/token -H 'Content-Type: application/json' \\
     -d '{"upn":"alice@contoso.com"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')

2. Register for two-step verification: the first time answers 201 with your first app password.
   curl -s -X POST ${base}/api/users/me/registration -H "Authorization: Bearer $TOKEN"

3. Create, list, rename and delete app passwords, and read your activity:
   curl -s -X POST ${base}/api/users/me/app-passwords -H "Authorization: Bearer $TOKEN" \\
     -H 'Content-Type: application/json' -d '{"name":"Alice'"'"'s iPhone"}'
   curl -s ${base}/api/users/me/app-passwords -H "Authorization: Bearer $TOKEN"
   curl -s -X PATCH ${base}/api/users/me/app-passwords/<id> -H "Authorization: Bearer $TOKEN" \\
     -H 'Content-Type: application/json' -d '{"name":"Work phone"}'
   curl -s -X DELETE ${base}/api/users/me/app-passwords/<id> -H "Authorization: Bearer $TOKEN"
   curl -s ${base}/api/users/me/activity -H "Authorization: Bearer $TOKEN"

4. Verify a login as a mail gateway does (function key: ${functionKey === DEFAULT_FUNCTION_KEY ? DEFAULT_FUNCTION_KEY : "$LOCAL_FUNCTION_KEY"}):
   curl -s -X POST ${base}/api/verify -H 'x-functions-key: ${functionKey === DEFAULT_FUNCTION_KEY ? DEFAULT_FUNCTION_KEY : "<LOCAL_FUNCTION_KEY>"}' \\
     -H 'Content-Type: application/json' -d '{"user":"alice@contoso.com","password":"<password>","clientIp":"203.0.113.7","protocol":"imap"}'

5. The OpenAPI document of every endpoint: ${base}/api/openapi.json

6. Notices by email: ${env.NOTICES_SMTP_URL?.trim() ? "sent through NOTICES_SMTP_URL" : "off; set NOTICES_SMTP_URL (e.g. smtp://127.0.0.1:1025) to send them"}.

The README walks through every endpoint. Ctrl-C stops the service and Azurite.
`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("Stopping...");
    await host.close();
    await Promise.all([azurite.stop(), queues.stop()]);
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
  whenParentExits(() => void stop());
}

/**
 * Calls `onExit` once the process that started this one is gone. `npm start` runs this script under a shell
 * (`npm run build && node ...`); a SIGTERM to npm reaches that shell, which exits without passing it on, and
 * this process would live on as an orphan, Azurite with it. Polling works alike on Windows, where an orphan
 * keeps its parent's id (then gone), and elsewhere, where it is handed to another parent.
 */
function whenParentExits(onExit: () => void) {
  const parent = process.ppid;
  const timer = setInterval(() => {
    let alive = process.ppid === parent;
    if (alive) {
      try {
        process.kill(parent, 0);
      } catch (error) {
        // EPERM: it exists, but another user owns it.
        alive = (error as NodeJS.ErrnoException).code === "EPERM";
      }
    }
    if (!alive) {
      clearInterval(timer);
      onExit();
    }
  }, 500);
  timer.unref();
}

/** A TCP port setting: a whole number from 1 to 65535, else a ConfigError naming it. */
function portSetting(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name]?.trim();
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new ConfigError(`Invalid configuration: ${name}: must be a whole number from 1 to 65535`);
  }
  return port;
}

/**
 * The throttle key of the local data, kept beside it in `.azurite/` so that a restart keeps the throttling
 * counts (a new key would only reset them); made at the first start.
 */
function localThrottleKey(location: string): string {
  const file = path.join(location, "throttle-key");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const key = randomBytes(32).toString("base64url");
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** `local.settings.json` `Values`, as `func start` would read them, when the file exists. */
function readLocalSettings(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { Values?: Record<string, string> };
  return parsed.Values ?? {};
}

async function isFree(port: number): Promise<boolean> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else if (error instanceof Error && "code" in error && error.code === "EADDRINUSE") {
    console.error(`Port is in use: ${error.message}. Stop the other process or set PORT to another port.`);
  } else console.error(error);
  process.exit(1);
});
