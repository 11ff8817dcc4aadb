/// The middleware onion: each step runs code before and after `next`, or answers itself
/// without calling it.
#pragma once

#include <memory>
#include <vector>

#include "hadrian/api/context.hpp"

namespace hadrian::api {

class chain;

/// Thread safety: handle() runs concurrently for many requests; keep per-request state in the
/// context. Lifetime: owned by the pipeline for the process lifetime.
class middleware {
public:
    virtual ~middleware() = default;
    virtual awaitable<void> handle(request_context& ctx, chain next) = 0;
};

/// The innermost step: routes the path to a handler.
class endpoint {
public:
    virtual ~endpoint() = default;
    virtual awaitable<void> handle(request_context& ctx) = 0;
};

/// The rest of the chain from one position; cheap to copy.
class chain {
public:
    chain(const std::vector<std::unique_ptr<middleware>>& steps, std::size_t pos,
          endpoint& terminal) noexcept
        : steps_(&steps), pos_(pos), terminal_(&terminal) {}

    awaitable<void> operator()(request_context& ctx) const;

private:
    const std::vector<std::unique_ptr<middleware>>* steps_;
    std::size_t pos_;
    endpoint* terminal_;
};

}  // namespace hadrian::api
