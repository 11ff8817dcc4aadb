// The waiting forms of response_sink's writes.
#include "hadrian/api/context.hpp"
#include "hadrian/core/send_batching.hpp"

namespace hadrian::api {

awaitable<error_code> response_sink::send(int status, header_list headers, std::string body,
                                          std::string_view content_type) {
    // A whole answer may wait for the end of the turn; a stream's events never do.
    if (core::send_batching::busy()) {
        co_await core::end_of_turn();
    }
    if (send_now(status, std::move(headers), std::move(body), content_type)) {
        co_return error_code{};
    }
    co_return co_await flush();
}

awaitable<error_code> response_sink::write(std::string_view data) {
    if (write_now(data)) {
        co_return error_code{};
    }
    co_return co_await flush();
}

}  // namespace hadrian::api
