import { useMemo, useState, type SyntheticEvent, type ReactNode } from "react";
import { Button, Checkbox, Field, Input, Text, Title1 } from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client";
import { describeProblem } from "../components/ProblemMessage";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { ADMIN_ROLE, type Session } from "./session";
import { useStyles } from "../useStyles";

const STORAGE_KEY = "app-passwords.dev-session";

interface StoredDevSession {
  readonly loginName: string;
  readonly isAdmin: boolean;
  readonly token: string;
}

/**
 * Sign-in when the local host serves the page: "Sign in as" any login name, with tokens from the development
 * issuer (`POST /dev/token`). The token is kept for the tab (session storage) so a reload stays signed in.
 */
export function DevSignIn({ children }: { children: (session: Session) => ReactNode }) {
  const [stored, setStored] = useState<StoredDevSession | undefined>(readStored);
  // One session object per sign-in, so what the page derives from it (the API client) is made once.
  const session = useMemo<Session | undefined>(
    () =>
      stored && {
        loginName: stored.loginName,
        isAdmin: stored.isAdmin,
        getToken: () => Promise.resolve(stored.token),
        signOut: () => {
          sessionStorage.removeItem(STORAGE_KEY);
          setStored(undefined);
        },
      },
    [stored],
  );
  if (session === undefined) return <SignInAsForm onSignedIn={setStored} />;
  return <>{children(session)}</>;
}

function readStored(): StoredDevSession | undefined {
  const text = sessionStorage.getItem(STORAGE_KEY);
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as StoredDevSession;
  } catch {
    return undefined;
  }
}

/** The "Sign in as" form of the local host: a login name, and whether to act as an administrator. */
export function SignInAsForm({ onSignedIn }: { onSignedIn: (session: StoredDevSession) => void }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [loginName, setLoginName] = useState("");
  const [isAdmin, setIsAdmin] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function signIn(event: SyntheticEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const response = await fetch("/dev/token", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ upn: loginName.trim(), ...(isAdmin && { roles: [ADMIN_ROLE] }) }),
      });
      const json = (await response.json()) as { access_token?: string; code?: string; detail?: string };
      if (!response.ok || json.access_token === undefined) {
        setError(
          json.code === undefined
            ? t("signIn.issuerAnswered", { status: response.status })
            : describeProblem(new ApiError(response.status, json), t),
        );
        return;
      }
      const session = { loginName: loginName.trim(), isAdmin, token: json.access_token };
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
      onSignedIn(session);
    } catch {
      setError(t("signIn.unreachable"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className={styles.page}>
      <div className={styles.header}>
        <Title1 as="h1">{t("appTitle")}</Title1>
        <LanguageSwitch />
      </div>
      <Text as="p">{t("signIn.devIntro")}</Text>
      <form className={styles.form} onSubmit={(event) => void signIn(event)}>
        <Field label={t("signIn.loginName")} required validationMessage={error}>
          <Input
            type="email"
            autoComplete="username"
            placeholder="alice@contoso.com"
            value={loginName}
            onChange={(_, data) => setLoginName(data.value)}
          />
        </Field>
        <Checkbox
          label={t("signIn.admin")}
          checked={isAdmin}
          onChange={(_, data) => setIsAdmin(data.checked === true)}
        />
        <div>
          <Button appearance="primary" type="submit" disabled={busy}>
            {t("signIn.signInAs")}
          </Button>
        </div>
      </form>
    </main>
  );
}
