/** One-way hashing of app passwords. Async: argon2 runs on the libuv thread pool, off the event loop. */
export interface PasswordHasher {
  /** A PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`) with a fresh random salt. */
  hash(password: string): Promise<string>;
  /** Whether `password` matches `phc`. A malformed PHC string counts as no match. */
  verify(phc: string, password: string): Promise<boolean>;
  /** Whether `phc` was made with weaker parameters than the configured ones and should be replaced. */
  needsRehash(phc: string): boolean;
}
