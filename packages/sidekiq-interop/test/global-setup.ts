import { ensureSidekiq } from "./harness.js";

/** Install Debian's ruby-sidekiq once before the suite (root + apt-get), or explain the skip. */
export default function setup(): void {
  const reason = ensureSidekiq();
  if (reason) {
    console.warn(`\n[sidekiq-interop] SKIPPING the Sidekiq conformance suite: ${reason}\n`);
  }
}
