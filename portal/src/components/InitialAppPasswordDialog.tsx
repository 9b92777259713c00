import { Dialog, DialogSurface } from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import type { NewAppPassword } from "../api/client";
import { NewPasswordDialogBody } from "./NewPasswordDialogBody";

/** The first visit: registering for two-step verification gave the person their first app password. */
export function InitialAppPasswordDialog({
  appPassword,
  onDone,
}: {
  readonly appPassword: NewAppPassword;
  readonly onDone: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Dialog open modalType="alert" onOpenChange={(_, data) => (data.open ? undefined : onDone())}>
      <DialogSurface aria-describedby={undefined}>
        <NewPasswordDialogBody title={t("create.firstTitle")} appPassword={appPassword} onDone={onDone} />
      </DialogSurface>
    </Dialog>
  );
}
