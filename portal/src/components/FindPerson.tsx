import { useState, type SyntheticEvent } from "react";
import { Button, Field, Input, Text, Title2 } from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import type { ApiClient, Capabilities } from "../api/client";
import { useStyles } from "../useStyles";
import { PersonAppPasswords } from "./PersonAppPasswords";

export interface FindPersonProps {
  readonly api: ApiClient;
  readonly capabilities: Capabilities;
}

/** The admin view: find a person by login name (or object id), then see and manage their app passwords. */
export function FindPerson({ api, capabilities }: FindPersonProps) {
  const { t } = useTranslation("admin");
  const styles = useStyles();
  const [query, setQuery] = useState("");
  const [person, setPerson] = useState<string>();

  function find(event: SyntheticEvent) {
    event.preventDefault();
    const wanted = query.trim();
    if (wanted !== "") setPerson(wanted);
  }

  return (
    <section aria-labelledby="find-person" className={styles.section}>
      <Title2 as="h2" id="find-person">
        {t("heading")}
      </Title2>
      <Text as="p">{t("intro")}</Text>
      <form className={styles.row} onSubmit={find}>
        <Field label={t("query")} className={styles.wideField}>
          <Input value={query} placeholder="alice@contoso.com" onChange={(_, data) => setQuery(data.value)} />
        </Field>
        <Button type="submit" appearance="primary" style={{ alignSelf: "flex-end" }}>
          {t("find")}
        </Button>
      </form>
      {person === undefined ? null : (
        <PersonAppPasswords key={person} api={api} person={person} capabilities={capabilities} />
      )}
    </section>
  );
}
