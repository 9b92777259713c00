import { describe, expect, it } from "vitest";
import { addressInRanges, parseCidr } from "../../../shared/domain/addresses";
import { expiryAfter, restrictionsAllow } from "../../../shared/domain/restrictions";

describe("restrictions", () => {
  describe("parseCidr", () => {
    it.each([
      ["203.0.113.0/24", ["203.0.113.0", 24, "ipv4"]],
      ["203.0.113.9", ["203.0.113.9", 32, "ipv4"]],
      ["2001:DB8::/32", ["2001:db8::", 32, "ipv6"]],
      ["::1", ["::1", 128, "ipv6"]],
      ["0.0.0.0/0", ["0.0.0.0", 0, "ipv4"]],
    ])("reads %s", (value, expected) => {
      expect(parseCidr(value)).toEqual(expected);
    });

    it.each([
      "203.0.113.0/33",
      "2001:db8::/129",
      "203.0.113.0/",
      "203.0.113.0/24/1",
      "example.com",
      "1.2.3/8",
      "10.0.0.0/+8",
      "",
    ])("refuses %s", (value) => {
      expect(parseCidr(value)).toBeUndefined();
    });
  });

  describe("addressInRanges", () => {
    const ranges = ["203.0.113.0/24", "2001:db8:1::/48"];
    it.each([
      ["203.0.113.200", true],
      ["203.0.114.1", false],
      ["::ffff:203.0.113.5", true],
      ["2001:db8:1:ffff::1", true],
      ["2001:db8:2::1", false],
      ["not an address", false],
    ])("%s is inside: %s", (address, inside) => {
      expect(addressInRanges(address, ranges)).toBe(inside);
    });
  });

  describe("restrictionsAllow", () => {
    const now = new Date("2026-05-01T00:00:00Z");
    const login = { clientIp: "198.51.100.4", protocol: "imap", now } as const;

    it("allows anything when there are no restrictions", () => {
      expect(restrictionsAllow({}, login)).toBe(true);
    });

    it("refuses once expired, from the very moment of expiry", () => {
      expect(restrictionsAllow({ expiresAt: new Date(now.getTime() + 1) }, login)).toBe(true);
      expect(restrictionsAllow({ expiresAt: now }, login)).toBe(false);
    });

    it("refuses another protocol and another address", () => {
      expect(restrictionsAllow({ protocols: ["smtp"] }, login)).toBe(false);
      expect(restrictionsAllow({ protocols: ["smtp", "imap"] }, login)).toBe(true);
      expect(restrictionsAllow({ allowedIps: ["198.51.100.0/24"] }, login)).toBe(true);
      expect(restrictionsAllow({ allowedIps: ["198.51.101.0/24"] }, login)).toBe(false);
    });

    it("counts lifetimes in whole days from creation", () => {
      expect(expiryAfter(now, 30).toISOString()).toBe("2026-05-31T00:00:00.000Z");
    });
  });
});
