import { useState } from "react";
import { Button, Spinner, Text, Title3 } from "@fluentui/react-components";
import { ApiError, type ApiClient, type AppPassword, type Capabilities } from "../api/client";
import { useTranslation } from "react-i18next";
import { useNotify } from "../notify";
import { useAppPasswords } from "../useAppPasswords";
import { useStyles } from "../useStyles";
import { ActivityList } from "./ActivityList";
import { AppPasswordsTable } from "./AppPasswordsTable";
import { ConfirmDeleteDialog } from "./ConfirmDeleteDialog";
import { ProblemMessage } from "./ProblemMessage";

export interface PersonAppPasswordsProps {
  readonly api: ApiClient;
  /** What the administrator typed: a login name or an object id. */
  readonly person: string;
  readonly capabilities: Capabilities;
}

type Confirming = { readonly kind: "one"; readonly item: AppPassword } | { readonly kind: "all" };

/** One person's app passwords as an administrator sees them: delete one or all, reset throttling, activity. */
export function PersonAppPasswords({ api, person, capabilities }: PersonAppPasswordsProps) {
  const { t } = useTranslation("admin");
  const styles = useStyles();
  const notify = useNotify();
  const passwords = useAppPasswords(api, person);
  const [confirming, setConfirming] = useState<Confirming>();
  const [resetError, setResetError] = useState<unknown>();
  const { list, error } = passwords;

  async function resetThrottle() {
    setResetError(undefined);
    try {
      await api.resetThrottle(person);
      notify(t("throttleReset", { person }));
    } catch (failure) {
      setResetError(failure);
    }
  }

  if (error !== undefined) {
    const byLoginName = error instanceof ApiError && error.code === "INVALID_REQUEST" && person.includes("@");
    return byLoginName ? (
      <ProblemMessage error={new Error(t("objectIdOnly", { person }))} />
    ) : (
      <ProblemMessage error={error} onRetry={() => passwords.reload()} />
    );
  }
  if (list === undefined) return <Spinner label={t("loading", { person })} />;
  return (
    <section aria-labelledby="person-app-passwords" className={styles.section}>
      <Title3 as="h3" id="person-app-passwords">
        {t("passwordsOf", { person })}
      </Title3>
      <div className={styles.row}>
        <Button disabledFocusable={list.count === 0} onClick={() => setConfirming({ kind: "all" })}>
          {t("deleteAll")}
        </Button>
        <Button onClick={() => void resetThrottle()}>{t("resetThrottle")}</Button>
      </div>
      {resetError === undefined ? null : <ProblemMessage error={resetError} />}
      {list.items.length === 0 ? (
        <Text as="p">{t("none", { person })}</Text>
      ) : (
        <AppPasswordsTable
          caption={t("passwordsOf", { person })}
          items={list.items}
          onDelete={(item) => setConfirming({ kind: "one", item })}
        />
      )}
      {capabilities.activity ? (
        <>
          <Title3 as="h3">{t("activityOf", { person })}</Title3>
          <ActivityList api={api} user={person} caption={t("activityOf", { person })} version={passwords.version} />
        </>
      ) : null}
      {confirming === undefined ? null : confirming.kind === "all" ? (
        <ConfirmDeleteDialog
          title={t("confirmAllTitle", { person })}
          question={t("confirmAllQuestion", { person, count: list.count })}
          onYes={async () => {
            await passwords.removeAll();
            notify(t("deletedAll", { person }));
          }}
          onClose={() => setConfirming(undefined)}
        />
      ) : (
        <ConfirmDeleteDialog
          title={t("common:mine.confirmTitle", { name: confirming.item.name })}
          question={t("confirmOneQuestion", { name: confirming.item.name, person })}
          onYes={async () => {
            await passwords.remove(confirming.item);
            notify(t("common:mine.deleted", { name: confirming.item.name }));
          }}
          onClose={() => setConfirming(undefined)}
        />
      )}
    </section>
  );
}
