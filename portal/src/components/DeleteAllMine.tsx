import { useState } from "react";
import { Button } from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import { useNotify } from "../notify";
import type { AppPasswordsState } from "../useAppPasswords";
import { ConfirmDeleteDialog } from "./ConfirmDeleteDialog";

/**
 * "Delete all" of the person's own app passwords, after "Are you sure…?": the first thing to do after a notice
 * they did not expect, as Apple's "Revoke All" is.
 */
export function DeleteAllMine({ passwords }: { readonly passwords: AppPasswordsState }) {
  const { t } = useTranslation("inventory");
  const notify = useNotify();
  const [confirming, setConfirming] = useState(false);
  const count = passwords.list?.count ?? 0;
  if (count === 0) return null;
  return (
    <>
      <Button onClick={() => setConfirming(true)}>{t("mine.deleteAll")}</Button>
      {confirming ? (
        <ConfirmDeleteDialog
          title={t("mine.confirmTitle")}
          question={t("mine.confirmQuestion", { count })}
          onYes={async () => {
            await passwords.removeAll();
            notify(t("mine.deletedAll"));
          }}
          onClose={() => setConfirming(false)}
        />
      ) : null}
    </>
  );
}
