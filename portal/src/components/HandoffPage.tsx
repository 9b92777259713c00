import { useEffect, useState } from "react";
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Title1,
} from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import { ApiError, type ApiClient } from "../api/client";
import type { DeviceSetupInput } from "../setup/deviceSetupInput";
import { HandoffCryptoError, openSetup, parseHandoffFragment } from "../setup/handoffCrypto";
import { useStyles } from "../useStyles";
import { DeviceSetup } from "./DeviceSetup";
import { HandOffSettings } from "./HandOffSettings";

/** What opening a hand-off link came to. */
export type HandoffOutcome =
  | { readonly kind: "opened"; readonly setup: DeviceSetupInput }
  /** Used, expired or never made: the service answered 404. */
  | { readonly kind: "gone" }
  /** No id and key in the fragment, or a key that does not open the ciphertext. */
  | { readonly kind: "broken" }
  /** The service could not be reached or was busy: the hand-off is still there. */
  | { readonly kind: "failed" };

function isDeviceSetup(value: unknown): value is DeviceSetupInput {
  if (typeof value !== "object" || value === null) return false;
  const { loginName, appPasswordName, password, mail } = value as Record<string, unknown>;
  return (
    typeof loginName === "string" &&
    typeof appPasswordName === "string" &&
    typeof password === "string" &&
    typeof mail === "object" &&
    mail !== null
  );
}

/**
 * Reads the hand-off a link's fragment names, once, and decrypts it with the fragment's key. The service is
 * asked only for the id; the key never leaves this page.
 */
export async function openHandoff(api: Pick<ApiClient, "readHandoff">, fragment: string): Promise<HandoffOutcome> {
  const parsed = parseHandoffFragment(fragment);
  if (parsed === undefined) return { kind: "broken" };
  let sealed;
  try {
    sealed = await api.readHandoff(parsed.id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { kind: "gone" };
    if (error instanceof ApiError && error.status === 400) return { kind: "broken" };
    return { kind: "failed" };
  }
  try {
    return { kind: "opened", setup: await openSetup(sealed, parsed.key, isDeviceSetup) };
  } catch (error) {
    if (error instanceof HandoffCryptoError) return { kind: "broken" };
    throw error;
  }
}

/**
 * The phone page at `/handoff`, no sign-in: shows the set-up a hand-off carries, or why it cannot. `open` is
 * started by the caller before the first render (so that a re-render or React's development double effects
 * never read the one-time hand-off twice); `retry` opens it again after a failure that left it in place.
 */
export function HandoffPage({
  opening,
  retry,
}: {
  readonly opening: Promise<HandoffOutcome>;
  readonly retry: () => Promise<HandoffOutcome>;
}) {
  const { t } = useTranslation("handoff");
  const styles = useStyles();
  const [current, setCurrent] = useState(opening);
  const [outcome, setOutcome] = useState<HandoffOutcome>();

  useEffect(() => {
    let live = true;
    void current.then(
      (found) => live && setOutcome(found),
      () => live && setOutcome({ kind: "failed" }),
    );
    return () => {
      live = false;
    };
  }, [current]);

  return (
    <main className={styles.page}>
      <Title1 as="h1">{t("page.title")}</Title1>
      {outcome === undefined ? (
        <Spinner label={t("page.loading")} />
      ) : outcome.kind === "opened" ? (
        <>
          <MessageBar intent="warning" layout="multiline">
            <MessageBarBody>{t("page.once")}</MessageBarBody>
          </MessageBar>
          <HandOffSettings setup={outcome.setup} />
          <DeviceSetup setup={outcome.setup} settings={false} />
        </>
      ) : (
        <MessageBar intent={outcome.kind === "failed" ? "warning" : "error"} layout="multiline" role="alert">
          <MessageBarBody>
            <MessageBarTitle>{t(`page.${outcome.kind}.title`)}</MessageBarTitle>
            {t(`page.${outcome.kind}.body`)}
          </MessageBarBody>
          {outcome.kind === "failed" ? (
            <MessageBarActions>
              <Button
                onClick={() => {
                  setOutcome(undefined);
                  setCurrent(retry());
                }}
              >
                {t("page.failed.retry")}
              </Button>
            </MessageBarActions>
          ) : null}
        </MessageBar>
      )}
    </main>
  );
}
