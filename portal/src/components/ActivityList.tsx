import { useEffect, useState } from "react";
import {
  Button,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from "@fluentui/react-components";
import i18next from "i18next";
import { useTranslation } from "react-i18next";
import type { ActivityEvent, ApiClient } from "../api/client";
import { formatDateTime, protocolName } from "../format";
import { ProblemMessage } from "./ProblemMessage";
import { useNarrow } from "../useNarrow";
import { useStyles } from "../useStyles";
import { CardFacts } from "./CardFacts";

export interface ActivityListProps {
  readonly api: ApiClient;
  /** `me`, or the person an administrator looks at. */
  readonly user: string;
  /** "Your activity" or "Activity of alice@contoso.com". */
  readonly caption: string;
  /** Changes whenever the app passwords change, so the list shows the newest events. */
  readonly version?: number;
}

/** What happened to a person's app passwords, newest first, with older events a click away. */
export function ActivityList({ api, user, caption, version }: ActivityListProps) {
  const { t } = useTranslation("activity");
  const styles = useStyles();
  const narrow = useNarrow();
  const [items, setItems] = useState<readonly ActivityEvent[]>();
  const [more, setMore] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    api.activity(user).then(
      (page) => {
        if (!current) return;
        setError(undefined);
        setItems(page.items);
        setMore(page.continuation);
      },
      (failure: unknown) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [api, user, version, attempt]);

  async function showOlder(continuation: string) {
    setBusy(true);
    try {
      const page = await api.activity(user, continuation);
      setItems((current) => [...(current ?? []), ...page.items]);
      setMore(page.continuation);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  if (error !== undefined) return <ProblemMessage error={error} onRetry={() => setAttempt((count) => count + 1)} />;
  if (items === undefined) return <Spinner label={t("loading")} />;
  if (items.length === 0) return <Text as="p">{t("none")}</Text>;
  const labels = [t("when"), t("what"), t("appPassword"), t("whereFrom")];
  const facts = (event: ActivityEvent) => [
    formatDateTime(event.at),
    describeEvent(event),
    event.name ?? "",
    [event.ip, event.protocol === undefined ? undefined : protocolName(event.protocol)]
      .filter((part) => part !== undefined)
      .join(", "),
  ];
  return (
    <>
      {narrow ? (
        <ul aria-label={caption} className={styles.cards}>
          {items.map((event, index) => (
            <li key={`${event.at}-${index}`} className={styles.card}>
              <CardFacts labels={labels} values={facts(event)} />
            </li>
          ))}
        </ul>
      ) : (
        <Table aria-label={caption}>
          <TableHeader>
            <TableRow>
              {labels.map((label) => (
                <TableHeaderCell key={label}>{label}</TableHeaderCell>
              ))}
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((event, index) => (
              <TableRow key={`${event.at}-${index}`}>
                {facts(event).map((value, column) => (
                  <TableCell key={column} {...(column === 2 && { className: styles.name })}>
                    {value}
                  </TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {more === undefined ? null : (
        <div>
          <Button disabled={busy} onClick={() => void showOlder(more)}>
            {t("showOlder")}
          </Button>
        </div>
      )}
    </>
  );
}

const say = (key: string, values?: Record<string, string>) => i18next.t(key, { ns: "activity", ...values });

/** Who acted, in words: the service names the owner, an administrator or the clean-up timer. */
function describeActor(by: string | undefined): string {
  if (by === undefined) return "";
  if (/^(?:user|owner|self|me)$/i.test(by)) return "";
  if (/^admin/i.test(by)) return say("by.admin");
  if (/^clean-?up|^timer/i.test(by)) return say("by.cleanUp");
  return say("by.named", { name: by });
}

/** One event in words, in the page's language. */
export function describeEvent(event: ActivityEvent): string {
  const by = describeActor(event.by);
  const loginName = event.loginName ?? "";
  switch (event.event) {
    case "created":
      return say("event.created", { by });
    case "renamed":
      return event.previousName === undefined
        ? say("event.renamed", { by })
        : say("event.renamedFrom", { by, previousName: event.previousName });
    case "deleted":
      return say("event.deleted", { by });
    case "first-use-from-new-address":
      return say("event.firstUse");
    case "verify-locked-out":
      return say("event.lockedOut");
    case "login-name-released":
      return say("event.released", { by, loginName });
    case "login-name-release-lifted":
      return say("event.releaseLifted", { by, loginName });
    case "throttle-reset":
      return say("event.throttleReset", { by });
    default:
      return String(event.event);
  }
}
