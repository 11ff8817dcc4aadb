// The upstream client: shared TLS context and pool; each send() is one exchange.
#include "hadrian/upstream/client.hpp"

#include <boost/asio/io_context.hpp>

#include "upstream/exchange.hpp"
#include "upstream/pool.hpp"
#include "upstream/tls_context.hpp"

namespace hadrian::upstream {

struct client::impl {
    exchange_context context;
};

client::client(asio::io_context& ioc, client_options options)
    : impl_(std::make_unique<impl>(impl{exchange_context{
          ioc.get_executor(),
          make_tls_context(options),
          std::make_shared<pool>(options.max_idle_per_host, options.idle_ttl),
          options.max_header_bytes,
          options.max_body_bytes,
          options.verify_peer,
      }})) {}

client::~client() { impl_->context.idle->clear(); }

awaitable<result<std::unique_ptr<response>, failure>> client::send(request req,
                                                                   core::abort_signal* abort) {
    // Not a coroutine: the exchange's own coroutine does all the waiting.
    return exchange::send(std::make_unique<exchange>(impl_->context, std::move(req), abort));
}

std::size_t client::idle_connections() const { return impl_->context.idle->idle(); }

}  // namespace hadrian::upstream
