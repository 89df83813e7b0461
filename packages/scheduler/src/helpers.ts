import { invalidOption, type NewJob, resolveRunAt, type Verk } from "@verk/core";

/**
 * Schedule `job` to run `ms` milliseconds from now: a normal Sidekiq `schedule` entry
 * (score = run time in epoch seconds), readable by Sidekiq's API and UI. The store announces it,
 * so a `@verk/scheduler` leader sleeping longer wakes up for it. Resolves the jid, or `null` for a
 * unique job dropped as a duplicate.
 * @throws VerkError `INVALID_OPTION` when `ms` is not a finite number >= 0; `INVALID_JOB`.
 */
export function scheduleIn(verk: Verk, job: NewJob, ms: number): Promise<string | null> {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0)
    throw invalidOption("ms", "must be a finite number of milliseconds >= 0");
  return verk.schedule(job, Date.now() + ms);
}

/**
 * Schedule `job` to run at `at` (a Date or epoch **milliseconds**); a past time enqueues it at once.
 * Resolves the jid, or `null` for a unique job dropped as a duplicate.
 * @throws VerkError `INVALID_OPTION` for an invalid date or a number below 1e11 (epoch seconds); `INVALID_JOB`.
 */
export function scheduleAt(verk: Verk, job: NewJob, at: Date | number): Promise<string | null> {
  return verk.schedule(job, resolveRunAt(at, "at"));
}
