import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import { LANGUAGES, pickLanguage, type Language } from "./languages";
import { resources } from "./catalogs";

const CHOSEN_LANGUAGE_KEY = "app-passwords.language";

function readChosen(): string | null {
  try {
    return window.localStorage.getItem(CHOSEN_LANGUAGE_KEY);
  } catch {
    return null; // Storage can be off (private modes, policies); the browser's language still applies.
  }
}

/** Starts i18next in the person's language (see `pickLanguage`) before the page first renders. */
export async function startI18n(): Promise<void> {
  const language = pickLanguage(readChosen(), navigator.languages);
  await i18next.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: LANGUAGES[0],
    supportedLngs: [...LANGUAGES],
    defaultNS: "common",
    interpolation: { escapeValue: false }, // React escapes what it renders.
  });
  showLanguage(language);
}

/** What the page says about itself outside React: its language (for screen readers, hyphens) and its title. */
function showLanguage(language: Language) {
  document.documentElement.lang = language;
  document.title = i18next.t("appTitle");
}

/** Switches the page's language now and remembers the choice on this device. */
export async function chooseLanguage(language: Language): Promise<void> {
  try {
    window.localStorage.setItem(CHOSEN_LANGUAGE_KEY, language);
  } catch {
    // Not remembered; the switch still applies to this visit.
  }
  await i18next.changeLanguage(language);
  showLanguage(language);
}

/** The current language, for `Intl` formats. */
export const currentLanguage = (): Language => pickLanguage(i18next.language, []);
