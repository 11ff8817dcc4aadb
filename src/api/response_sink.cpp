// The waiting form of response_sink's stream write.
#include "hadrian/api/context.hpp"

namespace hadrian::api {

awaitable<error_code> response_sink::write(std::string_view data) {
    if (write_now(data)) {
        co_return error_code{};
    }
    co_return co_await flush();
}

}  // namespace hadrian::api
