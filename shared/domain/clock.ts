/** The current time: `() => new Date()` in production, a movable one in tests. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
