import { useState } from "react";
import { Button, Field, Input, Spinner, Text } from "@fluentui/react-components";
import QRCode from "qrcode";
import { useTranslation } from "react-i18next";
import { currentLanguage } from "../i18n/i18n";
import type { DeviceSetupInput } from "../setup/deviceSetupInput";
import { handoffLink, sealSetup } from "../setup/handoffCrypto";
import { useStyles } from "../useStyles";
import { useHandOffEnvironment } from "./HandOffContext";
import { ProblemMessage } from "./ProblemMessage";

type State =
  | { readonly kind: "idle" }
  | { readonly kind: "busy" }
  | {
      readonly kind: "ready";
      readonly id: string;
      readonly link: string;
      readonly qr: string;
      readonly expiresAt: Date;
    }
  | { readonly kind: "cancelled" }
  | { readonly kind: "failed"; readonly error: unknown };

/**
 * "Set up on your phone": seals the set-up in the browser, stores only the ciphertext with the service, and
 * shows a QR code and link whose fragment carries the id and the key. Renders nothing where the page offers
 * no hand-offs (no {@link HandOffProvider} above it) or without a set-up.
 */
export function HandOff({ setup }: { readonly setup: DeviceSetupInput | undefined }) {
  const { t } = useTranslation("handoff");
  const styles = useStyles();
  const environment = useHandOffEnvironment();
  const [state, setState] = useState<State>({ kind: "idle" });
  const [copied, setCopied] = useState<boolean>();
  if (environment === undefined || setup === undefined) return null;
  const { api } = environment;

  async function start(current: DeviceSetupInput) {
    setState({ kind: "busy" });
    try {
      const { sealed, key } = await sealSetup(current);
      const made = await api.createHandoff("me", sealed);
      const link = handoffLink(window.location.origin, made.id, key);
      const qr = await QRCode.toDataURL(link, { errorCorrectionLevel: "M", margin: 4, width: 264 });
      setState({ kind: "ready", id: made.id, link, qr, expiresAt: new Date(made.expiresAt) });
    } catch (error) {
      setState({ kind: "failed", error });
    }
  }

  async function copy(link: string) {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  async function cancel(id: string) {
    // Read meanwhile or expired: either way the link no longer works, which is what was asked.
    await api.deleteHandoff("me", id).catch(() => undefined);
    setState({ kind: "cancelled" });
  }

  if (state.kind === "ready") {
    const time = new Intl.DateTimeFormat(currentLanguage(), { timeStyle: "short" }).format(state.expiresAt);
    return (
      <section className={styles.section} aria-label={t("button")}>
        <Text as="p">{t("intro")}</Text>
        <img src={state.qr} width={264} height={264} alt={t("qrAlt")} data-testid="handoff-qr" />
        <Field label={t("linkLabel")}>
          <Input readOnly value={state.link} data-testid="handoff-link" onFocus={(event) => event.target.select()} />
        </Field>
        <div className={styles.row}>
          <Button onClick={() => void copy(state.link)}>{copied === true ? t("copied") : t("copyLink")}</Button>
          <Button onClick={() => void cancel(state.id)}>{t("cancel")}</Button>
        </div>
        <div aria-live="polite">{copied === false ? <Text>{t("copyFailed")}</Text> : null}</div>
        <Text as="p">{t("expires", { time })}</Text>
      </section>
    );
  }
  return (
    <div className={styles.section}>
      <div className={styles.row}>
        <Button onClick={() => void start(setup)} disabled={state.kind === "busy"}>
          {t("button")}
        </Button>
        {state.kind === "busy" ? <Spinner size="tiny" label={t("busy")} /> : null}
      </div>
      <div aria-live="polite">
        {state.kind === "cancelled" ? <Text>{t("cancelled")}</Text> : null}
        {state.kind === "failed" ? <ProblemMessage error={state.error} /> : null}
      </div>
    </div>
  );
}
