import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
} from "@fluentui/react-components";
import type { NewAppPassword } from "../api";
import { useStyles } from "../useStyles";
import { PasswordOnce } from "./PasswordOnce";

/** The first visit: registering for two-step verification gave the person their first app password. */
export function InitialAppPasswordDialog({
  appPassword,
  onDone,
}: {
  readonly appPassword: NewAppPassword;
  readonly onDone: () => void;
}) {
  const styles = useStyles();
  return (
    <Dialog open modalType="alert" onOpenChange={(_, data) => (data.open ? undefined : onDone())}>
      <DialogSurface aria-describedby={undefined}>
        <DialogBody>
          <DialogTitle>Your first app password</DialogTitle>
          <DialogContent className={styles.form}>
            <PasswordOnce password={appPassword.password} name={appPassword.name} />
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={onDone}>
              Done
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
