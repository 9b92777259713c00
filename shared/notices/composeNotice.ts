import { messagesEn } from "./messages.en";
import { messagesNl } from "./messages.nl";
import type { Notice, NoticeKind } from "./notice";

/** The languages notices are written in. */
export const NOTICE_LANGUAGES = ["en", "nl"] as const;
export type NoticeLanguage = (typeof NOTICE_LANGUAGES)[number];

/** What a message is filled in with: the notice's values, formatted for the reader. */
export interface NoticeValues {
  readonly name: string;
  readonly when: string;
  readonly ip: string;
  readonly protocol: string;
  readonly expires: string;
  readonly by?: "admin" | "clean-up";
}

/** One language's words for every kind of notice. */
export interface NoticeMessages {
  readonly subject: Readonly<Record<NoticeKind, (values: NoticeValues) => string>>;
  readonly body: Readonly<Record<NoticeKind, (values: NoticeValues) => string>>;
  readonly unknownAddress: string;
  readonly ifNotYou: string;
  readonly seeActivity: string;
  readonly footer: string;
}

const catalogs: Readonly<Record<NoticeLanguage, NoticeMessages>> = { en: messagesEn, nl: messagesNl };

/** A mail ready to send: to whom, its subject and its plain text. */
export interface ComposedMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** The first language of an `Accept-Language` header that notices are written in; English otherwise. */
export function noticeLanguageOf(acceptLanguage: string | null | undefined): NoticeLanguage {
  for (const part of (acceptLanguage ?? "").split(",")) {
    const tag = part.split(";")[0]?.trim().toLowerCase().split("-")[0];
    if (tag === "en" || tag === "nl") return tag;
  }
  return "en";
}

/** The link to the page's activity tab. */
export const activityLink = (portalUrl: string) => `${portalUrl.replace(/\/+$/, "")}/#activity`;

/** The mail a notice becomes for `to`, in `language`, linking to the page at `portalUrl`. */
export function composeNotice(notice: Notice, to: string, language: NoticeLanguage, portalUrl: string): ComposedMail {
  const words = catalogs[language];
  const format = (iso: string) =>
    new Intl.DateTimeFormat(language === "nl" ? "nl-NL" : "en-GB", {
      dateStyle: "long",
      timeStyle: "short",
      timeZone: "UTC",
    }).format(new Date(iso)) + " UTC";
  const values: NoticeValues = {
    name: notice.name ?? "",
    when: format(notice.at),
    ip: notice.ip ?? words.unknownAddress,
    protocol: notice.protocol?.toUpperCase() ?? "",
    expires: notice.expiresAt === undefined ? "" : format(notice.expiresAt),
    ...(notice.by && { by: notice.by }),
  };
  const link = activityLink(portalUrl);
  const action =
    notice.kind === "created" || notice.kind === "first-use-from-new-address" ? words.ifNotYou : words.seeActivity;
  return {
    to,
    subject: words.subject[notice.kind](values),
    text: `${words.body[notice.kind](values)}\n\n${action}\n${link}\n\n${words.footer}\n`,
  };
}
