import type { TokenCredential } from "@azure/identity";
import type { TableLocation, TableStoreOptions } from "../adapters/tableCalls";
import type { AppPasswordStore } from "../domain/appPasswordStore";
import type { Notices } from "../domain/notices";
import { DAY_MS } from "../domain/domainContext";
import type { Principal } from "../domain/principal";
import { createAcsMailer } from "./acsMailer";
import { noticeLanguageOf } from "./composeNotice";
import { createNoticeDelivery, type NoticeDelivery } from "./deliverNotice";
import type { Mailer } from "./mailer";
import { NOTICE_QUEUE, type NoticeConfig } from "./noticeConfig";
import { createQueueNotices, type QueueLocation } from "./queueNotices";
import { createSmtpMailer } from "./smtpMailer";
import { createTableNoticeRecords } from "./tableNoticeRecords";

/** The notices' parts a process wires: the domain's port, the sender, and what remembers whom to write to. */
export interface NoticeServices {
  /** Absent when no queue or no mailer is configured: notices are off. */
  readonly notices?: Notices;
  readonly deliverNotice: NoticeDelivery;
  /** Remembers the caller's address (their `email` claim) and language (the page's `Accept-Language`). */
  readonly rememberContact: (caller: Principal, acceptLanguage: string | null) => Promise<void>;
  /** Queues a notice for each app password expiring in 6–7 days, one per app password (its id is fixed). */
  readonly noticeExpiring: (now: Date) => Promise<number>;
  /** Forgets the ids of notices sent more than {@link SENT_NOTICE_RETENTION_DAYS} days before `now`; how many. */
  readonly forgetSentNotices: (now: Date) => Promise<number>;
}

/**
 * How long a sent notice's id is kept: far beyond the queue's redeliveries (minutes to hours; a message lives
 * seven days at most) and the expiry notice's one-day window, so a notice is never sent twice.
 */
export const SENT_NOTICE_RETENTION_DAYS = 30;

/** The queue's location from the configuration, if any. */
export function noticeQueueLocation(config: NoticeConfig, credential: TokenCredential): QueueLocation | undefined {
  if (config.queueConnectionString !== undefined) {
    return { connectionString: config.queueConnectionString, queueName: NOTICE_QUEUE };
  }
  if (config.queueEndpoint !== undefined)
    return { endpoint: config.queueEndpoint, queueName: NOTICE_QUEUE, credential };
  return undefined;
}

/** Wires notices as configured: SMTP when `smtpUrl` is set, else Communication Services, else off. */
export function createNoticeServices(
  config: NoticeConfig,
  table: TableLocation,
  options: TableStoreOptions & { readonly store: AppPasswordStore; readonly credential: TokenCredential },
): NoticeServices {
  const records = createTableNoticeRecords(table, options);
  const mailer: Mailer | undefined =
    config.smtpUrl !== undefined
      ? createSmtpMailer(config.smtpUrl, config.from)
      : config.emailEndpoint !== undefined
        ? createAcsMailer(config.emailEndpoint, config.from, options.credential)
        : undefined;
  const location = noticeQueueLocation(config, options.credential);
  // What is remembered per process, so a person's calls write their contact once, not at every call.
  const remembered = new Map<string, string>();
  // Notices are on when there is a queue to put them on and a mailer to send them: otherwise nothing is queued,
  // and a verify or a change costs no queue request.
  const queue =
    location && mailer
      ? createQueueNotices(location, (notice, error) =>
          console.warn(`Notice "${notice.kind}" ${notice.id} not queued: ${error.name}: ${error.message}`),
        )
      : undefined;
  return {
    ...(queue && { notices: queue }),
    deliverNotice: createNoticeDelivery({
      store: options.store,
      records,
      ...(mailer && { mailer }),
      portalUrl: config.portalUrl,
    }),
    async noticeExpiring(now) {
      if (!queue) return 0;
      const from = now.getTime() + 6 * DAY_MS;
      const to = now.getTime() + 7 * DAY_MS;
      let queued = 0;
      for await (const page of options.store.scanAppPasswords()) {
        for (const one of page) {
          const expires = one.expiresAt?.getTime();
          if (expires === undefined || expires <= from || expires > to) continue;
          // Fixed by the app password and its expiry: a second run the same day queues a notice already sent.
          const id = `expiring-${one.userId}-${one.id}-${expires}`;
          await queue.enqueue({
            id,
            userId: one.userId,
            kind: "expiring",
            at: now.toISOString(),
            name: one.name,
            expiresAt: new Date(expires).toISOString(),
          });
          queued++;
        }
      }
      return queued;
    },
    forgetSentNotices: (now) => records.forgetSentBefore(new Date(now.getTime() - SENT_NOTICE_RETENTION_DAYS * DAY_MS)),
    async rememberContact(caller, acceptLanguage) {
      const contact = {
        language: noticeLanguageOf(acceptLanguage),
        ...(caller.email !== undefined && { email: caller.email }),
      };
      const key = JSON.stringify(contact);
      if (remembered.get(caller.userId) === key) return;
      await records.saveContact(caller.userId, contact);
      remembered.set(caller.userId, key);
    },
  };
}
