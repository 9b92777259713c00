import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

/** How the sink answers a mail: takes it, refuses it (451), or never answers after the data. */
export type SinkMode = "accept" | "refuse" | "hang";

/** A real SMTP server on a free loopback port, keeping what it was sent. */
export interface SmtpSink {
  readonly url: string;
  mode: SinkMode;
  readonly mails: ParsedMail[];
  /** How many times a client sent the data of a mail, whatever the answer. */
  attempts: number;
  close(): Promise<void>;
}

/** Starts an SMTP sink; its URL bounds each stage of a session to `timeoutMs` so a hang fails fast. */
export async function startSmtpSink(mode: SinkMode = "accept", timeoutMs = 400): Promise<SmtpSink> {
  const sink: SmtpSink = {
    url: "",
    mode,
    mails: [],
    attempts: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      sink.attempts++;
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        if (sink.mode === "hang") return;
        if (sink.mode === "refuse") {
          callback(Object.assign(new Error("Try again later"), { responseCode: 451 }));
          return;
        }
        simpleParser(Buffer.concat(chunks))
          .then((mail) => {
            sink.mails.push(mail);
            callback();
          })
          .catch(callback);
      });
    },
  });
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  const { port } = server.server.address() as AddressInfo;
  const timeouts = `connectionTimeout=${timeoutMs}&greetingTimeout=${timeoutMs}&socketTimeout=${timeoutMs}`;
  return Object.assign(sink, { url: `smtp://127.0.0.1:${port}/?${timeouts}` });
}
