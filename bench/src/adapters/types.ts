/** The names of the systems the bench compares. */
export type SystemName = "verk" | "bullmq" | "bee-queue" | "node-resque";

/** The job data every system carries: `{ i }`, plus the fields some workloads add. */
export interface JobData {
  i: number;
  /** `process.hrtime` of the producer in ms (system-wide monotonic clock, comparable across processes). */
  t?: number;
  /** Padding that makes the job's args the size a payload workload asks for (2 KB, 20 KB, 200 KB). */
  pad?: string;
  /** Epoch ms the job is due (scheduled workloads); the worker records how late it started. */
  due?: number;
  /**
   * The job fails on its first run and succeeds on its retry, which is due at once (retry storm):
   * producers allow exactly one retry, consumers retry without delay.
   */
  failOnce?: boolean;
}

/** A job to schedule: its data and the epoch ms it is due. */
export interface ScheduledJob {
  data: JobData;
  /** Epoch ms. */
  at: number;
}

/** The message a `failOnce` job throws on its first run. */
export const FAIL_ONCE_MESSAGE = "bench: first attempt fails";

/** The producing side of a system. */
export interface Producer {
  /** Enqueue one job; resolves once the system says it is stored. */
  add(data: JobData): Promise<void>;
  /** Enqueue many jobs with the system's bulk API (absent when it has none). */
  addBulk?(data: JobData[]): Promise<void>;
  /** Schedule one job (absent when the system cannot schedule). */
  schedule?(job: ScheduledJob): Promise<void>;
  /** Schedule many jobs with the system's bulk API (absent when it has none). */
  scheduleBulk?(jobs: ScheduledJob[]): Promise<void>;
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

/** How a consumer is set up. */
export interface ConsumerOptions {
  /** Jobs at once. */
  concurrency: number;
  /** The workload schedules jobs: turn on what the system needs to run them when due. */
  scheduled: boolean;
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
  /**
   * What the system can run in the bench: scheduled jobs (the due-at-once, schedule-bulk and
   * on-time workloads) and retries due at once (the retry storm).
   */
  readonly features: { readonly schedule: boolean; readonly retryAtOnce: boolean };
  /** Create a producer connected to `url`. */
  producer(url: string): Promise<Producer>;
  /** Create a consumer (connected, not started); runs in the worker process. */
  consumer(url: string, options: ConsumerOptions, hooks: ConsumerHooks): Promise<Consumer>;
}

/** The queue name every system uses. */
export const QUEUE = "bench";

/** Host and port of a `redis://host:port` URL. */
export function hostPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379) };
}
