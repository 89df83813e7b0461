/** The version of `@verk/otel`, reported as the tracer's instrumentation version (kept in step with package.json by the release). */
export const VERSION = "0.0.0";
