import { useState } from "react";
import { Button, MessageBar, MessageBarBody, Text } from "@fluentui/react-components";
import { passwordGroups } from "../format";
import { useStyles } from "../useStyles";

/**
 * A new password, shown this once: in groups of four, with a Copy button and a plain warning. It lives only in
 * the state of the dialog that shows it, so closing the dialog removes it from the page for good.
 */
export function PasswordOnce({ password, name }: { readonly password: string; readonly name: string }) {
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
      <Text as="p">
        Enter this password in the app instead of your usual password. Spaces do not matter; the app may show it without
        them.
      </Text>
      <div className={styles.row}>
        <Text className={styles.password} aria-label={`Password for ${name}`} role="group" data-testid="new-password">
          {passwordGroups(password).map((group, index) => (
            <span key={index}>{index === 0 ? group : ` ${group}`}</span>
          ))}
        </Text>
        <Button appearance="primary" onClick={() => void copy()}>
          {copied === true ? "Copied" : "Copy"}
        </Button>
      </div>
      <div aria-live="polite">
        {copied === false ? <Text>Copying is not allowed here; select the password and copy it by hand.</Text> : null}
      </div>
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          This password will not be shown again. Copy it now; once you select Done it is gone. If you lose it, delete
          this app password and create a new one.
        </MessageBarBody>
      </MessageBar>
    </>
  );
}
