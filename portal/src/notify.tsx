import { Toast, ToastTitle, useToastController } from "@fluentui/react-components";

/** The page's one toaster. */
export const TOASTER_ID = "app-passwords-toaster";

/** Announces a finished action ("Deleted …") in a toast, which screen readers read out. */
export function useNotify(): (message: string) => void {
  const { dispatchToast } = useToastController(TOASTER_ID);
  return (message) =>
    dispatchToast(
      <Toast>
        <ToastTitle>{message}</ToastTitle>
      </Toast>,
      { intent: "success", politeness: "polite" },
    );
}
