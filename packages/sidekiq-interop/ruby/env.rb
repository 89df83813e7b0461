# Shared setup for `ruby -r ./env.rb -e '...'` snippets of the conformance suite.
# Connects Sidekiq's client and API to REDIS_URL and prints results as JSON (`out(value)`).
$stdout.sync = true
require "json"
require "sidekiq"
require "sidekiq/api"

Sidekiq.logger.level = Logger::WARN

# Print `value` as one JSON document on stdout (the test parses the last line).
def out(value)
  puts JSON.generate(value)
end

# The fields of a sorted-set entry the tests compare.
def entry_fields(entry)
  item = entry.item
  {
    "score" => entry.score, "at" => entry.at.to_f, "jid" => entry.jid, "klass" => entry.klass,
    "display_class" => entry.display_class, "args" => entry.args, "queue" => entry.queue,
    "error_class" => item["error_class"], "error_message" => item["error_message"],
    "retry_count" => item["retry_count"], "failed_at" => item["failed_at"],
    "retried_at" => item["retried_at"], "error?" => entry.error?, "value" => entry.value,
  }
end
