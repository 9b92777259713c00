import { describe, expect, it } from "vitest";
import { addressInRanges, parseAddress, parseRange } from "../../../shared/domain/addresses";

const canonical = (text: string) => {
  const range = parseRange(text);
  return range.ok ? range.canonical : `refused: ${range.reason}`;
};

describe("addresses", () => {
  describe("parseAddress: one reading of a client address", () => {
    it.each([
      ["203.0.113.7", "203.0.113.7"],
      [" 203.0.113.7 ", "203.0.113.7"],
      ["::ffff:203.0.113.7", "203.0.113.7"],
      ["::FFFF:CB00:7107", "203.0.113.7"],
      ["0:0:0:0:0:ffff:203.0.113.7", "203.0.113.7"],
      ["[::ffff:203.0.113.7]", "203.0.113.7"],
      ["::203.0.113.7", "203.0.113.7"],
      ["::cb00:7107", "203.0.113.7"],
      ["2001:DB8:0:0::1", "2001:db8::1"],
      ["[2001:db8::1]", "2001:db8::1"],
      ["fe80::1%eth0", "fe80::1"],
      ["::1", "::1"],
      ["::", "::"],
    ])("reads %s as %s", (text, address) => {
      expect(parseAddress(text)?.toString()).toBe(address);
    });

    it.each(["example.com", "", "0x7f.0.0.1", "127.1", "010.0.0.1", "203.0.113.7/32", "1.2.3.256"])(
      "refuses %j, which is no address (ipaddr.js alone would read some of these)",
      (text) => {
        expect(parseAddress(text)).toBeUndefined();
      },
    );
  });

  describe("parseRange: what allowedIps stores", () => {
    it.each([
      ["10.0.0.5/24", "10.0.0.0/24"],
      ["203.0.113.9", "203.0.113.9/32"],
      ["0.0.0.0/0", "0.0.0.0/0"],
      [" 198.51.100.77/31 ", "198.51.100.76/31"],
      ["2001:DB8:0:0::5/64", "2001:db8::/64"],
      ["2001:0db8:0000:0000:0001:0000:0000:0000/80", "2001:db8:0:0:1::/80"],
      ["2001:db8::1", "2001:db8::1/128"],
      ["fe80::/10", "fe80::/10"],
      ["::1", "::1/128"],
      ["::/128", "::/128"],
      ["::/112", "::/112"],
    ])("masks the host bits of %s and stores the canonical %s", (text, stored) => {
      expect(canonical(text)).toBe(stored);
    });

    it.each([
      ["::ffff:203.0.113.7/120", "203.0.113.0/24"],
      ["::ffff:203.0.113.7", "203.0.113.7/32"],
      ["::ffff:cb00:7107/128", "203.0.113.7/32"],
      ["0:0:0:0:0:FFFF:203.0.113.7/104", "203.0.0.0/8"],
      ["::ffff:0:0/96", "0.0.0.0/0"],
    ])("stores the IPv4-mapped %s as the IPv4 range %s", (text, stored) => {
      expect(canonical(text)).toBe(stored);
    });

    it.each(["::ffff:203.0.113.7/24", "::ffff:203.0.113.7/95", "::ffff:0:0/0"])(
      "refuses the IPv4-mapped %s with a prefix under 96, saying why",
      (text) => {
        expect(canonical(text)).toMatch(/IPv4-mapped.*at least 96/);
      },
    );

    it.each(["::/0", "::/1", "::/64", "::/80", "0:0:0:0:0:fffe::/95", "::fff0:0:0/92"])(
      "refuses %s, which contains ::ffff:0:0/96, saying why",
      (text) => {
        expect(canonical(text)).toMatch(/must not contain ::ffff:0:0\/96/);
      },
    );

    it.each(["::/81", "::/96", "::/100", "::203.0.113.0/120", "::cb00:7100/120", "::203.0.113.7"])(
      "refuses %s, which contains IPv4-compatible addresses (matched as IPv4), saying why",
      (text) => {
        expect(canonical(text)).toMatch(/IPv4-compatible/);
      },
    );

    it.each([["2001:db8::/32"], ["8000::/1"], ["::1:0:0:0/80"], ["::fffe:0:0/96"], ["::1:ffff:0:0/96"]])(
      "keeps %s, which contains no IPv4-mapped or -compatible address",
      (text) => {
        expect(parseRange(text).ok).toBe(true);
      },
    );

    it.each(["fe80::1%eth0", "fe80::%eth0/64", "fe80::1%25eth0/128"])(
      "refuses the zone id in %s, saying why",
      (text) => {
        expect(canonical(text)).toMatch(/zone id/);
      },
    );

    it.each([
      "203.0.113.0/33",
      "2001:db8::/129",
      "203.0.113.0/",
      "203.0.113.0/24/1",
      "10.0.0.0/+8",
      "example.com",
      "1.2.3/8",
      "127.1",
      "0x7f.0.0.1/8",
      "010.0.0.0/8",
      "[2001:db8::]/32",
      "",
    ])("refuses %j as no range", (text) => {
      expect(canonical(text)).toBe("refused: must be an IPv4 or IPv6 CIDR range, like 203.0.113.0/24");
    });
  });

  describe("addressInRanges", () => {
    it("matches every spelling of an IPv4 client against the IPv4 range a mapped range is stored as", () => {
      const stored = [canonical("::ffff:203.0.113.7/120")];
      for (const client of ["203.0.113.9", "::ffff:203.0.113.9", "::ffff:cb00:7109", "[::ffff:203.0.113.9]"]) {
        expect(addressInRanges(client, stored)).toBe(true);
      }
      expect(addressInRanges("198.51.100.9", stored)).toBe(false);
      expect(addressInRanges("::ffff:198.51.100.9", stored)).toBe(false);
    });

    it("admits nobody by a range stored before it was refused, such as ::ffff:203.0.113.7/24 or ::/0", () => {
      for (const client of ["198.51.100.9", "203.0.113.7", "::ffff:198.51.100.9", "2001:db8::1"]) {
        expect(addressInRanges(client, ["::ffff:203.0.113.7/24"])).toBe(false);
        expect(addressInRanges(client, ["::/0"])).toBe(false);
      }
    });

    it("keeps IPv4 and IPv6 apart: 0.0.0.0/0 is every IPv4 client, 2001:db8::/32 no IPv4 one", () => {
      expect(addressInRanges("::ffff:192.0.2.1", ["0.0.0.0/0"])).toBe(true);
      expect(addressInRanges("2001:db8::1", ["0.0.0.0/0"])).toBe(false);
      expect(addressInRanges("2001:db8::1", ["2001:db8::/32"])).toBe(true);
      expect(addressInRanges("::ffff:192.0.2.1", ["2001:db8::/32"])).toBe(false);
      expect(addressInRanges("::1", ["::1/128"])).toBe(true);
    });

    it("admits nobody for an address it cannot read", () => {
      expect(addressInRanges("not an address", ["0.0.0.0/0"])).toBe(false);
    });
  });
});
