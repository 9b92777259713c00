import { useRef, useState, type SyntheticEvent } from "react";
import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  Field,
  Input,
  Select,
} from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import type { ApiClient, NewAppPassword, Protocol } from "../api/client";
import { NAME_MAX_LENGTH, PROTOCOLS } from "../api/schemaLimits";
import { protocolName } from "../format";
import { useStyles } from "../useStyles";
import { NewPasswordDialogBody } from "./NewPasswordDialogBody";
import { ProblemMessage } from "./ProblemMessage";

export interface CreateAppPasswordDialogProps {
  readonly api: ApiClient;
  /** Offer expiry and protocols: the service supports them. */
  readonly restrictions: boolean;
  /** At the limit: the button stays focusable and says why it does nothing. */
  readonly disabled: boolean;
  /** After Done: the list reloads. The password is not passed on. */
  readonly onFinished: () => void;
}

// 0 is never; a year is a year, not 365 days, in any language.
const EXPIRY_DAYS = [0, 30, 90, 180, 365] as const;

/** Create → a name (and optional expiry and protocols) → Next → the password once → Done. */
export function CreateAppPasswordDialog({ api, restrictions, disabled, onFinished }: CreateAppPasswordDialogProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [expiresInDays, setExpiresInDays] = useState(0);
  const [protocols, setProtocols] = useState<Protocol[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<NewAppPassword>();
  const createButton = useRef<HTMLButtonElement>(null);

  function reset() {
    setName("");
    setExpiresInDays(0);
    setProtocols([]);
    setError(undefined);
    setCreated(undefined);
  }

  function close() {
    const hadPassword = created !== undefined;
    setOpen(false);
    reset();
    if (hadPassword) onFinished();
    // Back where the person started, once the dialog has let go of the focus.
    setTimeout(() => createButton.current?.focus(), 0);
  }

  async function next(event: SyntheticEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      setCreated(
        await api.create("me", {
          name: name.trim(),
          ...(restrictions && expiresInDays > 0 && { expiresInDays }),
          ...(restrictions && protocols.length > 0 && { protocols }),
        }),
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const toggle = (protocol: Protocol, on: boolean) =>
    setProtocols((current) => (on ? [...current, protocol] : current.filter((p) => p !== protocol)));

  return (
    <Dialog
      open={open}
      modalType={created === undefined ? "modal" : "alert"}
      onOpenChange={(_, data) => (data.open ? setOpen(true) : close())}
    >
      <Button ref={createButton} appearance="primary" disabledFocusable={disabled} onClick={() => setOpen(true)}>
        {t("create.button")}
      </Button>
      <DialogSurface aria-describedby={undefined}>
        {created === undefined ? (
          <form onSubmit={(event) => void next(event)}>
            <DialogBody>
              <DialogTitle>{t("create.title")}</DialogTitle>
              <DialogContent className={styles.form}>
                <Field label={t("create.name")} required hint={t("create.nameHint")}>
                  <Input value={name} maxLength={NAME_MAX_LENGTH} onChange={(_, data) => setName(data.value)} />
                </Field>
                {restrictions ? (
                  <>
                    <Field label={t("create.expires")}>
                      <Select
                        value={String(expiresInDays)}
                        onChange={(_, data) => setExpiresInDays(Number(data.value))}
                      >
                        {EXPIRY_DAYS.map((days) => (
                          <option key={days} value={days}>
                            {days === 0
                              ? t("create.never")
                              : days === 365
                                ? t("create.inAYear")
                                : t("create.inDays", { count: days })}
                          </option>
                        ))}
                      </Select>
                    </Field>
                    <fieldset className={styles.fieldset}>
                      <legend className={styles.legend}>{t("create.onlyFor")}</legend>
                      {PROTOCOLS.map((protocol) => (
                        <Checkbox
                          key={protocol}
                          label={protocolName(protocol)}
                          checked={protocols.includes(protocol)}
                          onChange={(_, data) => toggle(protocol, data.checked === true)}
                        />
                      ))}
                    </fieldset>
                  </>
                ) : null}
                {error === undefined ? null : <ProblemMessage error={error} />}
              </DialogContent>
              <DialogActions>
                <DialogTrigger disableButtonEnhancement>
                  <Button>{t("create.cancel")}</Button>
                </DialogTrigger>
                <Button appearance="primary" type="submit" disabled={busy || name.trim() === ""}>
                  {t("create.next")}
                </Button>
              </DialogActions>
            </DialogBody>
          </form>
        ) : (
          <NewPasswordDialogBody
            title={t("create.newTitle", { name: created.name })}
            appPassword={created}
            onDone={close}
          />
        )}
      </DialogSurface>
    </Dialog>
  );
}
