/**
 * Optional store capability: the registry of periodic jobs (in Redis the hash `verk:cron`,
 * field = schedule name, value = JSON), written by `@verk/scheduler` and read by the CLI.
 */
export interface CronRegistryCapability {
  /** Set entries (name → JSON text), replacing existing ones. */
  put(entries: Readonly<Record<string, string>>): Promise<void>;
  /** Every entry (name → JSON text). */
  all(): Promise<Record<string, string>>;
  /** Remove entries by name. Resolves how many existed. */
  remove(names: readonly string[]): Promise<number>;
}
