// A response sink for a request context whose answer a test never looks at (or that a test
// derives from to look at one part only).
#pragma once

#include <string>
#include <string_view>

#include "hadrian/api/context.hpp"

namespace hadrian::api::test_support {

class unused_sink : public response_sink {
public:
    bool send_now(int, header_list, std::string, std::string_view) override { return true; }
    void start_stream(int, header_list) override {}
    void hold(std::string_view) override {}
    bool write_now(std::string_view) override { return true; }
    awaitable<error_code> flush() override { co_return error_code{}; }
    awaitable<error_code> finish(std::string_view) override { co_return error_code{}; }
    bool started() const noexcept override { return false; }
};

}  // namespace hadrian::api::test_support
