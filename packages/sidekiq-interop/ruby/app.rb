# The Sidekiq application of the conformance suite: `sidekiq -r ./app.rb -q interop`.
# Every job records its run in the Redis list `interop:runs` (JSON), so the Node side can
# assert on what Sidekiq really executed. Env: REDIS_URL, POLL_INTERVAL (seconds, default 1).
$stdout.sync = true
require "json"
require "sidekiq"

Sidekiq.configure_server do |config|
  config.options[:poll_interval_average] = Float(ENV.fetch("POLL_INTERVAL", "1"))
  # Default 10 s + rand(5) start-up wait of the poller is skipped when the average is set.
end

# Raised by InteropFailJob.
class InteropError < StandardError; end

module Interop
  # RPUSH one run record onto `interop:runs`.
  def self.record(job, args)
    Sidekiq.redis do |r|
      r.rpush("interop:runs", JSON.generate({
        "class" => job.class.name, "args" => args, "jid" => job.jid, "runner" => "sidekiq",
        "at" => Time.now.to_f,
      }))
    end
  end
end

# Records its arguments.
class InteropJob
  include Sidekiq::Worker
  sidekiq_options queue: "interop"

  def perform(*args)
    Interop.record(self, args)
  end
end

# Records, then fails with InteropError; retries come back after 1 s.
class InteropFailJob
  include Sidekiq::Worker
  sidekiq_options queue: "interop", retry: 2
  sidekiq_retry_in { |_count, _ex| 1 }

  def perform(*args)
    Interop.record(self, args)
    raise InteropError, "interop: intentional failure"
  end
end
