import { normalizeAppPassword } from "../../shared/domain/appPasswordSecret";
import { wrongPasswordFingerprint } from "../../shared/domain/verifyThrottle";
import type { ServiceClient } from "./serviceClient";

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
 * Verify tells wrong passwords apart by a 16-bit fingerprint keyed with the service's throttle key, so two
 * of ten random ones share a fingerprint about once in 1 500 tries, and a lockout a test waits for would
 * come one failure late. Each password handed out here has a fingerprint that none handed out before has.
 */
export function countedWrongPasswords(service: ServiceClient, owner: string) {
  const fingerprint = (password: string) =>
    wrongPasswordFingerprint(service.config.throttleKey, owner, normalizeAppPassword(password));
  const taken = new Set<string>();
  let candidate = 0;
  return async function next(): Promise<string> {
    let password: string;
    do password = wrongPassword(candidate++);
    while (taken.has(fingerprint(password)));
    taken.add(fingerprint(password));
    return Promise.resolve(password);
  };
}
