#include "hadrian/api/middleware.hpp"

namespace hadrian::api {

// Not a coroutine itself: it hands back the next step's awaitable, so a request pays one
// coroutine frame per middleware instead of two.
awaitable<void> chain::operator()(request_context& ctx) const {
    if (pos_ < steps_->size()) {
        return (*steps_)[pos_]->handle(ctx, chain(*steps_, pos_ + 1, *terminal_));
    }
    return terminal_->handle(ctx);
}

}  // namespace hadrian::api
