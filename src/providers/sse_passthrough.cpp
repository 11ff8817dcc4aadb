#include "sse_passthrough.hpp"

#include "upstream_errors.hpp"

namespace hadrian::providers {

namespace {

/// A cheap shape check of an event's data: a JSON object, complete at both ends. It catches
/// the usual corruption (a chunk cut short) without parsing every chunk of every stream.
bool looks_like_json_object(std::string_view data) {
    constexpr std::string_view space = " \t\r\n";
    const auto first = data.find_first_not_of(space);
    const auto last = data.find_last_not_of(space);
    return first != std::string_view::npos && data[first] == '{' && data[last] == '}';
}

}  // namespace

sse_passthrough::sse_passthrough(std::unique_ptr<upstream::response> res, operation op)
    : res_(std::move(res)), op_(op) {}

bool sse_passthrough::is_terminal_responses_event(const sse::event& ev) {
    return ev.event == "response.completed" || ev.event == "response.failed" ||
           ev.event == "response.incomplete";
}

awaitable<result<std::optional<sse::event>, core::api_error>> sse_passthrough::next() {
    for (;;) {
        if (next_pending_ < pending_.size()) {
            sse::event ev = std::move(pending_[next_pending_++]);
            if (op_ == operation::chat_completions && ev.data == "[DONE]") {
                done_ = true;
                // Read the (normally empty) rest so the connection can go back to the pool.
                while (!body_ended_) {
                    auto rest = co_await res_->read_some();
                    if (!rest || rest->empty()) {
                        break;
                    }
                }
                co_return std::nullopt;
            }
            if (op_ == operation::chat_completions && ev.data.rfind("{\"error\"", 0) == 0) {
                // An upstream's own in-band error: reported once, in our shape.
                done_ = true;
                co_return from_http_error(502, ev.data, core::header_fields{});
            }
            if (!looks_like_json_object(ev.data)) {
                done_ = true;
                co_return core::api_error::make(
                    core::errc::provider_error,
                    "Upstream provider returned error: malformed stream event");
            }
            if (op_ == operation::responses && is_terminal_responses_event(ev)) {
                done_ = true;
            }
            co_return std::optional<sse::event>(std::move(ev));
        }
        pending_.clear();
        next_pending_ = 0;
        if (body_ended_) {
            if (done_) {
                co_return std::nullopt;
            }
            co_return core::api_error::make(
                core::errc::provider_error,
                "Upstream provider returned error: stream ended before completion");
        }
        auto piece = co_await res_->read_some();
        if (!piece) {
            co_return from_transport(piece.error());
        }
        if (piece->empty()) {
            body_ended_ = true;
            continue;
        }
        if (!parser_.feed(*piece, pending_)) {
            co_return core::api_error::make(
                core::errc::provider_error,
                "Upstream provider returned error: stream event too large");
        }
    }
}

}  // namespace hadrian::providers
