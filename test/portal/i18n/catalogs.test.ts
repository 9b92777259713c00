import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LANGUAGES, pickLanguage } from "../../../portal/src/i18n/languages";

const LOCALES = path.join(__dirname, "..", "..", "..", "portal", "src", "i18n", "locales");

/** Every key of a catalog as a dotted path, the way `t()` names it. */
function keys(catalog: unknown, prefix = ""): string[] {
  if (typeof catalog === "string") return [prefix];
  return Object.entries(catalog as Record<string, unknown>).flatMap(([key, value]) =>
    keys(value, prefix === "" ? key : `${prefix}.${key}`),
  );
}

/** `{{name}}` placeholders in a message, which every language must keep. */
const placeholders = (message: string) => [...message.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();

describe("the page's message catalogs", () => {
  // A file one language lacks shows up as missing every key.
  const namespaces = [...new Set(LANGUAGES.flatMap((language) => readdirSync(path.join(LOCALES, language))))];

  it.each(namespaces)("%s: every language has every key the others have, with the same placeholders", (file) => {
    const catalogs = LANGUAGES.map((language) => {
      const catalogFile = path.join(LOCALES, language, file);
      const json = (existsSync(catalogFile) ? JSON.parse(readFileSync(catalogFile, "utf8")) : {}) as unknown;
      return { language, messages: new Map(keys(json).map((key) => [key, lookup(json, key)])) };
    });
    const all = [...new Set(catalogs.flatMap((c) => [...c.messages.keys()]))].sort();
    for (const { language, messages } of catalogs) {
      expect({ language, missing: all.filter((key) => !messages.has(key)) }).toEqual({ language, missing: [] });
      expect({ language, empty: all.filter((key) => messages.get(key)?.trim() === "") }).toEqual({
        language,
        empty: [],
      });
    }
    const [first, ...rest] = catalogs;
    for (const key of all) {
      for (const other of rest) {
        expect({ key, language: other.language, placeholders: placeholders(other.messages.get(key) ?? "") }).toEqual({
          key,
          language: other.language,
          placeholders: placeholders(first?.messages.get(key) ?? ""),
        });
      }
    }
  });
});

describe("the Dutch catalogs", () => {
  // The page addresses the person formally, as the reference guide does ("u", "uw"); the informal forms read as
  // another voice on the same page.
  const INFORMAL = /\b(je|jij|jou|jouw)\b/i;

  it.each(readdirSync(path.join(LOCALES, "nl")))("%s says u, never je", (file) => {
    const json = JSON.parse(readFileSync(path.join(LOCALES, "nl", file), "utf8")) as unknown;
    const informal = keys(json).filter((key) => INFORMAL.test(lookup(json, key)));
    expect(informal.map((key) => `${key}: ${lookup(json, key)}`)).toEqual([]);
  });
});

function lookup(catalog: unknown, key: string): string {
  return key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalog) as string;
}

describe("pickLanguage", () => {
  it("prefers the person's own choice, then the browser's languages by primary subtag, then English", () => {
    expect(pickLanguage("nl", ["en-US"])).toBe("nl");
    expect(pickLanguage(null, ["fr-FR", "nl-BE", "en"])).toBe("nl");
    expect(pickLanguage("xx", ["EN-gb"])).toBe("en");
    expect(pickLanguage(null, ["de", "fr"])).toBe("en");
  });
});
