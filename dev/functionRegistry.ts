import { readdirSync } from "node:fs";
import path from "node:path";
import type {
  HttpFunctionOptions,
  InvocationContext,
  StorageQueueFunctionOptions,
  Timer,
  TimerFunctionOptions,
} from "@azure/functions";
import type { Endpoint } from "../shared/adapters/defineEndpoint";
import type { QueueDefinition } from "../shared/adapters/defineQueue";
import type { TimerDefinition } from "../shared/adapters/defineTimer";
import type { ServicesProvider } from "../shared/services";
import type { QueueClient } from "@azure/storage-queue";
import { pollQueueOnce, type QueuePass } from "./queuePoller";

/**
 * A function as the Functions host knows it: its name (the file's) and its `app.http` options — as the file
 * registers them (with the Functions host's services) when loaded, with the registry's own once routed.
 */
export interface HostedFunction {
  readonly name: string;
  readonly options: HttpFunctionOptions;
}

/** A timer function: its name and its `app.timer` options. Run here only when asked. */
export interface HostedTimer {
  readonly name: string;
  readonly options: TimerFunctionOptions;
}

/** A queue-triggered function: its name and its `app.storageQueue` options. */
export interface HostedQueue {
  readonly name: string;
  readonly options: StorageQueueFunctionOptions;
}

/** The functions of a folder, by trigger, with the definitions they are served from. */
export interface LoadedFunctions {
  readonly http: readonly (HostedFunction & { readonly definition: Endpoint })[];
  readonly timers: readonly (HostedTimer & { readonly definition: TimerDefinition })[];
  readonly queues: readonly (HostedQueue & { readonly definition: QueueDefinition })[];
}

/** Which function serves a request, with its route values decoded; or why none does. */
export type RouteMatch =
  | { readonly kind: "found"; readonly fn: HostedFunction; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: "malformed"; readonly param: string }
  | { readonly kind: "method-not-allowed" }
  | { readonly kind: "not-found" };

/** The loaded functions, routed as the Functions host routes them: the one set of route rules. */
export interface FunctionRegistry extends LoadedFunctions {
  /** The function serving `method` on `route` (the path after `/api/`). */
  match(method: string, route: string): RouteMatch;
  /** Runs the timer function named `name` (any case) now, as its schedule would; false if there is none. */
  runTimer(name: string, context: (functionName: string) => InvocationContext): Promise<boolean>;
  /**
   * One pass of the queue function named `name` over its queue (and its poison queue), as the host's trigger
   * polls it; undefined if there is none. `connect` reaches a queue by name.
   */
  pollQueue(
    name: string,
    connect: (queueName: string) => QueueClient,
    context: (functionName: string) => InvocationContext,
  ): Promise<QueuePass | undefined>;
}

/**
 * Loads every function module in `dir` the way the Functions host does with `main`: each file registers one
 * function named after it, exports its definition as `<name>` and its options as `<name>Options`.
 */
export async function loadFunctions(dir: string): Promise<LoadedFunctions> {
  const files = readdirSync(dir).filter((file) => /\.(js|ts)$/.test(file) && !file.endsWith(".d.ts"));
  // Outside the Functions host, @azure/functions warns that it skips registration: expected here, so quiet.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes("test mode")) warn(...args);
  };
  try {
    return await loadModules(dir, files);
  } finally {
    console.warn = warn;
  }
}

async function loadModules(dir: string, files: string[]): Promise<LoadedFunctions> {
  const loaded = await Promise.all(
    files.map(async (file) => {
      const name = path.basename(file, path.extname(file));
      // As the Functions Node worker loads `main`: CommonJS (the built .js) with require, the rest with
      // import() (the .ts sources under vitest). import() of CommonJS would also start node's ESM loader.
      const full = path.join(dir, file);
      const module = (file.endsWith(".js") ? require(full) : await import(full)) as Record<string, unknown>; // eslint-disable-line @typescript-eslint/no-require-imports
      const options = module[`${name}Options`] as
        HttpFunctionOptions | TimerFunctionOptions | StorageQueueFunctionOptions | undefined;
      const definition = module[name] as Endpoint | TimerDefinition | QueueDefinition | undefined;
      if (!options?.handler) throw new Error(`${file} does not export ${name}Options`);
      if (typeof definition?.serve !== "function") throw new Error(`${file} does not export its definition ${name}`);
      return { name, options, definition };
    }),
  );
  const http: LoadedFunctions["http"][number][] = [];
  const timers: LoadedFunctions["timers"][number][] = [];
  const queues: LoadedFunctions["queues"][number][] = [];
  for (const { name, options, definition } of loaded) {
    if ("schedule" in options && "schedule" in definition) timers.push({ name, options, definition });
    else if ("queueName" in options && "queueName" in definition) queues.push({ name, options, definition });
    else if (!("schedule" in options) && !("queueName" in options) && "route" in definition) {
      http.push({ name, options, definition });
    } else throw new Error(`${name}: its options and its definition are of different triggers`);
  }
  return { http, timers, queues };
}

interface CompiledRoute {
  readonly fn: HostedFunction;
  readonly pattern: RegExp;
  readonly paramNames: readonly string[];
}

/**
 * A Functions route template's matcher, as the host reads one: `{name}` is one non-empty segment, `{name?}` an
 * optional one, a trailing slash is allowed, and letters match in any case.
 */
function compileRoute(fn: HostedFunction): CompiledRoute {
  const paramNames: string[] = [];
  const source = (fn.options.route ?? fn.name)
    .split("/")
    .map((segment, index) => {
      const param = /^\{(\w+)(\?)?\}$/.exec(segment);
      const slash = index === 0 ? "" : "/";
      if (!param?.[1]) return slash + segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      paramNames.push(param[1]);
      return param[2] ? `(?:${slash}([^/]+))?` : `${slash}([^/]+)`;
    })
    .join("");
  return { fn, pattern: new RegExp(`^${source}/?$`, "i"), paramNames };
}

/**
 * Routes the functions, each served with `services`: what the local host and the in-process test harness both
 * call, each with services of its own (so one test file can run several configurations).
 */
export function createFunctionRegistry(loaded: LoadedFunctions, services: ServicesProvider): FunctionRegistry {
  const functions: LoadedFunctions = {
    http: loaded.http.map((fn) => ({ ...fn, options: fn.definition.serve(services) })),
    timers: loaded.timers.map((fn) => ({ ...fn, options: fn.definition.serve(services) })),
    queues: loaded.queues.map((fn) => ({ ...fn, options: fn.definition.serve(services) })),
  };
  const routes = functions.http.map(compileRoute);
  const timers = new Map(functions.timers.map((timer) => [timer.name.toLowerCase(), timer]));
  const queues = new Map(functions.queues.map((fn) => [fn.name.toLowerCase(), fn]));
  return {
    ...functions,
    match(method, route) {
      let pathMatched = false;
      for (const { fn, pattern, paramNames } of routes) {
        const found = pattern.exec(route);
        if (!found) continue;
        pathMatched = true;
        if (!(fn.options.methods ?? ["GET", "POST"]).includes(method as never)) continue;
        const params: Record<string, string> = {};
        for (const [index, name] of paramNames.entries()) {
          const value = found[index + 1];
          if (value === undefined) continue;
          try {
            params[name] = decodeURIComponent(value);
          } catch {
            return { kind: "malformed", param: name };
          }
        }
        return { kind: "found", fn, params };
      }
      return { kind: pathMatched ? "method-not-allowed" : "not-found" };
    },
    async runTimer(name, context) {
      const timer = timers.get(name.toLowerCase());
      if (!timer) return false;
      const now = new Date().toISOString();
      const due: Timer = {
        isPastDue: false,
        schedule: { adjustForDST: false },
        scheduleStatus: { last: now, next: now, lastUpdated: now },
      };
      await timer.options.handler(due, context(timer.name));
      return true;
    },
    async pollQueue(name, connect, context) {
      const fn = queues.get(name.toLowerCase());
      if (!fn) return undefined;
      const { queueName } = fn.options;
      return pollQueueOnce(connect(queueName), connect(`${queueName}-poison`), fn.options, () => context(fn.name));
    },
  };
}
