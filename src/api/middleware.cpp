#include "hadrian/api/middleware.hpp"

#include <stdexcept>

#include "hadrian/core/exception_text.hpp"
#include "hadrian/core/log.hpp"
#include "respond.hpp"

namespace hadrian::api {

namespace {

const std::shared_ptr<spdlog::logger>& log() {
    static const auto logger = core::logger("api");
    return logger;
}

}  // namespace

awaitable<verdict> middleware::before_async(request_context&) { co_return verdict::passed(); }

void middleware::after(request_context&) {}

verdict pipeline::pass_from(request_context& ctx, std::size_t& at) const {
    for (; at < steps_.size(); ++at) {
        verdict v = steps_[at]->before(ctx);
        if (v.kind != verdict::pass) {
            return v;
        }
    }
    return verdict::passed();
}

awaitable<void> pipeline::run(request_context& ctx) const {
    std::size_t passed = 0;
    bool failed = false;
    std::string what;
    try {
        verdict v = pass_from(ctx, passed);
        while (v.kind == verdict::wait) {
            v = co_await steps_[passed]->before_async(ctx);
            if (v.kind == verdict::wait) {
                throw std::logic_error("a middleware step waited twice");
            }
            if (v.kind == verdict::pass) {
                ++passed;
                v = pass_from(ctx, passed);
            }
        }
        if (v.kind == verdict::refuse) {
            co_await send_error(ctx, *v.error);
        } else {
            co_await terminal_.handle(ctx);
        }
    } catch (...) {
        failed = true;
        what = core::current_exception_text();
    }
    if (failed) {
        // (No co_await inside a catch block: GCC 12.)
        log()->error("request_id={} internal error: {}", ctx.request_id, what);
        ctx.abort.abort();
        try {
            co_await send_error(
                ctx, core::api_error::make(core::errc::internal_error, "Internal server error"));
        } catch (...) {
            ctx.status = 500;
        }
    }
    after(ctx, passed);
}

void pipeline::after(request_context& ctx, std::size_t passed) const noexcept {
    while (passed > 0) {
        --passed;
        try {
            steps_[passed]->after(ctx);
        } catch (...) {
            try {
                log()->error("request_id={} after a request: {}", ctx.request_id,
                             core::current_exception_text());
            } catch (...) {  // NOLINT(bugprone-empty-catch): nothing left to tell it with
            }
        }
    }
}

}  // namespace hadrian::api
