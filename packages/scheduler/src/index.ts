/**
 * `@verk/scheduler`: leader-elected promotion of scheduled and retry jobs that wakes at the next
 * due time, periodic (cron / every) jobs enqueued exactly once per tick, and scheduling helpers.
 * @packageDocumentation
 */
export type { CronExpression } from "./cron.js";
export { nextCronTime, parseCron } from "./cron.js";
export { scheduleAt, scheduleIn } from "./helpers.js";
export type { LeaderSettings } from "./leader.js";
export { LeaderPromoter } from "./leader.js";
export type { CatchUpPolicy, PeriodicJob, PeriodicRecord } from "./periodic.js";
export { parseRecord, validatePeriodic } from "./periodic.js";
export type { SchedulerOptions, SchedulerPlugin } from "./plugin.js";
export { scheduler } from "./plugin.js";
export { assertTimeZone } from "./zone.js";
