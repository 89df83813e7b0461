/** The names of the systems the bench compares. */
export type SystemName = "verk" | "bullmq" | "bee-queue" | "node-resque";

/** The job data every system carries: `{ i }`, plus `t` (hrtime ms at enqueue) in the latency workload. */
export interface JobData {
  i: number;
  /** `process.hrtime` of the producer in ms (system-wide monotonic clock, comparable across processes). */
  t?: number;
}

/** The producing side of a system. */
export interface Producer {
  /** Enqueue one job; resolves once the system says it is stored. */
  add(data: JobData): Promise<void>;
  /** Enqueue many jobs with the system's bulk API (absent when it has none). */
  addBulk?(data: JobData[]): Promise<void>;
  /** Close every connection. */
  close(): Promise<void>;
}

/** Callbacks a consumer calls for each job. */
export interface ConsumerHooks {
  /** Called inside the handler, when the job starts. */
  onStart(data: JobData): void;
  /** Called when the system reports the job completed (after its ack reached Redis). */
  onDone(): void;
}

/** The consuming side of a system, connected but idle until `start()`. */
export interface Consumer {
  /** Begin fetching and processing. */
  start(): void | Promise<void>;
  /** Stop and close every connection. */
  close(): Promise<void>;
}

/** One system under test. */
export interface SystemAdapter {
  readonly name: SystemName;
  /** Name and version for the report. */
  readonly label: string;
  /** Create a producer connected to `url`. */
  producer(url: string): Promise<Producer>;
  /** Create a consumer at `concurrency` (connected, not started); runs in the worker process. */
  consumer(url: string, concurrency: number, hooks: ConsumerHooks): Promise<Consumer>;
}

/** The queue name every system uses. */
export const QUEUE = "bench";

/** Host and port of a `redis://host:port` URL. */
export function hostPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379) };
}
