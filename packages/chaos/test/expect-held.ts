import { expect } from "vitest";

/** The fields of a chaos run's result that {@link expectGuaranteesHeld} checks. */
export interface ChaosOutcome {
  lost: number;
  leftovers: Record<string, number>;
  kills: number;
  redisRestarts: number;
  duplicates: number;
  inFlightAtKills: number;
  inFlightAtRedisRestarts: number;
  recoveredFromLive: number;
}

/**
 * Every job ran, nothing is left anywhere, the chaos happened (at least `minKills` SIGKILLs and
 * one Redis restart), and every duplicate is explained: a job that ran on a worker killed before
 * its ack, whose outcome was in flight when Redis went away, or that a peer recovered from a live
 * worker starved past the TTL (at-least-once by design; counted from the workers' jobs:recovered events).
 */
export function expectGuaranteesHeld(result: ChaosOutcome, minKills: number): void {
  expect(result.lost).toBe(0);
  expect(result.leftovers).toEqual({});
  expect(result.kills).toBeGreaterThanOrEqual(minKills);
  expect(result.redisRestarts).toBe(1);
  expect(result.duplicates).toBeLessThanOrEqual(
    result.inFlightAtKills + result.inFlightAtRedisRestarts + result.recoveredFromLive,
  );
}
