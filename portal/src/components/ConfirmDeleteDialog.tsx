import { useEffect, useState } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Text,
} from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import { ProblemMessage } from "./ProblemMessage";

export interface ConfirmDeleteDialogProps {
  /** "Delete Alice's iPhone?" */
  readonly title: string;
  /** "Are you sure…?": what stops working. */
  readonly question: string;
  /** Deletes; the dialog closes when it resolves and shows the problem when it rejects. */
  readonly onYes: () => Promise<void>;
  readonly onClose: () => void;
}

/** "Are you sure…?" with Yes and No, before anything is deleted. Open while it is rendered. */
export function ConfirmDeleteDialog({ title, question, onYes, onClose }: ConfirmDeleteDialogProps) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  // Back to the button that asked, when it is still there (after No), once the dialog has let go of the focus.
  // Read while rendering, before the dialog's own effects move the focus inside it.
  const [opener] = useState(() => document.activeElement);
  useEffect(() => {
    return () => {
      setTimeout(() => {
        if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      }, 0);
    };
  }, [opener]);

  async function yes() {
    setBusy(true);
    setError(undefined);
    try {
      await onYes();
      onClose();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <Dialog open modalType="alert" onOpenChange={(_, data) => (data.open ? undefined : onClose())}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent>
            <Text as="p">{question}</Text>
            {error === undefined ? null : <ProblemMessage error={error} />}
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" disabled={busy} onClick={() => void yes()}>
              {t("confirm.yes")}
            </Button>
            <Button onClick={onClose}>{t("confirm.no")}</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
