import { readdirSync } from "node:fs";
import path from "node:path";
import { app } from "@azure/functions";
import { afterEach, describe, expect, it, vi } from "vitest";

const FUNCTIONS_DIR = path.join(__dirname, "..", "..", "functions");
const files = readdirSync(FUNCTIONS_DIR).filter((file) => file.endsWith(".ts"));

// The local host finds a function by its file name and its `<name>Options` export, the Functions host by the
// name it is registered with: the three must agree, or a function runs locally and not in Azure (or the reverse).
describe("every file of functions/", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("holds functions", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)(
    "%s registers one function, named after the file, with its <name>Options from its <name> definition",
    async (file) => {
      const name = path.basename(file, ".ts");
      const http = vi.spyOn(app, "http").mockImplementation(() => undefined);
      const timer = vi.spyOn(app, "timer").mockImplementation(() => undefined);
      const queue = vi.spyOn(app, "storageQueue").mockImplementation(() => undefined);
      // A fresh copy of the module, so its registration runs again under the spies.
      vi.resetModules();
      const module = (await import(path.join(FUNCTIONS_DIR, file))) as Record<string, unknown>;
      const registered = [...http.mock.calls, ...timer.mock.calls, ...queue.mock.calls];
      expect(registered.map(([registeredName]) => registeredName)).toEqual([name]);
      expect(registered[0]?.[1]).toBe(module[`${name}Options`]);
      // …served from its one definition (defineEndpoint, defineTimer or defineQueue), which the local host and tests serve too.
      const definition = module[name] as { name?: unknown; serve?: unknown } | undefined;
      expect(definition?.name).toBe(name);
      expect(typeof definition?.serve).toBe("function");
    },
  );
});
