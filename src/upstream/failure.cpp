// Error vocabulary of the upstream module: every failure carries the code callers branch on
// and a reason short enough to show a client.
#include "upstream/failure.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>
#include <cctype>

#include "hadrian/core/log.hpp"

namespace hadrian::upstream {

void throw_exception_from_error(const failure& f, const boost::source_location& loc) {
    boost::throw_exception(boost::system::system_error(f.ec, f.message), loc);
}

spdlog::logger& logger() {
    // core keeps module loggers for the process lifetime (reconfigured in place).
    static const std::shared_ptr<spdlog::logger> instance = core::logger("upstream");
    return *instance;
}

std::string describe(const error_code& ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::ssl::error::stream_truncated) {
        return "connection closed by upstream";
    }
    if (ec == http::error::partial_message) {
        return "connection closed mid-response";
    }
    if (ec == http::error::header_limit) {
        return "response header too large";
    }
    if (ec == http::error::body_limit) {
        return "response body too large";
    }
    if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again) {
        return "host not found";
    }
    std::string text = ec.message();
    // OpenSSL reasons come as "certificate verify failed (SSL routines)".
    if (const auto paren = text.rfind(" ("); paren != std::string::npos && text.back() == ')') {
        text.erase(paren);
    }
    if (!text.empty() && std::isupper(static_cast<unsigned char>(text.front())) &&
        (text.size() < 2 || !std::isupper(static_cast<unsigned char>(text[1])))) {
        text.front() = static_cast<char>(std::tolower(static_cast<unsigned char>(text.front())));
    }
    if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
        return "malformed response: " + text;
    }
    return text;
}

failure aborted_failure() { return failure{asio::error::operation_aborted, "aborted"}; }

failure timeout_failure(std::string message) {
    return failure{core::errc::upstream_timeout, std::move(message)};
}

failure provider_failure(std::string_view stage, const error_code& ec) {
    std::string message(stage);
    message += ": ";
    message += describe(ec);
    return failure{core::errc::provider_error, std::move(message)};
}

failure provider_failure(std::string message) {
    return failure{core::errc::provider_error, std::move(message)};
}

}  // namespace hadrian::upstream
