import { useEffect, useState, type SyntheticEvent } from "react";
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Switch,
  Text,
  Title2,
} from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import { ApiError, type ApiClient, type Policy, type PolicyValues } from "../api/client";
import { formatDateTime } from "../format";
import { useNotify } from "../notify";
import { useStyles } from "../useStyles";
import { ProblemMessage } from "./ProblemMessage";

export interface PolicyEditorProps {
  readonly api: ApiClient;
}

/** The form's text fields as typed; empty means "no limit" where the policy allows none. */
interface Draft {
  readonly allowed: boolean;
  readonly maxPerUser: string;
  readonly maxLifetimeDays: string;
  readonly deleteUnusedAfterDays: string;
}

type NumberField = Exclude<keyof Draft, "allowed">;

const RANGES: Readonly<Record<NumberField, { min: number; max: number; optional: boolean }>> = {
  maxPerUser: { min: 1, max: 99, optional: false },
  maxLifetimeDays: { min: 1, max: 365, optional: true },
  deleteUnusedAfterDays: { min: 1, max: 3650, optional: true },
};

const draftOf = (policy: Policy): Draft => ({
  allowed: policy.allowed,
  maxPerUser: String(policy.maxPerUser),
  maxLifetimeDays: policy.maxLifetimeDays === null ? "" : String(policy.maxLifetimeDays),
  deleteUnusedAfterDays: policy.deleteUnusedAfterDays === null ? "" : String(policy.deleteUnusedAfterDays),
});

/** The number a field holds, null when it is empty and may be, or undefined when it is not a number in range. */
function numberOf(field: NumberField, text: string): number | null | undefined {
  const { min, max, optional } = RANGES[field];
  const trimmed = text.trim();
  if (trimmed === "") return optional ? null : undefined;
  if (!/^\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value >= min && value <= max ? value : undefined;
}

/**
 * The admin view's policy: whether app passwords are allowed, the per-person limit, the longest lifetime and
 * the clean-up of unused ones, saved over the version read (`If-Match`). When another administrator saved
 * first, the form is reloaded with theirs and says so.
 */
export function PolicyEditor({ api }: PolicyEditorProps) {
  const { t } = useTranslation("policy");
  const styles = useStyles();
  const notify = useNotify();
  const [policy, setPolicy] = useState<Policy>();
  const [draft, setDraft] = useState<Draft>();
  const [error, setError] = useState<unknown>();
  const [changedMeanwhile, setChangedMeanwhile] = useState(false);
  const [saving, setSaving] = useState(false);

  /** Bumped to read the policy again. */
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((count) => count + 1);

  useEffect(() => {
    let current = true;
    api.policy().then(
      (found) => {
        if (!current) return;
        setPolicy(found);
        setDraft(draftOf(found));
      },
      (failure: unknown) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [api, version]);

  if (policy === undefined || draft === undefined) {
    return error === undefined ? (
      <Spinner label={t("editor.loading")} />
    ) : (
      <ProblemMessage
        error={error}
        onRetry={() => {
          setError(undefined);
          reload();
        }}
      />
    );
  }

  const values = {
    maxPerUser: numberOf("maxPerUser", draft.maxPerUser),
    maxLifetimeDays: numberOf("maxLifetimeDays", draft.maxLifetimeDays),
    deleteUnusedAfterDays: numberOf("deleteUnusedAfterDays", draft.deleteUnusedAfterDays),
  };
  const valid = Object.values(values).every((value) => value !== undefined);

  async function save(event: SyntheticEvent) {
    event.preventDefault();
    if (policy === undefined || draft === undefined || !valid) return;
    setSaving(true);
    setError(undefined);
    setChangedMeanwhile(false);
    try {
      const saved = await api.savePolicy({ allowed: draft.allowed, ...values } as PolicyValues, policy.etag);
      setPolicy(saved);
      setDraft(draftOf(saved));
      notify(t("editor.saved"));
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === "POLICY_CHANGED") {
        setChangedMeanwhile(true);
        reload();
      } else setError(failure);
    } finally {
      setSaving(false);
    }
  }

  const numberField = (field: NumberField, hint?: string) => {
    const invalid = values[field] === undefined;
    return (
      <Field
        label={t(`editor.${field}`)}
        {...(invalid
          ? { validationState: "error" as const, validationMessage: t("editor.outOfRange", RANGES[field]) }
          : hint === undefined
            ? {}
            : { hint })}
      >
        <Input
          inputMode="numeric"
          value={draft[field]}
          onChange={(_, data) => setDraft({ ...draft, [field]: data.value })}
        />
      </Field>
    );
  };

  return (
    <section aria-labelledby="policy-editor" className={styles.section}>
      <Title2 as="h2" id="policy-editor">
        {t("editor.heading")}
      </Title2>
      <Text as="p">{t("editor.intro", { count: policy.refreshSeconds })}</Text>
      <Text as="p">
        {policy.source === "saved" && policy.savedAt !== undefined
          ? t("editor.savedBy", { loginName: policy.savedBy?.loginName ?? "?", when: formatDateTime(policy.savedAt) })
          : t("editor.fromSettings")}
      </Text>
      {changedMeanwhile ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{t("editor.changedTitle")}</MessageBarTitle>
            {t("editor.changedBody")}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <form className={styles.form} onSubmit={(event) => void save(event)}>
        <Field hint={t("editor.allowedHint")}>
          <Switch
            label={t("editor.allowed")}
            checked={draft.allowed}
            onChange={(_, data) => setDraft({ ...draft, allowed: data.checked })}
          />
        </Field>
        {numberField("maxPerUser")}
        {numberField("maxLifetimeDays", t("editor.maxLifetimeDaysHint"))}
        {numberField("deleteUnusedAfterDays", t("editor.deleteUnusedAfterDaysHint"))}
        <div className={styles.row}>
          <Button type="submit" appearance="primary" disabledFocusable={!valid || saving}>
            {saving ? t("editor.saving") : t("editor.save")}
          </Button>
        </div>
      </form>
      {error === undefined ? null : <ProblemMessage error={error} />}
    </section>
  );
}
