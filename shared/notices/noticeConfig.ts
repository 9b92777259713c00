/** The queue notices travel on; its poison queue is `<name>-poison`. */
export const NOTICE_QUEUE = "app-password-notices";

/** How notices are queued and sent; a queue without a mailer keeps notices until one is configured. */
export interface NoticeConfig {
  /** The queue service in Azure (managed identity). */
  readonly queueEndpoint?: string;
  /** The queue service of Azurite. */
  readonly queueConnectionString?: string;
  /** SMTP, when set: preferred over Communication Services. */
  readonly smtpUrl?: string;
  /** Azure Communication Services Email. */
  readonly emailEndpoint?: string;
  readonly from: string;
  readonly portalUrl: string;
}
