/**
 * Optional store capability: a notification whenever a job is added to the `schedule` or
 * `retry` set, so `@verk/scheduler` can wake before its planned time. The store's `schedule()`
 * calls {@link DueWatchCapability.notify} itself; others may call it after writing a due job.
 */
export interface DueWatchCapability {
  /** Announce that a job due at `at` (epoch **seconds**) was added. Fire and forget. */
  notify(at: number): Promise<void>;
  /** Follow announcements from every node. Resolves the unsubscribe function. */
  subscribe(listener: (at: number) => void): Promise<() => Promise<void>>;
}
