import { describe, expect, it } from "vitest";
import { PROTOCOLS, normalizeProtocol } from "../../../shared/domain/protocols";

describe("normalizeProtocol", () => {
  it.each([
    ["imap", "imap"],
    ["IMAPS", "imap"],
    ["pop3s", "pop3"],
    ["submission", "smtp"],
    ["smtps", "smtp"],
    ["lmtp", "smtp"],
    ["ActiveSync", "eas"],
    ["caldav", "dav"],
    ["carddav", "dav"],
    [" imap ", "imap"],
  ])("maps a gateway's %s to %s", (name, protocol) => {
    expect(normalizeProtocol(name)).toBe(protocol);
  });

  it.each([["sieve"], ["managesieve"], ["gopher"], [""], [undefined]])("calls %s other", (name) => {
    expect(normalizeProtocol(name)).toBe("other");
  });

  it.each([["constructor"], ["__proto__"], ["toString"], ["hasOwnProperty"], ["CONSTRUCTOR"], [" valueOf "]])(
    "calls %s other: a name is looked up as data, never as a property every object has",
    (name) => {
      expect(normalizeProtocol(name)).toBe("other");
    },
  );

  it("maps each protocol's own name to itself", () => {
    for (const protocol of PROTOCOLS) expect(normalizeProtocol(protocol)).toBe(protocol);
  });
});
