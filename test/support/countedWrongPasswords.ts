import { expect } from "vitest";
import { normalizeAppPassword } from "../../shared/domain/appPasswordSecret";
import { wrongPasswordFingerprint } from "../../shared/domain/verifyThrottle";
import type { ServiceClient } from "./serviceClient";
import { azuriteStore } from "./testService";

/** The `n`th wrong password: 16 lowercase letters (`n` in base 26), shaped like a real app password. */
const wrongPassword = (n: number) =>
  `wrong${n
    .toString(26)
    .padStart(11, "0")
    .replace(/./g, (digit) => String.fromCharCode(97 + parseInt(digit, 26)))}`;

/**
 * Hands out wrong passwords for `owner` (a user id, or `unknownOwner` of a login name) that each count as a
 * new failure: send each one before asking for the next.
 *
 * Verify tells wrong passwords apart by a 16-bit fingerprint under a salt it draws per user at the first
 * failure, so two of ten random ones share a fingerprint about once in 1 500 tries, and a lockout a test
 * waits for would come one failure late. Each password handed out here has a fingerprint, under the owner's
 * salt as stored, that none handed out before has.
 */
export function countedWrongPasswords(service: ServiceClient, owner: string) {
  // Straight to Azurite, not through whatever the service is wired to (a counting proxy, say).
  const store = azuriteStore(service.config.table.tableName);
  const handedOut: string[] = [];
  let candidate = 0;
  return async function next(): Promise<string> {
    const { salt } = (await store.getThrottle(owner)).state;
    // Before the first failure there is no salt, and nothing for the first password to collide with.
    if (salt === undefined) expect(handedOut, "no salt after a failure: was it sent?").toEqual([]);
    const fingerprint = (password: string) =>
      salt === undefined ? password : wrongPasswordFingerprint(salt, normalizeAppPassword(password));
    const taken = new Set(handedOut.map(fingerprint));
    let password: string;
    do password = wrongPassword(candidate++);
    while (taken.has(fingerprint(password)));
    handedOut.push(password);
    return password;
  };
}
