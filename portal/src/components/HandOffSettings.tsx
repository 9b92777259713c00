import { useState } from "react";
import { Button, Text, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import { passwordGroups } from "../format";
import { allowedMail } from "../setup/allows";
import type { DeviceSetupInput, MailServer } from "../setup/deviceSetupInput";
import { useStyles } from "../useStyles";

const useListStyles = makeStyles({
  list: { margin: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  item: {
    margin: 0,
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    columnGap: tokens.spacingHorizontalS,
    rowGap: tokens.spacingVerticalXXS,
  },
  term: { fontWeight: tokens.fontWeightSemibold },
  value: { overflowWrap: "anywhere", minWidth: 0 },
});

/** One setting and its Copy button. */
function Setting({
  label,
  value,
  display,
  testId,
}: {
  readonly label: string;
  readonly value: string;
  readonly display?: string;
  readonly testId?: string;
}) {
  const { t } = useTranslation("handoff");
  const styles = useListStyles();
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }
  return (
    <div>
      <dt className={styles.term}>{label}</dt>
      <dd className={styles.item}>
        <span className={styles.value} data-testid={testId}>
          {display ?? value}
        </span>
        <Button size="small" aria-label={t("settings.copyNamed", { name: label })} onClick={() => void copy()}>
          {copied ? t("settings.copied") : t("settings.copy")}
        </Button>
      </dd>
    </div>
  );
}

function Server({ title, server }: { readonly title: string; readonly server: MailServer | undefined }) {
  const { t } = useTranslation("handoff");
  const styles = useListStyles();
  if (server === undefined) return null;
  return (
    <section aria-label={title}>
      <Text as="h3" weight="semibold">
        {title}
      </Text>
      <dl className={styles.list}>
        <Setting label={t("settings.server")} value={server.host} />
        <Setting label={t("settings.port")} value={String(server.port)} />
        <Setting label={t("settings.security")} value={t(`settings.${server.security}`)} />
      </dl>
    </section>
  );
}

/**
 * The set-up as a plain list, each value with Copy: what the phone page shows until the set-up component
 * (`DeviceSetup`) takes its place.
 */
export function HandOffSettings({
  setup,
  passwordTestId = "handoff-password",
}: {
  readonly setup: DeviceSetupInput;
  readonly passwordTestId?: string;
}) {
  const { t } = useTranslation("handoff");
  const styles = useStyles();
  const list = useListStyles();
  const mail = allowedMail(setup);
  const anyServer = [mail.imap, mail.pop3, mail.smtp, mail.activeSyncHost, mail.davUrl].some((x) => x !== undefined);
  return (
    <div className={styles.section}>
      <section aria-labelledby="handoff-account" className={styles.section}>
        <Title2 as="h2" id="handoff-account">
          {t("settings.account")}
        </Title2>
        <dl className={list.list}>
          <Setting label={t("settings.appPassword")} value={setup.appPasswordName} />
          {mail.accountDescription === undefined ? null : (
            <Setting label={t("settings.description")} value={mail.accountDescription} />
          )}
          <Setting label={t("settings.userName")} value={setup.loginName} />
          <Setting
            label={t("settings.password")}
            value={setup.password}
            display={passwordGroups(setup.password).join(" ")}
            testId={passwordTestId}
          />
        </dl>
      </section>
      <Server title={t("settings.imap")} server={mail.imap} />
      <Server title={t("settings.pop3")} server={mail.pop3} />
      <Server title={t("settings.smtp")} server={mail.smtp} />
      {mail.activeSyncHost === undefined ? null : (
        <dl className={list.list}>
          <Setting label={t("settings.activeSync")} value={mail.activeSyncHost} />
        </dl>
      )}
      {mail.davUrl === undefined ? null : (
        <dl className={list.list}>
          <Setting label={t("settings.dav")} value={mail.davUrl} />
        </dl>
      )}
      {anyServer ? null : <Text as="p">{t("settings.noServers")}</Text>}
    </div>
  );
}
