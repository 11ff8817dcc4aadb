#include "hadrian/api/middleware.hpp"

namespace hadrian::api {

awaitable<void> chain::operator()(request_context& ctx) const {
    if (pos_ < steps_->size()) {
        co_await (*steps_)[pos_]->handle(ctx, chain(*steps_, pos_ + 1, *terminal_));
    } else {
        co_await terminal_->handle(ctx);
    }
}

}  // namespace hadrian::api
