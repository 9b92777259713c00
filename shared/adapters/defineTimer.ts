import type { InvocationContext, TimerFunctionOptions } from "@azure/functions";
import type { Services, ServicesProvider } from "../services";

/** A timer function as defined: its name, its schedule, and its `app.timer` options for a set of services. */
export interface TimerDefinition {
  readonly name: string;
  /** NCRONTAB, UTC: seconds, minutes, hours, day, month, weekday. */
  readonly schedule: string;
  /** Its `app.timer` options, running with the services `services` gives at each run. */
  serve(services: ServicesProvider): TimerFunctionOptions;
}

/**
 * Declares a timer function once: its schedule, then what a run does with the services it is given. A run
 * missed while the app was stopped is made up (the host's default); a run that throws is logged by the host.
 */
export function defineTimer(
  definition: { readonly name: string; readonly schedule: string },
  run: (services: Services, context: InvocationContext) => Promise<void>,
): TimerDefinition {
  return {
    ...definition,
    serve: (services) => ({ schedule: definition.schedule, handler: (_timer, context) => run(services(), context) }),
  };
}
