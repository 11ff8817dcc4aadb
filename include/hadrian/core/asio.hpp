/// Asio / Beast aliases and completion tokens used across the project.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/result.hpp>

namespace boost::beast {}
namespace boost::beast::http {}

namespace hadrian {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

using boost::asio::awaitable;
using boost::system::error_code;

/// Result of a fallible call: a value or an error (`E` defaults to error_code).
template <class T, class E = error_code>
using result = boost::system::result<T, E>;

/// Non-throwing coroutine completion token for data-plane I/O: `auto [ec, n] = co_await
/// op(..., use_nothrow);`
inline constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

}  // namespace hadrian
