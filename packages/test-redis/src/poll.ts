/** Poll `check` every `intervalMs` until it returns a value other than `undefined`/`false`; throw `describe()` after `timeoutMs`. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs: number,
  describe: () => string,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
