import type { ActivityEvent } from "./activity";

/**
 * Where the domain tells a person what happened to their account: after each activity event is recorded.
 * An implementation decides which events become notices and never throws (a notice lost is logged, the
 * change it tells of stands).
 */
export interface Notices {
  /** `eventId` is the event's id in the owner's activity: the notice's idempotency key. */
  emit(owner: string, event: ActivityEvent, eventId: string): Promise<void>;
}
