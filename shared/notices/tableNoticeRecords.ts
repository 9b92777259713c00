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
  const { client, call, read } = createTableCalls(location, options);
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
  };
}
