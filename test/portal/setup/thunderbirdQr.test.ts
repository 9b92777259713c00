import jsQR from "jsqr";
import { PNG } from "pngjs";
import QRCode from "qrcode";
import { describe, expect, it } from "vitest";
import type { DeviceSetupInput } from "../../../portal/src/setup/deviceSetupInput";
import { thunderbirdPayload } from "../../../portal/src/setup/thunderbirdQr";

const setup: DeviceSetupInput = {
  loginName: "jane@domain.example",
  appPasswordName: "Jane's phone",
  password: "abcdabcdabcdabcd",
  mail: {
    imap: { host: "imap.domain.example", port: 993, security: "ssl" },
    smtp: { host: "smtp.domain.example", port: 587, security: "starttls" },
  },
};

/** Renders the payload as the page does (qrcode, as a PNG) and reads it back with a decoder. */
async function scan(payload: unknown): Promise<unknown> {
  const png = PNG.sync.read(await QRCode.toBuffer(JSON.stringify(payload), { errorCorrectionLevel: "L", margin: 4 }));
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(code).not.toBeNull();
  return JSON.parse(code!.data);
}

// The specification's example "One IMAP account" (feature/migration/qrcode/qr-code-format.md, version 1).
const SPEC_EXAMPLE = [
  1,
  [1, 1],
  [0, "imap.domain.example", 993, 3, 1, "user@domain.example"],
  [
    [
      [0, "smtp.domain.example", 465, 3, 1, "user@domain.example"],
      ["user@domain.example", "Jane Doe"],
    ],
  ],
];

/** The shape of a version 1 payload: the spec example's structure, with the optional AccountName and Password. */
function expectVersion1(payload: unknown) {
  const [format, misc, incoming, groups, ...more] = payload as unknown[];
  expect(format).toBe(1);
  expect(misc).toEqual([1, 1]);
  expect(more).toEqual([]);
  const [protocol, host, port, security, auth, user, ...optional] = incoming as unknown[];
  expect([0, 1]).toContain(protocol);
  expect(typeof host).toBe("string");
  expect(port).toBeGreaterThanOrEqual(1);
  expect(port).toBeLessThanOrEqual(65535);
  expect([0, 2, 3]).toContain(security);
  expect(auth).toBe(1);
  expect(typeof user).toBe("string");
  expect(optional.length).toBeLessThanOrEqual(2);
  optional.forEach((value) => expect(typeof value).toBe("string"));
  expect(Array.isArray(groups) && groups.length).toBeGreaterThanOrEqual(1);
  for (const [server, identity] of groups as [unknown[], unknown[]][]) {
    expect(server.slice(0, 1)).toEqual([0]);
    expect(server.length === 6 || server.length === 7).toBe(true);
    expect(identity).toHaveLength(2);
    identity.forEach((value) => expect(typeof value).toBe("string"));
  }
}

describe("the Thunderbird QR code", () => {
  it("checks the specification's own example as valid", () => {
    expectVersion1(SPEC_EXAMPLE);
  });

  it("decodes to a version 1 payload with the settings and the password", async () => {
    const payload = await scan(thunderbirdPayload(setup));
    expectVersion1(payload);
    expect(payload).toEqual([
      1,
      [1, 1],
      [0, "imap.domain.example", 993, 3, 1, "jane@domain.example", "Jane's phone", setup.password],
      [
        [
          [0, "smtp.domain.example", 587, 2, 1, "jane@domain.example", setup.password],
          ["jane@domain.example", "jane"],
        ],
      ],
    ]);
  });

  it("carries the password only to the servers the app password allows", async () => {
    const pop = {
      ...setup,
      protocols: ["pop3"],
      mail: { ...setup.mail, pop3: { host: "pop.domain.example", port: 995, security: "ssl" } },
    } as const;
    const payload = (await scan(thunderbirdPayload(pop))) as unknown[][];
    expectVersion1(payload);
    expect(payload[2]?.slice(0, 2)).toEqual([1, "pop.domain.example"]);
    expect((payload[3]?.[0] as unknown[][])[0]).toHaveLength(6);
    expect(thunderbirdPayload({ ...setup, protocols: ["eas"] })).toBeUndefined();
    expect(thunderbirdPayload({ ...setup, mail: { imap: setup.mail.imap! } })).toBeUndefined();
  });
});
