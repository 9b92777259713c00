import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portalConfigFromEnv, writePortalConfig } from "../../dev/writePortalConfig";

/** The azd environment after `azd provision`: main.bicep's outputs, as azd hands them to the predeploy hook. */
const outputs = {
  PORTAL_CLIENT_ID: "12345678-aaaa-bbbb-cccc-1234567890ab",
  PORTAL_TENANT_ID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
  PORTAL_API_SCOPE: "api://99999999-8888-7777-6666-555555555555/AppPasswords.Manage",
  API_BASE_URL: "https://func-app-passwords-abc.azurewebsites.net/api",
};

describe("portalConfigFromEnv", () => {
  it("gives the page exactly the shape it reads, from the deployment's outputs", () => {
    expect(portalConfigFromEnv(outputs)).toStrictEqual({
      auth: "msal",
      clientId: "12345678-aaaa-bbbb-cccc-1234567890ab",
      tenantId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
      apiScope: "api://99999999-8888-7777-6666-555555555555/AppPasswords.Manage",
      apiBaseUrl: "https://func-app-passwords-abc.azurewebsites.net/api",
    });
  });

  it("drops a trailing slash from the API base URL, so the page can append /users/me/...", () => {
    expect(portalConfigFromEnv({ ...outputs, API_BASE_URL: `${outputs.API_BASE_URL}/` }).apiBaseUrl).toBe(
      outputs.API_BASE_URL,
    );
  });

  it("refuses a missing or blank client id and says which azd value sets it", () => {
    expect(() => portalConfigFromEnv({ ...outputs, PORTAL_CLIENT_ID: " " })).toThrow(
      /PORTAL_CLIENT_ID not set.*azd env set APP_PASSWORDS_PORTAL_CLIENT_ID/,
    );
  });

  it("names every output that is missing when the deployment was not provisioned", () => {
    expect(() => portalConfigFromEnv({})).toThrow(
      "PORTAL_CLIENT_ID, PORTAL_TENANT_ID, PORTAL_API_SCOPE, API_BASE_URL not set",
    );
  });
});

describe("portalConfigFromEnv's mail settings", () => {
  it("come from main.bicep's PORTAL_<setting> outputs, checked, and are absent when none is set", () => {
    expect(portalConfigFromEnv(outputs)).not.toHaveProperty("mail");
    expect(
      portalConfigFromEnv({ ...outputs, PORTAL_MAIL_IMAP_HOST: "imap.contoso.com", PORTAL_MAIL_IMAP_SECURITY: "" })
        .mail,
    ).toStrictEqual({ imap: { host: "imap.contoso.com", port: 993, security: "ssl" } });
    expect(() => portalConfigFromEnv({ ...outputs, PORTAL_MAIL_SMTP_HOST: "smtp.contoso.com:587" })).toThrow(
      /MAIL_SMTP_HOST must be a host name/,
    );
  });
});

describe("writePortalConfig", () => {
  let dist: string;

  beforeAll(async () => {
    dist = await mkdtemp(path.join(tmpdir(), "app-passwords-portal-dist-"));
  });

  afterAll(async () => {
    await rm(dist, { recursive: true, force: true });
  });

  it("writes config.json into the built page", () => {
    const file = writePortalConfig(dist, outputs);
    expect(file).toBe(path.join(dist, "config.json"));
    expect(JSON.parse(readFileSync(file, "utf8"))).toStrictEqual(portalConfigFromEnv(outputs));
  });

  it("writes no file when an output is missing", async () => {
    const empty = await mkdtemp(path.join(tmpdir(), "app-passwords-portal-dist-"));
    try {
      expect(() => writePortalConfig(empty, { ...outputs, API_BASE_URL: "" })).toThrow(/API_BASE_URL not set/);
      expect(readdirSync(empty)).toEqual([]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
