import { Label, Select, useId } from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import { chooseLanguage, currentLanguage } from "../i18n/i18n";
import { isLanguage, LANGUAGE_NAMES, LANGUAGES } from "../i18n/languages";
import { useStyles } from "../useStyles";

/** The page's language, each named in itself; the choice is remembered on this device. */
export function LanguageSwitch() {
  const { t } = useTranslation();
  const styles = useStyles();
  const id = useId("language");
  return (
    <div className={styles.row}>
      <Label htmlFor={id}>{t("languageSwitch")}</Label>
      <Select
        id={id}
        value={currentLanguage()}
        onChange={(_, data) => {
          if (isLanguage(data.value)) void chooseLanguage(data.value);
        }}
      >
        {LANGUAGES.map((language) => (
          <option key={language} value={language} lang={language}>
            {LANGUAGE_NAMES[language]}
          </option>
        ))}
      </Select>
    </div>
  );
}
