import { useEffect, useMemo, useState } from "react";
import { Button, Tab, TabList, Text, Title1, Title2 } from "@fluentui/react-components";
import { BASIC_CAPABILITIES, createApiClient, type Capabilities } from "./api/client";
import type { Session } from "./auth/session";
import { ActivityList } from "./components/ActivityList";
import { FindPerson } from "./components/FindPerson";
import { HandOffProvider } from "./components/HandOffContext";
import { MyAppPasswords } from "./components/MyAppPasswords";
import { useStyles } from "./useStyles";

type View = "mine" | "activity" | "admin";

/** The tenant's mail settings, until the page is given them: a hand-off then carries the password alone. */
const NO_MAIL_SETTINGS = {};

/** The signed-in page: the person's app passwords, their activity and, for administrators, Find a person. */
export function Portal({ session, apiBaseUrl }: { readonly session: Session; readonly apiBaseUrl: string }) {
  const styles = useStyles();
  const api = useMemo(
    () => createApiClient({ baseUrl: apiBaseUrl, getToken: () => session.getToken() }),
    [apiBaseUrl, session],
  );
  const [capabilities, setCapabilities] = useState<Capabilities>(BASIC_CAPABILITIES);
  const [view, setView] = useState<View>("mine");

  useEffect(() => {
    let current = true;
    void api.capabilities().then((found) => current && setCapabilities(found));
    return () => {
      current = false;
    };
  }, [api]);

  const showTabs = capabilities.activity || session.isAdmin;
  return (
    <HandOffProvider api={api} loginName={session.loginName} mail={NO_MAIL_SETTINGS}>
      <header className={styles.page} style={{ paddingBottom: 0 }}>
        <div className={styles.header}>
          <Title1 as="h1">App passwords</Title1>
          <div className={styles.row}>
            <Text>
              Signed in as <strong>{session.loginName}</strong>
              {session.isAdmin ? " (administrator)" : ""}
            </Text>
            <Button onClick={() => session.signOut()}>Sign out</Button>
          </div>
        </div>
        {showTabs ? (
          <nav aria-label="Views">
            <TabList selectedValue={view} onTabSelect={(_, data) => setView(data.value as View)}>
              <Tab value="mine">Your app passwords</Tab>
              {capabilities.activity ? <Tab value="activity">Your activity</Tab> : null}
              {session.isAdmin ? <Tab value="admin">Find a person</Tab> : null}
            </TabList>
          </nav>
        ) : null}
      </header>
      <main className={styles.page}>
        {view === "mine" ? (
          <MyAppPasswords
            api={api}
            capabilities={capabilities}
            onRenameUnsupported={() => setCapabilities((c) => ({ ...c, rename: false }))}
          />
        ) : view === "activity" ? (
          <section aria-labelledby="my-activity" className={styles.section}>
            <Title2 as="h2" id="my-activity">
              Your activity
            </Title2>
            <ActivityList api={api} user="me" caption="Your activity" />
          </section>
        ) : (
          <FindPerson api={api} capabilities={capabilities} />
        )}
      </main>
    </HandOffProvider>
  );
}
