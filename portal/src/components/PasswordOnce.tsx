import { useState } from "react";
import { Button, MessageBar, MessageBarBody, Text } from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import { passwordGroups } from "../format";
import { useStyles } from "../useStyles";

/**
 * A new password, shown this once: in groups of four, with a Copy button and a plain warning. It lives only in
 * the state of the dialog that shows it, so closing the dialog removes it from the page for good.
 */
export function PasswordOnce({ password, name }: { readonly password: string; readonly name: string }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [copied, setCopied] = useState<boolean>();

  async function copy() {
    try {
      await navigator.clipboard.writeText(password);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  return (
    <>
      <Text as="p">{t("once.instructions")}</Text>
      <div className={styles.row}>
        <Text
          className={styles.password}
          aria-label={t("once.label", { name })}
          role="group"
          data-testid="new-password"
        >
          {passwordGroups(password).map((group, index) => (
            <span key={index}>{index === 0 ? group : ` ${group}`}</span>
          ))}
        </Text>
        <Button appearance="primary" onClick={() => void copy()}>
          {copied === true ? t("once.copied") : t("once.copy")}
        </Button>
      </div>
      <div aria-live="polite">{copied === false ? <Text>{t("once.copyRefused")}</Text> : null}</div>
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>{t("once.warning")}</MessageBarBody>
      </MessageBar>
    </>
  );
}
