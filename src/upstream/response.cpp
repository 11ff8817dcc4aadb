// The caller's handle on an exchange whose header has arrived.
#include "upstream/exchange.hpp"

namespace hadrian::upstream {

response::response(std::unique_ptr<exchange> state) : state_(std::move(state)) {}

response::~response() = default;

int response::status() const noexcept { return state_->status(); }

const core::header_fields& response::headers() const noexcept { return state_->headers(); }

awaitable<result<std::string_view, failure>> response::read_some() { return state_->read_some(); }

bool response::body_pending() const noexcept { return state_->body_pending(); }

awaitable<error_code> response::wait_body() { return state_->wait_body(); }

result<std::string_view, failure> response::take_body(const error_code& ec) {
    return state_->take_body(ec);
}

awaitable<result<std::string, failure>> response::read_all() { return state_->read_all(); }

std::optional<result<std::string, failure>> response::read_all_now() {
    return state_->read_all_now();
}

void response::abort() noexcept { state_->abort(); }

}  // namespace hadrian::upstream
