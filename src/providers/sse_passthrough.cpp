#include "sse_passthrough.hpp"

#include "upstream_errors.hpp"

namespace hadrian::providers {

namespace {

/// How an upstream's own in-band error event begins.
constexpr std::string_view upstream_error_prefix = "{\"error\"";

/// A cheap shape check of an event's data: a JSON object, complete at both ends. It catches
/// the usual corruption (a chunk cut short) without parsing every chunk of every stream.
bool looks_like_json_object(std::string_view data) {
    constexpr std::string_view space = " \t\r\n";
    const auto first = data.find_first_not_of(space);
    const auto last = data.find_last_not_of(space);
    return first != std::string_view::npos && data[first] == '{' && data[last] == '}';
}

/// The length of the longest prefix of `bytes` made of whole plain events: each exactly
/// `data: <data>\n\n`, its data a JSON object on one line that is no upstream error and that
/// `plain` accepts. Such an event is what next() would return unchanged and the relay frame
/// again as the same bytes.
std::size_t plain_run(std::string_view bytes, wire_events::plain_test plain) {
    constexpr std::string_view field = "data: ";
    if (bytes.find('\r') != std::string_view::npos) {
        return 0;  // another line end: the parser's job
    }
    std::size_t at = 0;
    while (at < bytes.size()) {
        const std::string_view rest = bytes.substr(at);
        if (!rest.starts_with(field)) {
            break;
        }
        const std::size_t eol = rest.find('\n', field.size());
        if (eol == std::string_view::npos || eol + 1 == rest.size() || rest[eol + 1] != '\n') {
            break;  // cut short, or more lines to the event
        }
        const std::string_view data = rest.substr(field.size(), eol - field.size());
        if (data.size() < 2 || data.front() != '{' || data.back() != '}' ||
            data.starts_with(upstream_error_prefix) || !plain(data)) {
            break;
        }
        at += eol + 2;
    }
    return at;
}

core::api_error event_too_large() {
    return core::api_error::make(core::errc::provider_error,
                                 "Upstream provider returned error: stream event too large");
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
            if (op_ == operation::chat_completions && ev.data.starts_with(upstream_error_prefix)) {
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
        started_ = true;
        if (!parser_.feed(*piece, pending_)) {
            co_return event_too_large();
        }
    }
}

bool sse_passthrough::next_in_hand() const noexcept {
    if (next_pending_ < pending_.size()) {
        // After [DONE] the rest of the body is read before next() answers.
        return op_ != operation::chat_completions || pending_[next_pending_].data != "[DONE]" ||
               body_ended_ || !res_->body_pending();
    }
    return body_ended_;
}

wire_events* sse_passthrough::wire() noexcept {
    return op_ == operation::chat_completions ? this : nullptr;
}

bool sse_passthrough::run_pending() const noexcept {
    // The stream's start goes through the parser, which looks for a byte-order mark there.
    return started_ && next_pending_ >= pending_.size() && !parser_.has_partial_event() &&
           !body_ended_ && !done_ && res_->body_pending();
}

awaitable<error_code> sse_passthrough::wait_run() { return res_->wait_body(); }

result<std::string_view, core::api_error> sse_passthrough::take_run(const error_code& ec,
                                                                    plain_test plain) {
    auto piece = res_->take_body(ec);
    if (!piece) {
        return from_transport(piece.error());
    }
    if (piece->empty()) {
        body_ended_ = true;
        return std::string_view{};
    }
    const std::string_view bytes = *piece;
    const std::size_t run = plain_run(bytes, plain);
    if (run < bytes.size()) {
        // The rest starts at an event's beginning with the parser idle: it goes on from there.
        pending_.clear();
        next_pending_ = 0;
        if (!parser_.feed(bytes.substr(run), pending_)) {
            return event_too_large();
        }
    }
    return bytes.substr(0, run);
}

}  // namespace hadrian::providers
