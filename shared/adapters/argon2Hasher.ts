import { Algorithm, hash, verify } from "@node-rs/argon2";
import type { PasswordHasher } from "../domain/passwordHasher";

export interface Argon2Parameters {
  readonly memoryKib: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

const PHC_PARAMETERS = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/;

/** argon2id through `@node-rs/argon2`, at the given cost (OWASP minimum: m=19456 KiB, t=2, p=1). */
export function createArgon2Hasher(parameters: Argon2Parameters): PasswordHasher {
  const options = {
    algorithm: Algorithm.Argon2id,
    memoryCost: parameters.memoryKib,
    timeCost: parameters.timeCost,
    parallelism: parameters.parallelism,
  };
  return {
    hash: (password) => hash(password, options),
    verify: async (phc, password) => {
      try {
        return await verify(phc, password);
      } catch {
        return false;
      }
    },
    needsRehash: (phc) => {
      const match = PHC_PARAMETERS.exec(phc);
      if (!match) return true;
      const [, m, t, p] = match.map(Number);
      return (
        m === undefined ||
        t === undefined ||
        p === undefined ||
        m < parameters.memoryKib ||
        t < parameters.timeCost ||
        p < parameters.parallelism
      );
    },
  };
}
