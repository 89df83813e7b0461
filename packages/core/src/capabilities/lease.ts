/**
 * Optional store capability: a named lease for leader election (`@verk/scheduler`).
 * A lease is held by one `token` at a time and expires `ttlMs` after it was last acquired
 * or renewed, so a crashed holder is replaced within about one TTL.
 */
export interface LeaseCapability {
  /**
   * Take lease `name` for `token` if it is free, or extend it if `token` already holds it.
   * Resolves true when `token` holds it for the next `ttlMs` milliseconds.
   */
  acquire(name: string, token: string, ttlMs: number): Promise<boolean>;
  /** Extend the lease by `ttlMs` ms only if `token` holds it. Resolves false when it was lost. */
  renew(name: string, token: string, ttlMs: number): Promise<boolean>;
  /** Give the lease up if `token` holds it (so another node takes it at once). Resolves true if released. */
  release(name: string, token: string): Promise<boolean>;
  /** The token holding `name`, or `null`. */
  holder(name: string): Promise<string | null>;
}
