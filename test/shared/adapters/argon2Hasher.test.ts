import { describe, expect, it } from "vitest";
import { createArgon2Hasher } from "../../../shared/adapters/argon2Hasher";

const owasp = createArgon2Hasher({ memoryKib: 19456, timeCost: 2, parallelism: 1 });
const weak = createArgon2Hasher({ memoryKib: 8192, timeCost: 1, parallelism: 1 });

describe("createArgon2Hasher", () => {
  describe("hash", () => {
    it("returns an argon2id PHC string with the configured parameters", async () => {
      const phc = await owasp.hash("abcdefghijklmnop");
      expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
      expect(phc).not.toContain("abcdefghijklmnop");
    });

    it("salts every hash afresh", async () => {
      const [first, second] = await Promise.all([owasp.hash("abcdefghijklmnop"), owasp.hash("abcdefghijklmnop")]);
      expect(first).not.toBe(second);
    });
  });

  describe("verify", () => {
    it("returns true for the password that was hashed", async () => {
      expect(await owasp.verify(await owasp.hash("abcdefghijklmnop"), "abcdefghijklmnop")).toBe(true);
    });

    it("returns false for another password", async () => {
      const phc = await owasp.hash("abcdefghijklmnop");
      expect(await owasp.verify(phc, "abcdefghijklmnoq")).toBe(false);
      expect(await owasp.verify(phc, "")).toBe(false);
    });

    it("verifies a hash made with other parameters", async () => {
      expect(await owasp.verify(await weak.hash("abcdefghijklmnop"), "abcdefghijklmnop")).toBe(true);
    });

    it.each([
      ["an empty string", ""],
      ["plain text", "not-a-phc-string"],
      ["a PHC string with a broken salt and hash", "$argon2id$v=19$m=19456,t=2,p=1$!!!$???"],
      ["a PHC string without a hash", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ"],
      ["an unknown algorithm", "$scrypt$ln=15,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"],
    ])("returns false rather than throwing for %s", async (_, phc) => {
      await expect(owasp.verify(phc, "abcdefghijklmnop")).resolves.toBe(false);
    });

    it("returns false rather than throwing for a truncated hash", async () => {
      const phc = await owasp.hash("abcdefghijklmnop");
      await expect(owasp.verify(phc.slice(0, -10), "abcdefghijklmnop")).resolves.toBe(false);
    });
  });

  describe("needsRehash", () => {
    it("returns true for a hash made with weaker parameters", async () => {
      const phc = await weak.hash("abcdefghijklmnop");
      expect(phc).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);
      expect(owasp.needsRehash(phc)).toBe(true);
    });

    it("returns true when any one parameter is weaker", async () => {
      const lessMemory = createArgon2Hasher({ memoryKib: 16384, timeCost: 2, parallelism: 1 });
      const fewerPasses = createArgon2Hasher({ memoryKib: 19456, timeCost: 1, parallelism: 1 });
      expect(owasp.needsRehash(await lessMemory.hash("abcdefghijklmnop"))).toBe(true);
      expect(owasp.needsRehash(await fewerPasses.hash("abcdefghijklmnop"))).toBe(true);
    });

    it("returns false for a hash made with the same parameters", async () => {
      expect(owasp.needsRehash(await owasp.hash("abcdefghijklmnop"))).toBe(false);
    });

    it("returns false for a hash made with stronger parameters", async () => {
      expect(weak.needsRehash(await owasp.hash("abcdefghijklmnop"))).toBe(false);
    });

    it("returns true for a string that is not an argon2id PHC string", () => {
      expect(owasp.needsRehash("not-a-phc-string")).toBe(true);
      expect(owasp.needsRehash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo")).toBe(true);
    });
  });
});
