import { invalidOption, type NewJob, type Verk } from "@verk/core";

/**
 * Schedule `job` to run `ms` milliseconds from now: a normal Sidekiq `schedule` entry
 * (score = run time in epoch seconds), readable by Sidekiq's API and UI. The store announces it,
 * so a `@verk/scheduler` leader sleeping longer wakes up for it. Resolves the jid.
 * @throws VerkError `INVALID_OPTION` when `ms` is not a finite number >= 0; `INVALID_JOB`.
 */
export function scheduleIn(verk: Verk, job: NewJob, ms: number): Promise<string> {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0)
    throw invalidOption("ms", "must be a finite number of milliseconds >= 0");
  return verk.schedule(job, Date.now() + ms);
}

/**
 * Schedule `job` to run at `at` (a Date or epoch ms); a past time enqueues it at once. Resolves the jid.
 * @throws VerkError `INVALID_OPTION` for an invalid date; `INVALID_JOB`.
 */
export function scheduleAt(verk: Verk, job: NewJob, at: Date | number): Promise<string> {
  const ms = at instanceof Date ? at.getTime() : at;
  if (typeof ms !== "number" || !Number.isFinite(ms))
    throw invalidOption("at", "must be a valid Date or epoch milliseconds");
  return verk.schedule(job, ms);
}
