import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { FluentProvider, Toaster, webLightTheme } from "@fluentui/react-components";
import { PublicClientApplication } from "@azure/msal-browser";
import { createApiClient } from "./api/client";
import { DevSignIn } from "./auth/DevSignIn";
import { HandoffPage, openHandoff } from "./components/HandoffPage";
import { HANDOFF_PATH } from "./setup/handoffCrypto";
import { MsalSignIn } from "./auth/MsalSignIn";
import type { Session } from "./auth/session";
import i18next from "i18next";
import { startI18n } from "./i18n/i18n";
import { TOASTER_ID } from "./notify";
import { Portal } from "./Portal";
import { loadRuntimeConfig, type RuntimeConfig } from "./runtimeConfig";

/** Reads `/config.json`, sets up sign-in for it, and shows the page. */
async function start(container: HTMLElement) {
  const handoff = window.location.pathname === HANDOFF_PATH ? window.location.hash : undefined;
  // The hand-off's key leaves the address bar and the history before anything else happens.
  if (handoff !== undefined) window.history.replaceState(null, "", HANDOFF_PATH);
  const root = createRoot(container);
  await startI18n();
  let config: RuntimeConfig;
  try {
    config = await loadRuntimeConfig();
  } catch (error) {
    root.render(
      <p role="alert">{i18next.t("configError", { message: error instanceof Error ? error.message : "" })}</p>,
    );
    return;
  }
  if (handoff !== undefined) {
    // The phone page: no sign-in, one anonymous read of the hand-off.
    const api = createApiClient({
      baseUrl: config.apiBaseUrl,
      getToken: () => Promise.reject(new Error("The phone page does not sign in.")),
    });
    const open = () => openHandoff(api, handoff);
    root.render(
      <StrictMode>
        <FluentProvider theme={webLightTheme}>
          <HandoffPage opening={open()} retry={open} />
        </FluentProvider>
      </StrictMode>,
    );
    return;
  }
  const page = (session: Session) => <Portal session={session} apiBaseUrl={config.apiBaseUrl} mail={config.mail} />;
  let signIn;
  if (config.auth === "dev") {
    signIn = <DevSignIn>{page}</DevSignIn>;
  } else {
    const instance = new PublicClientApplication({
      auth: {
        clientId: config.clientId,
        authority: `https://login.microsoftonline.com/${config.tenantId}`,
        redirectUri: window.location.origin,
        postLogoutRedirectUri: window.location.origin,
      },
      cache: { cacheLocation: "sessionStorage" },
    });
    await instance.initialize();
    const result = await instance.handleRedirectPromise();
    if (result?.account) instance.setActiveAccount(result.account);
    signIn = (
      <MsalSignIn instance={instance} apiScope={config.apiScope}>
        {page}
      </MsalSignIn>
    );
  }
  root.render(
    <StrictMode>
      <FluentProvider theme={webLightTheme}>
        <Toaster toasterId={TOASTER_ID} position="bottom-end" />
        {signIn}
      </FluentProvider>
    </StrictMode>,
  );
}

const container = document.getElementById("root");
if (container !== null) void start(container);
