import { createHash, randomInt } from "node:crypto";

/** Letters an app password is made of. */
export const APP_PASSWORD_ALPHABET = "abcdefghijklmnopqrstuvwxyz";

/** Length of an app password: 16 letters from 26 is about 75 bits. */
export const APP_PASSWORD_LENGTH = 16;

/**
 * Generates a new app password: 16 lowercase letters, each drawn uniformly by `crypto.randomInt` (which
 * rejects out-of-range samples, so there is no modulo bias).
 */
export function generateAppPassword(): string {
  let password = "";
  for (let i = 0; i < APP_PASSWORD_LENGTH; i++) {
    password += APP_PASSWORD_ALPHABET.charAt(randomInt(APP_PASSWORD_ALPHABET.length));
  }
  return password;
}

/**
 * The form in which a typed app password is checked: spaces and hyphens removed, lowercase. People copy
 * app passwords from the portal into phone keyboards that capitalize and group them.
 */
export function normalizeAppPassword(typed: string): string {
  return typed.replace(/[\s-]+/g, "").toLowerCase();
}

/**
 * The app password's id and lookup key: 32 bits of SHA-256 over the user id and the normalized password.
 *
 * It lets verify find the one stored hash to check with a single point read, instead of running argon2
 * over every app password the user has. Why this leaks nothing useful: an app password carries about 75
 * bits of entropy, so 2^43 candidates share any given tag, and finding them takes 2^75 hashes; the argon2
 * hash stays the only thing that confirms a password. The user id salts it, so no table serves two users.
 */
export function appPasswordTag(userId: string, normalizedPassword: string): string {
  return createHash("sha256").update(`app-password-tag:v1:${userId}:${normalizedPassword}`).digest("hex").slice(0, 8);
}
