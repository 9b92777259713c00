import { useState, type SyntheticEvent } from "react";
import { Button, Field, Input } from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import { useStyles } from "../useStyles";
import { ProblemMessage } from "./ProblemMessage";
import type { AppPassword } from "../api/client";
import { NAME_MAX_LENGTH } from "../api/schemaLimits";

export interface AppPasswordNameProps {
  readonly item: AppPassword;
  /** Renames; without it the name is plain text. */
  readonly onRename?: (name: string) => Promise<void>;
}

/** An app password's name, renamed in place: Rename → edit → Save (Enter) or Cancel (Escape). */
export function AppPasswordName({ item, onRename }: AppPasswordNameProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(item.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  if (onRename === undefined) return <span className={styles.name}>{item.name}</span>;
  if (!editing) {
    return (
      <div className={styles.row}>
        <span className={styles.name}>{item.name}</span>
        <Button
          size="small"
          appearance="subtle"
          aria-label={t("table.renameLabel", { name: item.name })}
          onClick={() => {
            setName(item.name);
            setError(undefined);
            setEditing(true);
          }}
        >
          {t("table.rename")}
        </Button>
      </div>
    );
  }

  async function save(event: SyntheticEvent) {
    event.preventDefault();
    if (onRename === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      await onRename(name.trim());
      setEditing(false);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void save(event)}>
      <div className={styles.row}>
        <Field label={t("table.newName", { name: item.name })}>
          <Input
            autoFocus
            value={name}
            maxLength={NAME_MAX_LENGTH}
            onChange={(_, data) => setName(data.value)}
            onKeyDown={(event) => {
              if (event.key === "Escape") setEditing(false);
            }}
          />
        </Field>
        <Button type="submit" appearance="primary" size="small" disabled={busy || name.trim() === ""}>
          {t("table.save")}
        </Button>
        <Button size="small" onClick={() => setEditing(false)}>
          {t("table.cancel")}
        </Button>
      </div>
      {error === undefined ? null : <ProblemMessage error={error} />}
    </form>
  );
}
