import { useEffect, useMemo, useState } from "react";
import { Button, Tab, TabList, Text, Title1, Title2 } from "@fluentui/react-components";
import { Trans, useTranslation } from "react-i18next";
import { BASIC_CAPABILITIES, createApiClient, type Capabilities } from "./api/client";
import type { Session } from "./auth/session";
import { ActivityList } from "./components/ActivityList";
import { AllAppPasswords } from "./components/AllAppPasswords";
import { FindPerson } from "./components/FindPerson";
import { HandOffProvider } from "./components/HandOffContext";
import { LanguageSwitch } from "./components/LanguageSwitch";
import { MyAppPasswords } from "./components/MyAppPasswords";
import { PolicyEditor } from "./components/PolicyEditor";
import type { MailSettings } from "./setup/deviceSetupInput";
import { useStyles } from "./useStyles";

type View = "mine" | "activity" | "admin";

/** No mail settings in `/config.json`: the once-shown dialog and a hand-off carry the password alone. */
const NO_MAIL_SETTINGS: MailSettings = {};

/** The signed-in page: the person's app passwords, their activity and, for administrators, Find a person. */
export function Portal({
  session,
  apiBaseUrl,
  mail = NO_MAIL_SETTINGS,
}: {
  readonly session: Session;
  readonly apiBaseUrl: string;
  readonly mail?: MailSettings | undefined;
}) {
  const { t } = useTranslation();
  const styles = useStyles();
  const api = useMemo(
    () => createApiClient({ baseUrl: apiBaseUrl, getToken: () => session.getToken() }),
    [apiBaseUrl, session],
  );
  const [capabilities, setCapabilities] = useState<Capabilities>(BASIC_CAPABILITIES);
  // Notices by email link to `/#activity`: the page opens on the person's activity.
  const [view, setView] = useState<View>(window.location.hash === "#activity" ? "activity" : "mine");

  useEffect(() => {
    let current = true;
    void api.capabilities().then((found) => current && setCapabilities(found));
    return () => {
      current = false;
    };
  }, [api]);

  const showTabs = capabilities.activity || session.isAdmin;
  return (
    <HandOffProvider api={api} loginName={session.loginName} mail={mail}>
      <header className={styles.page} style={{ paddingBottom: 0 }}>
        <div className={styles.header}>
          <Title1 as="h1" className={styles.title}>
            {t("appTitle")}
          </Title1>
          <div className={styles.row}>
            <Text className={styles.signedIn}>
              <Trans
                t={t}
                i18nKey={session.isAdmin ? "header.signedInAsAdmin" : "header.signedInAs"}
                values={{ loginName: session.loginName }}
                components={{ strong: <strong /> }}
              />
            </Text>
            <Button onClick={() => session.signOut()}>{t("header.signOut")}</Button>
            <LanguageSwitch />
          </div>
        </div>
        {showTabs ? (
          <nav aria-label={t("header.views")}>
            <TabList
              className={styles.tabs}
              selectedValue={view}
              onTabSelect={(_, data) => setView(data.value as View)}
            >
              <Tab value="mine">{t("header.mine")}</Tab>
              {capabilities.activity ? <Tab value="activity">{t("header.activity")}</Tab> : null}
              {session.isAdmin ? <Tab value="admin">{t("header.admin")}</Tab> : null}
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
              {t("header.activity")}
            </Title2>
            <ActivityList api={api} user="me" caption={t("header.activity")} />
          </section>
        ) : (
          <>
            <PolicyEditor api={api} />
            <FindPerson api={api} capabilities={capabilities} />
          </>
        )}
        {view === "admin" ? <AllAppPasswords api={api} /> : null}
      </main>
    </HandOffProvider>
  );
}
