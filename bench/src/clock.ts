/**
 * Milliseconds of the system-wide monotonic clock (`process.hrtime`, CLOCK_MONOTONIC on Linux):
 * comparable between the producer and worker processes of one machine.
 */
export function hrtimeMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
