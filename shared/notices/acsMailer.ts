import type { EmailClient } from "@azure/communication-email";
import type { TokenCredential } from "@azure/identity";
import type { Mailer } from "./mailer";

/**
 * A mailer over Azure Communication Services Email (`endpoint` of the Communication Services resource), with
 * the app's managed identity. Loaded on first use: a process on SMTP never needs the SDK.
 */
export function createAcsMailer(endpoint: string, from: string, credential: TokenCredential): Mailer {
  let client: EmailClient | undefined;
  return {
    async send(mail) {
      // Required, not imported: the CommonJS build, sharing the @azure/core-* modules already loaded.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sdk = require("@azure/communication-email") as typeof import("@azure/communication-email");
      client ??= new sdk.EmailClient(endpoint, credential);
      const poller = await client.beginSend({
        senderAddress: from,
        recipients: { to: [{ address: mail.to }] },
        content: { subject: mail.subject, plainText: mail.text },
      });
      const result = await poller.pollUntilDone();
      if (result.status !== "Succeeded") throw new Error(`Email not sent: ${result.status}`);
    },
  };
}
