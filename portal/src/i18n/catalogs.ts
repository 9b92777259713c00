import { isLanguage, type Language } from "./languages";

type Catalog = { readonly [key: string]: string | Catalog };

// One file per language and feature (`locales/<language>/<namespace>.json`), so that a feature brings its own
// words without touching another's file. Vite bundles them all.
const files = import.meta.glob<Catalog>("./locales/*/*.json", { eager: true, import: "default" });

/** Every catalog, as i18next's `resources`: language → namespace → keys. */
export const resources: Record<Language, Record<string, Catalog>> = { en: {}, nl: {} };
for (const [file, catalog] of Object.entries(files)) {
  const [, language, namespace] = /\.\/locales\/([^/]+)\/([^/]+)\.json$/.exec(file) ?? [];
  if (language === undefined || namespace === undefined || !isLanguage(language)) continue;
  resources[language][namespace] = catalog;
}
