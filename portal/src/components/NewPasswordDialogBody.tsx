import type { ReactNode } from "react";
import {
  Button,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogTitle,
  makeStyles,
  mergeClasses,
} from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import type { NewAppPassword } from "../api/client";
import { useStyles } from "../useStyles";
import { DeviceSetup } from "./DeviceSetup";
import { HandOff } from "./HandOff";
import { useDeviceSetup } from "./HandOffContext";
import { PasswordOnce } from "./PasswordOnce";

// The content scrolls once it is taller than the dialog: its parts keep their height rather than shrink into
// one another (a message bar's text would spill over the next part).
const useBodyStyles = makeStyles({ content: { "& > *": { flexShrink: 0 } } });

/**
 * The body of a dialog that shows a new app password once (see `PasswordOnce`) under `title`, with Done, which
 * should close the dialog: the password leaves the page with it.
 */
export function NewPasswordDialogBody({
  title,
  appPassword,
  onDone,
}: {
  readonly title: ReactNode;
  readonly appPassword: NewAppPassword;
  readonly onDone: () => void;
}) {
  const { t } = useTranslation();
  const styles = useStyles();
  const body = useBodyStyles();
  const setup = useDeviceSetup(appPassword);
  return (
    <DialogBody>
      <DialogTitle>{title}</DialogTitle>
      <DialogContent className={mergeClasses(styles.form, body.content)}>
        <PasswordOnce password={appPassword.password} name={appPassword.name} />
        {setup === undefined ? null : <DeviceSetup setup={setup} />}
        <HandOff setup={setup} />
      </DialogContent>
      <DialogActions>
        <Button appearance="primary" onClick={onDone}>
          {t("once.done")}
        </Button>
      </DialogActions>
    </DialogBody>
  );
}
