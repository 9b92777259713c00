import type { AppPasswordStore } from "../domain/appPasswordStore";
import { composeNotice } from "./composeNotice";
import type { Mailer } from "./mailer";
import type { Notice } from "./notice";
import type { NoticeRecords } from "./tableNoticeRecords";

/** What came of one delivery. */
export type DeliveryOutcome = "sent" | "already-sent" | "no-recipient" | "off";

export interface NoticeDeliveryOptions {
  readonly store: Pick<AppPasswordStore, "getUser">;
  readonly records: NoticeRecords;
  /** Absent: notices are off (neither Communication Services nor SMTP is configured). */
  readonly mailer?: Mailer;
  /** The page's address, which each notice links to. */
  readonly portalUrl: string;
  readonly now?: () => Date;
}

/**
 * Sends a notice from the queue at least once and, by its id, at most once: one already recorded as sent is
 * skipped. A send that throws leaves it unrecorded, so the queue delivers it again.
 */
export function createNoticeDelivery(options: NoticeDeliveryOptions) {
  const { store, records, mailer, portalUrl } = options;
  const now = options.now ?? (() => new Date());
  return async function deliver(notice: Notice): Promise<DeliveryOutcome> {
    if (!mailer) return "off";
    if (await records.wasSent(notice.id)) return "already-sent";
    const [contact, user] = await Promise.all([records.getContact(notice.userId), store.getUser(notice.userId)]);
    const to = contact?.email ?? user?.loginName;
    if (!to) return "no-recipient";
    await mailer.send(composeNotice(notice, to, contact?.language ?? "en", portalUrl));
    await records.markSent(notice.id, now());
    return "sent";
  };
}

export type NoticeDelivery = ReturnType<typeof createNoticeDelivery>;
