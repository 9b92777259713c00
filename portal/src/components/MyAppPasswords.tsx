import { useEffect, useRef, useState } from "react";
import { MessageBar, MessageBarBody, MessageBarTitle, Spinner, Text, Title2 } from "@fluentui/react-components";
import {
  ApiError,
  type ApiClient,
  type AppPassword,
  type Capabilities,
  type NewAppPassword,
  type Registration,
} from "../api/client";
import { useTranslation } from "react-i18next";
import { useNotify } from "../notify";
import { useAppPasswords } from "../useAppPasswords";
import { useStyles } from "../useStyles";
import { AppPasswordsTable } from "./AppPasswordsTable";
import { ConfirmDeleteDialog } from "./ConfirmDeleteDialog";
import { CreateAppPasswordDialog } from "./CreateAppPasswordDialog";
import { DeleteAllMine } from "./DeleteAllMine";
import { InitialAppPasswordDialog } from "./InitialAppPasswordDialog";
import { PolicySummary } from "./PolicySummary";
import { ProblemMessage } from "./ProblemMessage";

export interface MyAppPasswordsProps {
  readonly api: ApiClient;
  readonly capabilities: Capabilities;
  /** The service answered that it cannot rename: hide Rename from here on. */
  readonly onRenameUnsupported: () => void;
}

/**
 * The person's own app passwords. The first visit registers them for two-step verification, which gives them
 * their first app password, shown once.
 */
export function MyAppPasswords({ api, capabilities, onRenameUnsupported }: MyAppPasswordsProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const notify = useNotify();
  const [registered, setRegistered] = useState(false);
  const [registrationError, setRegistrationError] = useState<unknown>();
  const [initial, setInitial] = useState<NewAppPassword>();
  const [deleting, setDeleting] = useState<AppPassword>();
  const passwords = useAppPasswords(api, "me", registered);

  const [attempt, setAttempt] = useState(0);

  // The first registration answers the only copy of the first password: it is never sent twice for one attempt,
  // not even when React runs this effect twice in development.
  const pending = useRef<{ readonly attempt: number; readonly answer: Promise<Registration> }>(undefined);

  useEffect(() => {
    let current = true;
    if (pending.current?.attempt !== attempt)
      pending.current = { attempt, answer: api.register("me", t("mine.initialName")) };
    pending.current.answer.then(
      (registration) => {
        if (!current) return;
        setRegistrationError(undefined);
        setInitial(registration.appPassword);
        setRegistered(true);
      },
      (failure: unknown) => current && setRegistrationError(failure),
    );
    return () => {
      current = false;
    };
  }, [api, attempt, t]);

  const { list, error } = passwords;
  const disabled = error instanceof ApiError && error.code === "APP_PASSWORDS_DISABLED";
  const atLimit = list !== undefined && list.count >= list.limit;

  async function rename(item: AppPassword, name: string) {
    try {
      await passwords.rename(item, name);
      notify(t("mine.renamed", { name }));
    } catch (failure) {
      if (failure instanceof ApiError && failure.isUnsupported) onRenameUnsupported();
      throw failure;
    }
  }

  return (
    <section aria-labelledby="my-app-passwords" className={styles.section}>
      <div className={styles.header}>
        <Title2 as="h2" id="my-app-passwords">
          {t("mine.heading")}
        </Title2>
        {registered && !disabled && error === undefined ? (
          <CreateAppPasswordDialog
            api={api}
            restrictions={capabilities.restrictions}
            disabled={atLimit}
            onFinished={() => passwords.reload()}
          />
        ) : null}
      </div>
      <Text as="p">{t("mine.intro")}</Text>
      <PolicySummary api={api} onAllowedChange={() => passwords.reload()} />
      {registrationError !== undefined ? (
        <ProblemMessage error={registrationError} onRetry={() => setAttempt((count) => count + 1)} />
      ) : null}
      {disabled ? (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{t("mine.disabledTitle")}</MessageBarTitle>
            {t("mine.disabledBody")}
          </MessageBarBody>
        </MessageBar>
      ) : error !== undefined ? (
        <ProblemMessage error={error} onRetry={() => passwords.reload()} />
      ) : null}
      {atLimit ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{t("mine.limitTitle")}</MessageBarTitle>
            {t("mine.limitBody", { count: list.count })}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <DeleteAllMine passwords={passwords} />
      {list === undefined ? (
        registrationError === undefined && error === undefined ? (
          <Spinner label={t("mine.loading")} />
        ) : null
      ) : list.items.length === 0 ? (
        <Text as="p">{t("mine.none")}</Text>
      ) : (
        <AppPasswordsTable
          caption={t("mine.heading")}
          items={list.items}
          onDelete={setDeleting}
          {...(capabilities.rename && { onRename: rename })}
        />
      )}
      {initial === undefined ? null : (
        <InitialAppPasswordDialog appPassword={initial} onDone={() => setInitial(undefined)} />
      )}
      {deleting === undefined ? null : (
        <ConfirmDeleteDialog
          title={t("mine.confirmTitle", { name: deleting.name })}
          question={t("mine.confirmQuestion", { name: deleting.name })}
          onYes={async () => {
            await passwords.remove(deleting);
            notify(t("mine.deleted", { name: deleting.name }));
          }}
          onClose={() => setDeleting(undefined)}
        />
      )}
    </section>
  );
}
