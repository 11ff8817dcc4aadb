/// The middleware pipeline, as a filter chain rather than an onion of coroutines: each step
/// looks at a request before the handler and, when it let the request through, again after
/// the answer. A step decides without waiting whenever it can (a key in the cache, counters in
/// memory) and asks to be awaited only when it must (a key looked up in the database, a
/// budget's spend not loaded yet), so a request runs the whole pipeline in one coroutine frame.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "hadrian/api/context.hpp"

namespace hadrian::api {

/// What a step decided before the handler.
struct verdict {
    enum kind_t : std::uint8_t {
        pass,    ///< the request goes on to the next step
        refuse,  ///< the pipeline answers `error` and no later step runs
        wait,    ///< the step must wait: the pipeline awaits its before_async()
    };
    kind_t kind = pass;
    std::optional<core::api_error> error;  ///< set for refuse only

    static verdict passed() { return {}; }
    static verdict waiting() { return {wait, std::nullopt}; }
    static verdict refused(core::api_error e) { return {refuse, std::move(e)}; }
};

/// Thread safety: the hooks run concurrently for many requests; keep per-request state in the
/// context. Lifetime: owned by the pipeline for the process lifetime.
class middleware {
public:
    virtual ~middleware() = default;
    /// Before the handler, without waiting: pass, refuse, or ask for before_async().
    virtual verdict before(request_context& ctx) = 0;
    /// Called only after before() answered wait: pass or refuse, never wait. The default
    /// passes.
    virtual awaitable<verdict> before_async(request_context& ctx);
    /// After the answer (the handler's, a later step's refusal or an internal error), in
    /// reverse order, for each step that passed. Not called when the request's coroutine is
    /// destroyed without being resumed (the process stopping). The default does nothing.
    virtual void after(request_context& ctx);
};

/// The innermost step: routes the path to a handler.
class endpoint {
public:
    virtual ~endpoint() = default;
    virtual awaitable<void> handle(request_context& ctx) = 0;
};

/// Runs a request through the steps, outermost first, then the endpoint. Also the error
/// boundary: an exception from a step or the handler becomes a logged 500 internal_error
/// (or, when the answer had started, an aborted request) that the steps' after hooks see.
class pipeline {
public:
    pipeline(std::vector<std::unique_ptr<middleware>> steps, endpoint& terminal) noexcept
        : steps_(std::move(steps)), terminal_(terminal) {}

    /// Never throws.
    awaitable<void> run(request_context& ctx) const;

private:
    /// Until a step refuses or waits: the steps passed so far, and the refusing or waiting
    /// step's verdict (pass when every step passed).
    verdict pass_from(request_context& ctx, std::size_t& at) const;
    /// The after hooks of the first `passed` steps, in reverse order; one that throws is
    /// logged and the others still run.
    void after(request_context& ctx, std::size_t passed) const noexcept;

    std::vector<std::unique_ptr<middleware>> steps_;
    endpoint& terminal_;
};

}  // namespace hadrian::api
