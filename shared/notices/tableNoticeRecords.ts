import { odata } from "@azure/data-tables";
import { createTableCalls, type TableLocation, type TableStoreOptions } from "../adapters/tableCalls";
import type { NoticeLanguage } from "./composeNotice";

/** Where notices go for a person, as remembered from their last call of the API. */
export interface NoticeContact {
  readonly email?: string;
  readonly language: NoticeLanguage;
}

/** The notices' rows: each person's contact and the ids of the notices already sent. */
export interface NoticeRecords {
  getContact(userId: string): Promise<NoticeContact | undefined>;
  saveContact(userId: string, contact: NoticeContact): Promise<void>;
  wasSent(noticeId: string): Promise<boolean>;
  /** Records a notice as sent; a second record of the same id is a no-op. */
  markSent(noticeId: string, at: Date): Promise<void>;
  /**
   * Forgets the notices sent before `before`, a page at a time; how many. Long after its last redelivery could
   * come, a sent id has nothing left to prevent.
   */
  forgetSentBefore(before: Date): Promise<number>;
}

// The contact sits in the person's own partition, beside their user record; sent ids in a partition of their own.
const CONTACT_ROW = "notice-contact";
const SENT_PARTITION = "notices-sent";

interface ContactEntity {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly Email?: string;
  readonly Language: string;
}

/** The notices' rows in the service's table. */
export function createTableNoticeRecords(location: TableLocation, options: TableStoreOptions): NoticeRecords {
  const { client, call, read, write } = createTableCalls(location, options);
  return {
    async getContact(userId) {
      const entity = await read<ContactEntity>(userId, CONTACT_ROW);
      if (!entity) return undefined;
      const language = entity.Language === "nl" ? "nl" : "en";
      return entity.Email ? { email: entity.Email, language } : { language };
    },
    async saveContact(userId, contact) {
      const entity: ContactEntity = {
        partitionKey: userId,
        rowKey: CONTACT_ROW,
        Language: contact.language,
        ...(contact.email !== undefined && { Email: contact.email }),
      };
      await call((abortSignal) => client.upsertEntity(entity, "Replace", { abortSignal }));
    },
    async wasSent(noticeId) {
      return (await read(SENT_PARTITION, noticeId)) !== undefined;
    },
    async markSent(noticeId, at) {
      await call((abortSignal) =>
        client.upsertEntity({ partitionKey: SENT_PARTITION, rowKey: noticeId, SentAt: at }, "Replace", { abortSignal }),
      );
    },
    async forgetSentBefore(before) {
      const filter = odata`PartitionKey eq ${SENT_PARTITION} and SentAt lt ${before}`;
      const queryOptions = { filter, select: ["RowKey"] };
      let forgotten = 0;
      for (;;) {
        // A page at a time, each deleted before the next is read: the rows it lists are gone by then.
        const page = await call(async (abortSignal) => {
          const rows: string[] = [];
          for await (const { rowKey } of client.listEntities({ queryOptions, abortSignal })) {
            if (rowKey !== undefined) rows.push(rowKey);
            if (rows.length === 100) break;
          }
          return rows;
        });
        const outcomes = await Promise.all(
          page.map((rowKey) => write((abortSignal) => client.deleteEntity(SENT_PARTITION, rowKey, { abortSignal }))),
        );
        forgotten += outcomes.filter((outcome) => outcome === "done").length;
        if (page.length < 100) return forgotten;
      }
    },
  };
}
