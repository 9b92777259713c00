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
import type { ActivityEvent, ApiClient } from "../api/client";
import { formatDateTime, protocolName } from "../format";
import { ProblemMessage } from "./ProblemMessage";
import { useStyles } from "../useStyles";

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
  const styles = useStyles();
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
  if (items === undefined) return <Spinner label="Loading activity…" />;
  if (items.length === 0) return <Text as="p">No activity in the last 90 days.</Text>;
  return (
    <>
      <Table aria-label={caption}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>When</TableHeaderCell>
            <TableHeaderCell>What</TableHeaderCell>
            <TableHeaderCell>App password</TableHeaderCell>
            <TableHeaderCell>Where from</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {items.map((event, index) => (
            <TableRow key={`${event.at}-${index}`}>
              <TableCell>{formatDateTime(event.at)}</TableCell>
              <TableCell>{describeEvent(event)}</TableCell>
              <TableCell className={styles.name}>{event.name ?? ""}</TableCell>
              <TableCell>
                {[event.ip, event.protocol === undefined ? undefined : protocolName(event.protocol)]
                  .filter((part) => part !== undefined)
                  .join(", ")}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {more === undefined ? null : (
        <div>
          <Button disabled={busy} onClick={() => void showOlder(more)}>
            Show older activity
          </Button>
        </div>
      )}
    </>
  );
}

/** Who acted, in words: the service names the owner, an administrator or the clean-up timer. */
function describeActor(by: string | undefined): string {
  if (by === undefined) return "";
  if (/^(?:user|owner|self|me)$/i.test(by)) return "";
  if (/^admin/i.test(by)) return " by an administrator";
  if (/^clean-?up|^timer/i.test(by)) return " by the automatic clean-up";
  return ` by ${by}`;
}

/** One event in words. */
export function describeEvent(event: ActivityEvent): string {
  const by = describeActor(event.by);
  switch (event.event) {
    case "created":
      return `Created${by}`;
    case "renamed":
      return event.previousName === undefined ? `Renamed${by}` : `Renamed${by} from ${event.previousName}`;
    case "deleted":
      return `Deleted${by}`;
    case "first-use-from-new-address":
      return "First use from a new address";
    case "verify-locked-out":
      return "Sign-ins paused after too many wrong passwords";
    case "login-name-released":
      return `Login name ${event.loginName ?? ""} released${by}: it no longer opens this account's mail`;
    case "login-name-release-lifted":
      return `Login name ${event.loginName ?? ""} may be used by this account again${by}`;
    case "throttle-reset":
      return `Sign-in pauses lifted${by}`;
    default:
      return String(event.event);
  }
}
