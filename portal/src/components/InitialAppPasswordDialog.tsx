import { Dialog, DialogSurface } from "@fluentui/react-components";
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
  return (
    <Dialog open modalType="alert" onOpenChange={(_, data) => (data.open ? undefined : onDone())}>
      <DialogSurface aria-describedby={undefined}>
        <NewPasswordDialogBody title="Your first app password" appPassword={appPassword} onDone={onDone} />
      </DialogSurface>
    </Dialog>
  );
}
