import { useEffect, useMemo, useState, type ReactNode } from "react";
import {
  InteractionRequiredAuthError,
  InteractionStatus,
  type AccountInfo,
  type IPublicClientApplication,
} from "@azure/msal-browser";
import { MsalProvider, useMsal } from "@azure/msal-react";
import { Button, Spinner, Text, Title1 } from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { ADMIN_ROLE, rolesOf, type Session } from "./session";
import { useStyles } from "../useStyles";

export interface MsalSignInProps {
  readonly instance: IPublicClientApplication;
  /** The API's delegated scope, `api://…/AppPasswords.Manage`. */
  readonly apiScope: string;
  readonly children: (session: Session) => ReactNode;
}

/** Entra ID sign-in through MSAL: one `PublicClientApplication` (created at start) behind `MsalProvider`. */
export function MsalSignIn({ instance, apiScope, children }: MsalSignInProps) {
  return (
    <MsalProvider instance={instance}>
      <SignedInWithMsal apiScope={apiScope}>{children}</SignedInWithMsal>
    </MsalProvider>
  );
}

function SignedInWithMsal({ apiScope, children }: Omit<MsalSignInProps, "instance">) {
  const { t } = useTranslation();
  const styles = useStyles();
  const { instance, accounts, inProgress } = useMsal();
  const account: AccountInfo | undefined = instance.getActiveAccount() ?? accounts[0];
  const [isAdmin, setIsAdmin] = useState<boolean>();

  useEffect(() => {
    if (account === undefined) return;
    instance.setActiveAccount(account);
    instance
      .acquireTokenSilent({ scopes: [apiScope], account })
      .then((result) => setIsAdmin(rolesOf(result.accessToken).includes(ADMIN_ROLE)))
      // Without a token now, the first API call asks for one interactively; the admin view waits till then.
      .catch(() => setIsAdmin(false));
  }, [instance, account, apiScope]);

  // One session object per signed-in account, so what the page derives from it (the API client) is made once.
  const session = useMemo<Session | undefined>(() => {
    if (account === undefined || isAdmin === undefined) return undefined;
    const request = { scopes: [apiScope], account };
    return {
      loginName: account.username,
      isAdmin,
      getToken: async () => {
        try {
          return (await instance.acquireTokenSilent(request)).accessToken;
        } catch (error) {
          if (error instanceof InteractionRequiredAuthError) await instance.acquireTokenRedirect(request);
          throw error;
        }
      },
      signOut: () => void instance.logoutRedirect({ account }),
    };
  }, [instance, account, isAdmin, apiScope]);

  if (account === undefined) {
    return (
      <main className={styles.page}>
        <div className={styles.header}>
          <Title1 as="h1">{t("appTitle")}</Title1>
          <LanguageSwitch />
        </div>
        <Text as="p">{t("signIn.msalIntro")}</Text>
        <div>
          <Button
            appearance="primary"
            disabled={inProgress !== InteractionStatus.None}
            onClick={() => void instance.loginRedirect({ scopes: [apiScope] })}
          >
            {t("signIn.signIn")}
          </Button>
        </div>
      </main>
    );
  }
  if (session === undefined) return <Spinner label={t("signIn.signingIn")} />;
  return <>{children(session)}</>;
}
