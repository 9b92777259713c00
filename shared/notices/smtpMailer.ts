import type { Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type { Mailer } from "./mailer";

/**
 * A mailer over SMTP (`NOTICES_SMTP_URL`, e.g. `smtp://127.0.0.1:1025`), from `from`. Each stage of a
 * session is bounded, so a server that hangs fails the send (and the queue tries again) instead of holding it.
 * nodemailer is loaded at the first send: a process that sends nothing (every HTTP call) never loads it.
 */
export function createSmtpMailer(url: string, from: string, timeoutMs = 10_000): Mailer {
  const options: SMTPTransport.Options = {
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
  let transport: Transporter<SMTPTransport.SentMessageInfo> | undefined;
  return {
    async send(mail) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      transport ??= (require("nodemailer") as typeof import("nodemailer")).createTransport(options);
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
    },
  };
}
