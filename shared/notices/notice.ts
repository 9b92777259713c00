import type { ActivityEvent } from "../domain/activity";
import type { Protocol } from "../domain/protocols";

/** Why a person is told: what happened to one of their app passwords. */
export type NoticeKind = "created" | "first-use-from-new-address" | "expiring" | "deleted";

/**
 * One notice as it travels on the queue: the person (by user id), what happened, and the event's id, the
 * idempotency key of its delivery. It names the app password by name only; it never holds a secret.
 */
export interface Notice {
  readonly id: string;
  readonly userId: string;
  readonly kind: NoticeKind;
  readonly at: string;
  readonly name?: string | undefined;
  readonly ip?: string | undefined;
  readonly protocol?: Protocol | undefined;
  readonly expiresAt?: string | undefined;
  readonly by?: "admin" | "clean-up" | undefined;
}

/**
 * The notice an activity event gives the person, if any: a creation, a first use from a new address, or a
 * deletion they did not make themselves (an administrator's or the clean-up's).
 */
export function noticeOf(id: string, userId: string, event: ActivityEvent): Notice | undefined {
  const base = {
    id,
    userId,
    at: event.at.toISOString(),
    ...(event.name !== undefined && { name: event.name }),
    ...(event.ip !== undefined && { ip: event.ip }),
  };
  switch (event.event) {
    case "created":
      return { ...base, kind: "created" };
    case "first-use-from-new-address":
      return { ...base, kind: "first-use-from-new-address", ...(event.protocol && { protocol: event.protocol }) };
    case "deleted":
      return event.by === "admin" || event.by === "clean-up" ? { ...base, kind: "deleted", by: event.by } : undefined;
    default:
      return undefined;
  }
}
