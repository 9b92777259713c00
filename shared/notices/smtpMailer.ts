import { createTransport } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type { Mailer } from "./mailer";

/**
 * A mailer over SMTP (`NOTICES_SMTP_URL`, e.g. `smtp://127.0.0.1:1025`), from `from`. Each stage of a
 * session is bounded, so a server that hangs fails the send (and the queue tries again) instead of holding it.
 */
export function createSmtpMailer(url: string, from: string, timeoutMs = 10_000): Mailer {
  const options: SMTPTransport.Options = {
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
  const transport = createTransport(options);
  return {
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
    },
  };
}
