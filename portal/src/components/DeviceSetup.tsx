import { useEffect, useState } from "react";
import { Button, Field, Radio, RadioGroup, Text, makeStyles, tokens } from "@fluentui/react-components";
import QRCode from "qrcode";
import { useTranslation } from "react-i18next";
import {
  appleProfileFileName,
  appleProfileKinds,
  buildAppleProfile,
  type AppleProfileKind,
} from "../setup/appleProfile";
import { allowedMail } from "../setup/allows";
import type { DeviceSetupInput } from "../setup/deviceSetupInput";
import { thunderbirdPayload } from "../setup/thunderbirdQr";
import { useStyles } from "../useStyles";
import { HandOffSettings } from "./HandOffSettings";

const DEVICES = ["iphone", "mac", "thunderbird", "other"] as const;
type Device = (typeof DEVICES)[number];

const useSetupStyles = makeStyles({
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
  qr: { maxWidth: "100%", height: "auto", alignSelf: "flex-start" },
});

/** Whether the tenant has given any server this app password could set a device up with. */
export const hasMailServers = (setup: DeviceSetupInput) => {
  const { imap, pop3, smtp, activeSyncHost, davUrl } = allowedMail(setup);
  return [imap, pop3, smtp, activeSyncHost, davUrl].some((value) => value !== undefined);
};

/** Saves the profile as a file; the browser builds it, nothing is sent to the service. */
function download(setup: DeviceSetupInput, kind: AppleProfileKind) {
  const profile = buildAppleProfile(setup, kind);
  if (profile === undefined) return;
  const url = URL.createObjectURL(new Blob([profile], { type: "application/x-apple-aspen-config" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = appleProfileFileName(setup);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function AppleProfiles({ setup, device }: { readonly setup: DeviceSetupInput; readonly device: "iphone" | "mac" }) {
  const { t } = useTranslation("setup");
  const styles = useSetupStyles();
  // macOS has no Exchange ActiveSync payload.
  const kinds = appleProfileKinds(setup).filter((kind) => device === "iphone" || kind !== "eas");
  if (kinds.length === 0) return <Text as="p">{t("apple.none")}</Text>;
  return (
    <>
      <Text as="p">{t(`apple.how.${device}`)}</Text>
      <div className={styles.actions}>
        {kinds.map((kind) => (
          <Button key={kind} appearance="primary" onClick={() => download(setup, kind)} data-testid={`profile-${kind}`}>
            {t(`apple.download.${kind}`)}
          </Button>
        ))}
      </div>
      <Text as="p" size={200}>
        {t("apple.unsigned")}
      </Text>
    </>
  );
}

function ThunderbirdCode({ setup }: { readonly setup: DeviceSetupInput }) {
  const { t } = useTranslation("setup");
  const styles = useSetupStyles();
  const [qr, setQr] = useState<string | undefined>();
  const payload = thunderbirdPayload(setup);
  const text = payload === undefined ? undefined : JSON.stringify(payload);
  useEffect(() => {
    let live = true;
    if (text !== undefined) {
      void QRCode.toDataURL(text, { errorCorrectionLevel: "L", margin: 4, width: 280 }).then(
        (url) => live && setQr(url),
      );
    }
    return () => {
      live = false;
    };
  }, [text]);
  if (text === undefined) return <Text as="p">{t("thunderbird.none")}</Text>;
  return (
    <>
      <Text as="p">{t("thunderbird.how")}</Text>
      {qr === undefined ? null : (
        <img
          className={styles.qr}
          src={qr}
          width={280}
          height={280}
          alt={t("thunderbird.qrAlt")}
          data-testid="thunderbird-qr"
        />
      )}
    </>
  );
}

/**
 * "Set up your device": the person picks a kind of device and gets the settings to type (each with Copy), an
 * Apple configuration profile to download, or a QR code for Thunderbird. `settings: false` leaves the list out
 * where the page shows it already (the phone page of a hand-off).
 */
export function DeviceSetup({
  setup,
  settings = true,
}: {
  readonly setup: DeviceSetupInput;
  readonly settings?: boolean;
}) {
  const { t } = useTranslation("setup");
  const styles = useStyles();
  const [device, setDevice] = useState<Device | undefined>();
  if (!hasMailServers(setup)) return null;
  return (
    <section aria-labelledby="device-setup-title" className={styles.section} data-testid="device-setup">
      <Text as="h3" weight="semibold" size={400} id="device-setup-title">
        {t("title")}
      </Text>
      <Field label={t("device.label")}>
        <RadioGroup value={device ?? ""} onChange={(_, data) => setDevice(data.value as Device)}>
          {DEVICES.map((kind) => (
            <Radio key={kind} value={kind} label={t(`device.${kind}`)} />
          ))}
        </RadioGroup>
      </Field>
      {device === "iphone" || device === "mac" ? <AppleProfiles setup={setup} device={device} /> : null}
      {device === "thunderbird" ? <ThunderbirdCode setup={setup} /> : null}
      {device === "other" ? <Text as="p">{t("other.how")}</Text> : null}
      {settings ? <HandOffSettings setup={setup} passwordTestId="setup-password" /> : null}
    </section>
  );
}
