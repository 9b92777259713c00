import { describe, expect, it } from "vitest";
import { MAX_COMBINING_MARKS, appPasswordName } from "../../../shared/adapters/requestSchemas";

const messagesFor = (name: string) => {
  const parsed = appPasswordName.safeParse(name);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
};

describe("appPasswordName", () => {
  it("stores a name in its composed form (NFC), so two names that look the same are the same", () => {
    const decomposed = "E\u0301cole laptop";
    expect(appPasswordName.parse(decomposed)).toBe("\u00c9cole laptop");
    expect(appPasswordName.parse(decomposed)).toBe(appPasswordName.parse("\u00c9cole laptop"));
  });

  it("counts the limit on the trimmed name", () => {
    expect(appPasswordName.parse(`  ${"a".repeat(128)}  `)).toHaveLength(128);
    expect(messagesFor("a".repeat(129))).toEqual(["must be at most 128 characters"]);
  });

  it.each([
    ["a zero-width space", "Pho\u200bne"],
    ["a zero-width non-joiner", "Pho\u200cne"],
    ["a zero-width joiner between letters", "Pho\u200dne"],
    ["a word joiner", "Phone\u2060"],
    ["a byte order mark", "Pho\ufeffne"],
    ["a soft hyphen", "Pho\u00adne"],
    ["a tag character", "Phone\u{e0041}"],
    ["an interlinear annotation anchor", "\ufff9Phone\ufffb"],
    ["a right-to-left override", "Phone\u202egnp.exe"],
    ["a left-to-right isolate", "Phone\u2066"],
    ["an Arabic letter mark", "evil\u061cname"],
  ])("refuses %s, an invisible format character", (_label, name) => {
    expect(messagesFor(name)).toEqual([
      "must not contain invisible format characters (zero-width, bidirectional or tag characters)",
    ]);
  });

  it("keeps the zero-width joiner that makes one emoji of two pictographs", () => {
    expect(appPasswordName.parse("\u{1f469}\u200d\u{1f4bb} laptop")).toBe("\u{1f469}\u200d\u{1f4bb} laptop");
    expect(appPasswordName.parse("\u2764\ufe0f\u200d\u{1f525}")).toBe("\u2764\ufe0f\u200d\u{1f525}");
  });

  it(`allows ${MAX_COMBINING_MARKS} combining marks on one character and refuses more`, () => {
    const marks = "\u0301\u0302\u0303\u0304\u0305\u0306";
    expect(appPasswordName.parse(`q${marks.slice(0, MAX_COMBINING_MARKS)}ed`)).toBe(
      `q${marks.slice(0, MAX_COMBINING_MARKS)}ed`.normalize("NFC"),
    );
    expect(messagesFor(`q${marks.slice(0, MAX_COMBINING_MARKS + 1)}ed`)).toEqual([
      `must not stack more than ${MAX_COMBINING_MARKS} combining marks on one character`,
    ]);
  });

  it("keeps scripts whose letters carry marks (Vietnamese, Hindi, Thai)", () => {
    for (const name of ["Điện thoại của Việt", "मेरा फ़ोन", "โทรศัพท์ของฉัน"]) {
      expect(appPasswordName.parse(name)).toBe(name.normalize("NFC"));
    }
  });
});
