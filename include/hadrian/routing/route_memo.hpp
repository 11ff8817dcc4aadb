/// The fallback chains of plain requests, computed once per model string.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "hadrian/core/io_mutex.hpp"
#include "hadrian/core/string_map.hpp"
#include "hadrian/routing/router.hpp"

namespace hadrian::routing {

/// The router and the configuration do not change while the gateway runs, so neither does the
/// chain build_chain gives for a request that names one model and no provider preferences: it
/// is built once per model string and then shared. What depends on the request (a key's
/// allowed models, the draw among a pool's members) is applied to it per request.
/// At most `capacity` model strings are kept (a client may send any number of them); past
/// that, a chain is built each time. Thread safety: all members may run concurrently.
class route_memo {
public:
    using chain = std::shared_ptr<const std::vector<route>>;

    explicit route_memo(std::size_t capacity = 1024) : capacity_(capacity) {}

    /// The chain kept for `model`, or null.
    chain find(std::string_view model) const;

    /// `routes` as the chain of `model`, kept when there is room (or the one kept already).
    chain remember(std::string_view model, std::vector<route> routes);

    std::size_t size() const;

private:
    mutable core::io_mutex mutex_;
    core::string_map<chain> chains_;
    std::size_t capacity_;
};

}  // namespace hadrian::routing
