/** The languages the page is written in; the first is the fallback for a key or a language it lacks. */
export const LANGUAGES = ["en", "nl"] as const;
export type Language = (typeof LANGUAGES)[number];

/** What each language is called in itself, for the switch. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { en: "English", nl: "Nederlands" };

/** Whether a code is one of the page's languages. */
export function isLanguage(code: string): code is Language {
  return (LANGUAGES as readonly string[]).includes(code);
}

/**
 * The language to show: the one the person chose on this device, else the first of the browser's languages the
 * page has (by its primary subtag: `nl-BE` is Dutch), else English.
 */
export function pickLanguage(chosen: string | null, browserLanguages: readonly string[]): Language {
  if (chosen !== null && isLanguage(chosen)) return chosen;
  for (const tag of browserLanguages) {
    const primary = tag.toLowerCase().split("-")[0] ?? "";
    if (isLanguage(primary)) return primary;
  }
  return LANGUAGES[0];
}
