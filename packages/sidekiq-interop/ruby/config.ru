# Sidekiq Web for the conformance suite: `puma -b tcp://127.0.0.1:<port> config.ru`.
require "securerandom"
require "rack/session/cookie"
require "sidekiq"
require "sidekiq/web"

use Rack::Session::Cookie, secret: ENV.fetch("SESSION_SECRET") { SecureRandom.hex(32) }, same_site: true, max_age: 86_400
run Sidekiq::Web
