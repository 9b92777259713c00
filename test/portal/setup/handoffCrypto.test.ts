import { describe, expect, it } from "vitest";
import {
  HandoffCryptoError,
  fromBase64url,
  handoffLink,
  openSetup,
  parseHandoffFragment,
  sealSetup,
  toBase64url,
} from "../../../portal/src/setup/handoffCrypto";

// A DeviceSetupInput (portal/src/setup/deviceSetupInput.ts, which Node's module rules cannot import as is).
const SETUP = {
  loginName: "alice@contoso.com",
  appPasswordName: "Alice's iPhone",
  password: "abcdefghijklmnop",
  protocols: ["imap", "smtp"],
  mail: {
    imap: { host: "imap.contoso.com", port: 993, security: "ssl" },
    smtp: { host: "smtp.contoso.com", port: 587, security: "starttls" },
    accountDescription: "Contoso mail",
  },
};
const isSetup = (value: unknown): value is typeof SETUP =>
  typeof value === "object" && value !== null && "password" in value;

describe("handoffCrypto: the hand-off's AES-GCM, in the browser (here Node's WebCrypto)", () => {
  it("seals a set-up under a fresh 256-bit key and 96-bit nonce, and opens it again with that key", async () => {
    const { sealed, key } = await sealSetup(SETUP);
    expect(fromBase64url(key)).toHaveLength(32);
    expect(fromBase64url(sealed.iv)).toHaveLength(12);
    // The plaintext as JSON plus the 16-byte GCM tag.
    expect(fromBase64url(sealed.ciphertext)).toHaveLength(new TextEncoder().encode(JSON.stringify(SETUP)).length + 16);
    expect(await openSetup(sealed, key, isSetup)).toEqual(SETUP);
  });

  it("never shows the password, login name or key in what is sent to the service", async () => {
    const { sealed, key } = await sealSetup(SETUP);
    const sent = JSON.stringify(sealed);
    for (const secret of [SETUP.password, SETUP.loginName, "imap.contoso.com", key]) expect(sent).not.toContain(secret);
  });

  it("uses a new key and nonce every time", async () => {
    const [a, b] = await Promise.all([sealSetup(SETUP), sealSetup(SETUP)]);
    expect(a.key).not.toBe(b.key);
    expect(a.sealed.iv).not.toBe(b.sealed.iv);
    expect(a.sealed.ciphertext).not.toBe(b.sealed.ciphertext);
  });

  it("refuses another key, an edited ciphertext, and a key or nonce of the wrong size", async () => {
    const { sealed, key } = await sealSetup(SETUP);
    const other = await sealSetup(SETUP);
    await expect(openSetup(sealed, other.key, isSetup)).rejects.toThrow(HandoffCryptoError);
    const bytes = fromBase64url(sealed.ciphertext) ?? new Uint8Array();
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    await expect(openSetup({ ...sealed, ciphertext: toBase64url(bytes) }, key, isSetup)).rejects.toThrow(
      HandoffCryptoError,
    );
    await expect(openSetup(sealed, key.slice(0, 20), isSetup)).rejects.toThrow(HandoffCryptoError);
    await expect(openSetup({ ...sealed, iv: "AAAA" }, key, isSetup)).rejects.toThrow(HandoffCryptoError);
    await expect(openSetup(sealed, "not base64url!", isSetup)).rejects.toThrow(HandoffCryptoError);
  });

  it("refuses a set-up of another shape, even under the right key", async () => {
    const { sealed, key } = await sealSetup({ something: "else" });
    await expect(openSetup(sealed, key, isSetup)).rejects.toThrow(HandoffCryptoError);
  });

  it("puts the id and key in the link's fragment only, and reads them back from it", () => {
    const link = handoffLink("https://portal.contoso.com/", "idIDid-_0123456789", "key_-KEY");
    expect(link).toBe("https://portal.contoso.com/handoff#idIDid-_0123456789.key_-KEY");
    const url = new URL(link);
    expect(url.pathname + url.search).toBe("/handoff");
    expect(parseHandoffFragment(url.hash)).toEqual({ id: "idIDid-_0123456789", key: "key_-KEY" });
    for (const fragment of ["", "#", "#only-an-id", "#id.", "#.key", "#a.b.c", "#a b.c"]) {
      expect(parseHandoffFragment(fragment), fragment).toBeUndefined();
    }
  });

  it("round-trips any bytes through base64url", () => {
    for (let length = 0; length < 40; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const text = toBase64url(bytes);
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(fromBase64url(text)).toEqual(bytes);
    }
    expect(fromBase64url("a")).toBeUndefined();
    expect(fromBase64url("ab+/")).toBeUndefined();
  });
});
