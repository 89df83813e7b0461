import { VerkError } from "@verk/core";

/** The oldest Redis Verk supports: LMOVE/BLMOVE and `ZRANGE ... BYSCORE` arrived in 6.2. */
export const MIN_REDIS_VERSION = "6.2.0";

/**
 * Read `redis_version` from the text of `INFO server`.
 * @returns the version string (e.g. `"7.0.15"`), or `undefined` when absent.
 */
export function parseRedisVersion(info: string): string | undefined {
  const match = /^redis_version:([^\r\n]+)/m.exec(info);
  return match?.[1]?.trim();
}

/** True when `version` (`major.minor[.patch]`) is at least {@link MIN_REDIS_VERSION}. */
export function isSupportedRedisVersion(version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map((part) => Number.parseInt(part, 10) || 0);
  return major > 6 || (major === 6 && minor >= 2);
}

/**
 * Check the `INFO server` text of a server.
 * @throws VerkError `UNSUPPORTED_REDIS` when the version is older than 6.2 or cannot be read.
 */
export function assertSupportedRedis(info: string): string {
  const version = parseRedisVersion(info);
  if (version === undefined) {
    throw new VerkError(
      "UNSUPPORTED_REDIS",
      "could not read redis_version from INFO server: Verk needs Redis >= 6.2 (LMOVE, ZRANGE BYSCORE)",
    );
  }
  if (!isSupportedRedisVersion(version)) {
    throw new VerkError(
      "UNSUPPORTED_REDIS",
      `Redis ${version} is too old: Verk needs Redis >= 6.2 (LMOVE, ZRANGE BYSCORE)`,
    );
  }
  return version;
}
