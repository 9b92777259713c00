import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

/** The folder of the Dovecot guide and the files it installs: its commands run from there, as the guide says. */
export const GUIDE_DIR = path.join(__dirname, "..", "..", "..", "gateways", "dovecot");

/**
 * The commands of one section of the guide (`## <section>` in `gateways/dovecot/README.md`) that install or
 * edit files (`sudo install`, `sudo sed`, `sudo postconf`), in the guide's order, as a mail admin would paste
 * them. Interactive steps (`sudoedit`, pasting the key) and service restarts are left to the caller.
 */
export function guideCommands(section: string): string[] {
  const guide = readFileSync(path.join(GUIDE_DIR, "README.md"), "utf8");
  const start = guide.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`the Dovecot guide has no "${section}" section`);
  const end = guide.indexOf("\n## ", start + 1);
  const text = guide.slice(start, end < 0 ? undefined : end);
  const commands: string[] = [];
  for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block[1]!.replace(/\\\n\s*/g, " ").split("\n");
    for (const line of lines.map((candidate) => candidate.trim())) {
      if (/^sudo (install|sed|postconf) /.test(line)) commands.push(line);
    }
  }
  return commands;
}

/**
 * Runs the guide's commands on a copy of the system: `sudo` dropped, and each system path in `moved`
 * (such as `/etc/dovecot`) replaced by its copy, so nothing outside the copies is touched.
 */
export function runGuideCommands(commands: string[], moved: Record<string, string>): void {
  for (const command of commands) {
    let local = command.replace(/^sudo /, "");
    for (const [from, to] of Object.entries(moved)) local = local.split(from).join(to);
    execFileSync("bash", ["-euc", local], { cwd: GUIDE_DIR, stdio: "pipe" });
  }
}
