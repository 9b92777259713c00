import { ACTIVITY_RETENTION_MS } from "./activity";
import { deletedEvent } from "./appPasswordRecords";
import type { StoredAppPassword } from "./appPasswordStore";
import { DAY_MS, type DomainContext } from "./domainContext";
import { CONFLICT, retryOnConflict } from "./retryOnConflict";
import { THROTTLE_RULES } from "./verifyThrottle";

// What the daily timers delete: app passwords past their time, old activity, quiet throttling rows.

/** What one run of the daily clean-up deleted. */
export interface CleanUpReport {
  readonly expired: number;
  readonly unused: number;
  /** Users whose due app passwords kept losing races to other changes: left for the next run. */
  readonly contended: number;
  readonly events: number;
}

/** Expired app passwords are deleted this long after they expired. */
export const DELETE_EXPIRED_AFTER_MS = 30 * DAY_MS;

/** The timers' work over one context. */
export function createCleanUp({ store, now, policy, recordActivity }: DomainContext) {
  return {
    /**
     * The daily clean-up: deletes app passwords 30 days after they expired and, under the tenant policy,
     * those unused for that many days (each deletion uncounted in the same transaction and logged), and
     * activity older than 90 days.
     */
    async cleanUp(): Promise<CleanUpReport> {
      const at = now();
      const { deleteUnusedAfterDays } = await policy();
      const unusedSince =
        deleteUnusedAfterDays === undefined ? undefined : at.getTime() - deleteUnusedAfterDays * DAY_MS;
      const reason = (stored: StoredAppPassword): "expired" | "unused" | undefined => {
        if (stored.expiresAt !== undefined && stored.expiresAt.getTime() <= at.getTime() - DELETE_EXPIRED_AFTER_MS) {
          return "expired";
        }
        const lastUsed = stored.lastUsedAt ?? stored.createdAt;
        return unusedSince !== undefined && lastUsed.getTime() <= unusedSince ? "unused" : undefined;
      };
      const users = new Set<string>();
      for await (const page of store.scanAppPasswords()) {
        for (const stored of page) if (reason(stored) !== undefined) users.add(stored.userId);
      }
      const report = { expired: 0, unused: 0, contended: 0, events: 0 };
      for (const userId of users) {
        const removed = await retryOnConflict(async () => {
          const user = await store.getUser(userId);
          if (!user) return [];
          // Read again under the user record just read: one used or deleted since the scan is left alone.
          const due = (await store.listAppPasswords(userId)).filter((stored) => reason(stored) !== undefined);
          if (due.length === 0) return [];
          const written = await store.removeAppPasswords(
            user,
            due.map((stored) => stored.id),
          );
          return written === "done" ? due : CONFLICT;
        });
        if ("code" in removed) {
          report.contended++;
          continue;
        }
        for (const stored of removed) {
          report[reason(stored) ?? "unused"]++;
          await recordActivity(userId, deletedEvent(stored, { by: "clean-up" }, at));
        }
      }
      report.events = await store.pruneActivity(new Date(at.getTime() - ACTIVITY_RETENTION_MS));
      return report;
    },

    /**
     * Deletes the throttling rows nobody wrote to for `THROTTLE_RULES.forgetQuietAfterMs`, of users and of
     * unknown login names alike (so both keep behaving the same); how many. Run daily by a timer.
     */
    async forgetQuietThrottles(): Promise<number> {
      return store.forgetQuietThrottles(new Date(now().getTime() - THROTTLE_RULES.forgetQuietAfterMs));
    },
  };
}
