import { isVerkError, VerkError } from "@verk/core";

/**
 * Turn an error of the Redis client into the `VerkError` callers see, naming the operation:
 * `STORE_FULL` for Redis' OOM refusal (maxmemory reached with `noeviction`), `CONNECTION_FAILED`
 * when the client gave up, the connection is closed or a Redis Cluster is failing over (the write
 * may or may not have been applied), `INVALID_OPTION` for a key layout that does not match the server (`MOVED`,
 * `CROSSSLOT`), else `STORE_ERROR`. A `VerkError` passes through unchanged.
 */
export function storeError(error: unknown, operation: string): VerkError {
  if (isVerkError(error)) return error as VerkError;
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : "";
  if (/^OOM\b/.test(message)) {
    return new VerkError(
      "STORE_FULL",
      `[redis-store] ${operation} refused: Redis reached its maxmemory limit (${message}); free memory (e.g. let workers drain queues, trim the dead set) or raise maxmemory`,
      { cause: error },
    );
  }
  if (name === "MaxRetriesPerRequestError" || /Connection is closed|Stream isn't writeable/i.test(message)) {
    return new VerkError(
      "CONNECTION_FAILED",
      `[redis-store] ${operation} failed: Redis is unreachable (${message}); a write may or may not have been applied`,
      { cause: error },
    );
  }
  if (/^(Too many Cluster redirections|CLUSTERDOWN|TRYAGAIN)\b|Failed to refresh slots cache/.test(message)) {
    return new VerkError(
      "CONNECTION_FAILED",
      `[redis-store] ${operation} failed: the Redis Cluster is failing over or resharding (${message}); a write may or may not have been applied`,
      { cause: error },
    );
  }
  if (/^(MOVED|ASK)\b/.test(message)) {
    return new VerkError(
      "INVALID_OPTION",
      `[redis-store] ${operation}: the server is a Redis Cluster node (${message}); use redisStore({ cluster: { nodes: [...] } })`,
      { cause: error, field: "cluster" },
    );
  }
  if (/^CROSSSLOT\b/.test(message)) {
    return new VerkError(
      "STORE_ERROR",
      `[redis-store] ${operation}: keys of one call span several cluster slots (${message}); this is a Verk bug, please report it`,
      { cause: error },
    );
  }
  return new VerkError("STORE_ERROR", `[redis-store] ${operation} failed: ${message}`, { cause: error });
}

/**
 * Run `work`, rejecting with {@link storeError} on failure (a throw or a rejection). Not an async
 * function, so a hot call (the enqueue path's `push`) pays one `.catch` and no extra turns.
 */
export function mapped<T>(operation: string, work: () => Promise<T>): Promise<T> {
  let result: Promise<T>;
  try {
    result = work();
  } catch (error) {
    return Promise.reject(storeError(error, operation));
  }
  return result.catch((error: unknown) => {
    throw storeError(error, operation);
  });
}

/** The `INVALID_STATE` error of a call on a closed store, naming the call (`operation`). */
export function storeClosed(operation: string): VerkError {
  return new VerkError(
    "INVALID_STATE",
    `[redis-store] ${operation}: the store is closed (the Verk instance was stopped); create a new instance`,
  );
}
