/**
 * The hand-off's encryption, all in the browser: a device set-up (`DeviceSetupInput`) is sealed with AES-GCM under a random 256-bit
 * key that travels only in the link's fragment (`/handoff#<id>.<key>`), which browsers never send to a server.
 * The service stores the ciphertext and never sees the key or the plaintext.
 */

/** What the service stores and answers once: AES-GCM output (tag included) and its nonce, base64url. */
export interface SealedSetup {
  readonly ciphertext: string;
  readonly iv: string;
}

/** A sealed set-up and the key that opens it, base64url: the key goes into the link, never to the service. */
export interface SealedHandoff {
  readonly sealed: SealedSetup;
  readonly key: string;
}

/** The path of the phone page. */
export const HANDOFF_PATH = "/handoff";

const KEY_BYTES = 32;
const IV_BYTES = 12;

/** base64url without padding. */
export function toBase64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The bytes of base64url text; undefined when it is not base64url. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const importKey = (raw: Uint8Array<ArrayBuffer>, usage: "encrypt" | "decrypt") =>
  crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, [usage]);

/**
 * Encrypts a set-up, as JSON, under a fresh random key and nonce. Typed loosely (and `openSetup` given a guard)
 * so that this module imports nothing and runs as is under Node's WebCrypto in the unit tests.
 */
export async function sealSetup(setup: object): Promise<SealedHandoff> {
  const raw = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = new TextEncoder().encode(JSON.stringify(setup));
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await importKey(raw, "encrypt"), plaintext);
  return {
    sealed: { ciphertext: toBase64url(new Uint8Array(ciphertext)), iv: toBase64url(iv) },
    key: toBase64url(raw),
  };
}

/** Why a sealed set-up did not open. */
export class HandoffCryptoError extends Error {
  override readonly name = "HandoffCryptoError";
}

/**
 * Decrypts a set-up sealed by {@link sealSetup} and checks its shape with `isSetup`; throws
 * {@link HandoffCryptoError} for a wrong key, edited data or a set-up of another shape.
 */
export async function openSetup<T>(
  sealed: SealedSetup,
  key: string,
  isSetup: (value: unknown) => value is T,
): Promise<T> {
  const raw = fromBase64url(key);
  const iv = fromBase64url(sealed.iv);
  const ciphertext = fromBase64url(sealed.ciphertext);
  if (raw?.length !== KEY_BYTES || iv?.length !== IV_BYTES || ciphertext === undefined) {
    throw new HandoffCryptoError("The link is not complete.");
  }
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, await importKey(raw, "decrypt"), ciphertext);
  } catch {
    throw new HandoffCryptoError("The set-up could not be decrypted with this link's key.");
  }
  let setup: unknown;
  try {
    setup = JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    setup = undefined;
  }
  if (!isSetup(setup)) throw new HandoffCryptoError("The set-up is not one this page can show.");
  return setup;
}

/** The link the phone opens: the page's origin, the phone page, and the id and key in the fragment. */
export function handoffLink(origin: string, id: string, key: string): string {
  return `${origin.replace(/\/+$/, "")}${HANDOFF_PATH}#${id}.${key}`;
}

/** The id and key of a link's fragment (`#<id>.<key>`, with or without the `#`); undefined if it has none. */
export function parseHandoffFragment(fragment: string): { readonly id: string; readonly key: string } | undefined {
  const match = /^#?([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(fragment);
  return match?.[1] !== undefined && match[2] !== undefined ? { id: match[1], key: match[2] } : undefined;
}
