import { spawn } from "node:child_process";
import { once } from "node:events";
import { connect, type Socket } from "node:net";

/** A text protocol conversation over one TCP connection to loopback: send lines, read the lines answered. */
class LineConnection {
  private buffered = "";
  private readonly lines: string[] = [];
  private closed = false;
  private wake: (() => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffered += chunk;
      const parts = this.buffered.split("\r\n");
      this.buffered = parts.pop() ?? "";
      this.lines.push(...parts);
      this.wake?.();
    });
    // A server may close right after its last answer (a BYE, a 421): what it sent can still be read.
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.closed = true;
      this.wake?.();
    });
  }

  static async open(port: number): Promise<LineConnection> {
    const socket = connect(port, "127.0.0.1");
    await once(socket, "connect");
    return new LineConnection(socket);
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** The lines received up to and including the first that `last` accepts. */
  async readUntil(last: (line: string) => boolean): Promise<string[]> {
    for (;;) {
      const index = this.lines.findIndex(last);
      if (index >= 0) return this.lines.splice(0, index + 1);
      if (this.closed) throw new Error(`connection closed; received: ${JSON.stringify(this.lines)}`);
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

const quoted = (value: string) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;

export interface ImapSession {
  /** Sends a command and answers its tagged completion line, such as `a2 NO [AUTHENTICATIONFAILED] …`. */
  command(text: string): Promise<string>;
  close(): void;
}

/** An IMAP (RFC 9051) client session: greeting read, then one command at a time. */
export async function imapSession(port: number): Promise<ImapSession> {
  const connection = await LineConnection.open(port);
  await connection.readUntil((line) => line.startsWith("* OK"));
  let tag = 0;
  return {
    async command(text) {
      const id = `a${++tag}`;
      connection.send(`${id} ${text}`);
      const lines = await connection.readUntil((line) => line.startsWith(`${id} `));
      return lines.at(-1) ?? "";
    },
    close: () => connection.close(),
  };
}

export interface ImapLoginResult {
  /** The tagged answer to LOGIN. */
  readonly login: string;
  /** The tagged answer to SELECT INBOX, when the login succeeded. */
  readonly select?: string;
}

/**
 * Logs in as a mail client does (LOGIN, then SELECT INBOX when it worked). With `originatingIp`, it first
 * tells Dovecot the address of the client it stands for (`ID ("x-originating-ip" …)`), as a front proxy does;
 * Dovecot believes it from `login_trusted_networks` only.
 */
export async function imapLogin(
  port: number,
  user: string,
  password: string,
  options: { originatingIp?: string } = {},
): Promise<ImapLoginResult> {
  const session = await imapSession(port);
  try {
    if (options.originatingIp !== undefined) {
      await session.command(`ID ("x-originating-ip" ${quoted(options.originatingIp)})`);
    }
    const login = await session.command(`LOGIN ${quoted(user)} ${quoted(password)}`);
    if (!/^a\d+ OK/.test(login)) return { login };
    const select = await session.command("SELECT INBOX");
    await session.command("LOGOUT");
    return { login, select };
  } finally {
    session.close();
  }
}

/** SMTP AUTH PLAIN (RFC 4954) after EHLO; answers the reply line to AUTH, such as `235 2.7.0 Logged in.` */
export async function smtpAuthPlain(port: number, user: string, password: string): Promise<string> {
  const connection = await LineConnection.open(port);
  const reply = (line: string) => /^\d{3} /.test(line);
  try {
    await connection.readUntil(reply);
    connection.send("EHLO client.example");
    await connection.readUntil(reply);
    connection.send(`AUTH PLAIN ${Buffer.from(`\0${user}\0${password}`).toString("base64")}`);
    return (await connection.readUntil(reply)).at(-1) ?? "";
  } finally {
    connection.close();
  }
}

/** What a command-line mail client did: its exit code and the server's answer to the login it reports. */
export interface ClientOutcome {
  readonly exitCode: number;
  /** The server's answer to the login (an IMAP tagged line without its tag, or an SMTP reply line). */
  readonly answer: string;
}

/** Runs a client on the host, its output captured; never throws for a non-zero exit. */
async function run(command: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end("");
  const [exitCode] = (await once(child, "exit")) as [number | null];
  return { exitCode: exitCode ?? -1, output };
}

/**
 * curl's IMAP client over implicit TLS (`imaps://`, as phones use port 993), trusting `caFile`: logs in and
 * lists the mailboxes. The answer is the tagged reply to curl's AUTHENTICATE or LOGIN, from its `-v` trace.
 */
export async function curlImap(port: number, user: string, password: string, caFile: string): Promise<ClientOutcome> {
  const { exitCode, output } = await run("curl", [
    "--silent",
    "--verbose",
    "--cacert",
    caFile,
    "--user",
    `${user}:${password}`,
    `imaps://localhost:${port}/`,
  ]);
  const lines = output.split(/\r?\n/);
  const sent = lines.findIndex((line) => /^> (A\d+) (AUTHENTICATE|LOGIN)\b/.test(line));
  const tag = sent < 0 ? undefined : /^> (A\d+)/.exec(lines[sent]!)![1];
  const reply = lines.slice(sent + 1).find((line) => tag !== undefined && line.startsWith(`< ${tag} `));
  return { exitCode, answer: reply === undefined ? output : reply.slice(`< ${tag} `.length) };
}

/**
 * swaks: EHLO, STARTTLS (verifying the certificate against `caFile`), AUTH PLAIN, then QUIT. The answer is
 * the server's reply to AUTH.
 */
export async function swaksAuth(port: number, user: string, password: string, caFile: string): Promise<ClientOutcome> {
  const { exitCode, output } = await run("swaks", [
    "--server",
    `localhost:${port}`,
    "--ehlo",
    "client.example",
    "--tls",
    "--tls-verify",
    "--tls-ca-path",
    caFile,
    "--auth",
    "PLAIN",
    "--auth-user",
    user,
    "--auth-password",
    password,
    "--quit-after",
    "AUTH",
  ]);
  const lines = output.split("\n");
  const sent = lines.findIndex((line) => /^ ?~> AUTH PLAIN/.test(line));
  const reply = lines.slice(sent + 1).find((line) => /^ ?<~\*? +\d{3} /.test(line));
  // No reply to AUTH (TLS failed, say): the whole conversation, for the failing test to show.
  return { exitCode, answer: reply === undefined ? output : reply.replace(/^ ?<~\*? +/, "") };
}

/**
 * msmtp, a mail client that sends: STARTTLS (verifying the certificate against `caFile`), AUTH PLAIN with the
 * password from `--passwordeval` (never on its command line), then one message to `to`. The answer is the
 * server's reply msmtp reports when it fails, or `sent`.
 */
export async function msmtpSend(
  port: number,
  user: string,
  password: string,
  caFile: string,
  to = "bob@example.net",
): Promise<ClientOutcome> {
  const child = spawn(
    "msmtp",
    [
      "--file=/dev/null",
      "--host=localhost",
      `--port=${port}`,
      "--tls=on",
      "--tls-starttls=on",
      `--tls-trust-file=${caFile}`,
      "--auth=plain",
      `--user=${user}`,
      '--passwordeval=printf "%s\\n" "$APP_PASSWORD"',
      `--from=${user.includes("@") ? user : `${user}@contoso.com`}`,
      "--",
      to,
    ],
    { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, APP_PASSWORD: password } },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(`Subject: app passwords gateway test\r\nTo: ${to}\r\n\r\nHello.\r\n`);
  const [exitCode] = (await once(child, "exit")) as [number | null];
  const reply = /server message: (\d{3} .*)/.exec(output)?.[1];
  return { exitCode: exitCode ?? -1, answer: exitCode === 0 ? "sent" : (reply ?? output.trim()) };
}
