import { readFileSync } from "node:fs";
import { z } from "zod";

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** Where a script lives: its npm package, a folder of this project, or node itself. */
function owner(url: string): string {
  if (url === "") return "(node/V8: native, GC, idle)";
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch?.[1]) return packageMatch[1];
  if (url.startsWith("node:")) return "node: built-ins";
  const projectMatch = /\/dist\/([^/]+)\//.exec(url);
  return projectMatch?.[1] ? `project ${projectMatch[1]}/` : url;
}

/**
 * Summarizes a `.cpuprofile` (from `node --cpu-prof`): self time by package or project folder, and the
 * functions with the most self time. Usage: node dist/bench/summarizeCpuProfile.js FILE [TOP].
 */
function main() {
  const [file, top = "25"] = process.argv.slice(2);
  if (file === undefined) throw new Error("usage: summarizeCpuProfile FILE.cpuprofile [TOP]");
  const profile = profileSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const frame = nodes.get(id);
    const micros = profile.timeDeltas[index] ?? 0;
    if (!frame) return;
    total += micros;
    const where = owner(frame.url);
    const name = frame.functionName === "" ? "(anonymous)" : frame.functionName;
    byOwner.set(where, (byOwner.get(where) ?? 0) + micros);
    const key = `${name}  ${where}${frame.url === "" ? "" : `:${frame.lineNumber + 1}`}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  });
  const print = (title: string, entries: Map<string, number>, limit: number) => {
    console.log(`\n${title}`);
    [...entries.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .forEach(([key, micros]) => {
        const percent = ((micros / total) * 100).toFixed(1).padStart(5);
        console.log(`${(micros / 1000).toFixed(0).padStart(8)} ms ${percent}%  ${key}`);
      });
  };
  console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
  print("self time by package / folder", byOwner, 20);
  print("self time by function", byFunction, Number(top));
}

main();
