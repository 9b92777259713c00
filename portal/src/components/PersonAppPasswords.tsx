import { useState } from "react";
import { Button, Spinner, Text, Title3 } from "@fluentui/react-components";
import { ApiError, type ApiClient, type AppPassword, type Capabilities } from "../api/client";
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
      notify(`Sign-ins of ${person} are no longer paused`);
    } catch (failure) {
      setResetError(failure);
    }
  }

  if (error !== undefined) {
    const byLoginName = error instanceof ApiError && error.code === "INVALID_REQUEST" && person.includes("@");
    return byLoginName ? (
      <ProblemMessage
        error={new Error(`This service finds people by object id only; enter ${person}'s object id instead.`)}
      />
    ) : (
      <ProblemMessage error={error} onRetry={() => passwords.reload()} />
    );
  }
  if (list === undefined) return <Spinner label={`Loading the app passwords of ${person}…`} />;
  return (
    <section aria-labelledby="person-app-passwords" className={styles.section}>
      <Title3 as="h3" id="person-app-passwords">
        App passwords of {person}
      </Title3>
      <div className={styles.row}>
        <Button disabledFocusable={list.count === 0} onClick={() => setConfirming({ kind: "all" })}>
          Delete all
        </Button>
        <Button onClick={() => void resetThrottle()}>Reset sign-in throttling</Button>
      </div>
      {resetError === undefined ? null : <ProblemMessage error={resetError} />}
      {list.items.length === 0 ? (
        <Text as="p">{person} has no app passwords.</Text>
      ) : (
        <AppPasswordsTable
          caption={`App passwords of ${person}`}
          items={list.items}
          onDelete={(item) => setConfirming({ kind: "one", item })}
        />
      )}
      {capabilities.activity ? (
        <>
          <Title3 as="h3">Activity of {person}</Title3>
          <ActivityList api={api} user={person} caption={`Activity of ${person}`} version={passwords.version} />
        </>
      ) : null}
      {confirming === undefined ? null : confirming.kind === "all" ? (
        <ConfirmDeleteDialog
          title={`Delete all app passwords of ${person}?`}
          question={`Are you sure you want to delete all ${list.count} app passwords of ${person}? Every app that uses one stops signing in at once.`}
          onYes={async () => {
            await passwords.removeAll();
            notify(`Deleted all app passwords of ${person}`);
          }}
          onClose={() => setConfirming(undefined)}
        />
      ) : (
        <ConfirmDeleteDialog
          title={`Delete ${confirming.item.name}?`}
          question={`Are you sure you want to delete ${confirming.item.name} of ${person}? Apps that use it stop signing in at once.`}
          onYes={async () => {
            await passwords.remove(confirming.item);
            notify(`Deleted ${confirming.item.name}`);
          }}
          onClose={() => setConfirming(undefined)}
        />
      )}
    </section>
  );
}
