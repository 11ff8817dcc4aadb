/// One-shot abort notification shared by a downstream session and the upstream call it drives.
#pragma once

#include <functional>
#include <utility>

namespace hadrian::core {

/// The session raises it when its client goes away; whoever holds an upstream connection
/// registers a hook that closes it, so the upstream request ends at once.
/// Thread safety: none; every user runs on the same connection strand.
/// Lifetime: owned by the request context, outlives the upstream call.
class abort_signal {
public:
    bool aborted() const noexcept { return aborted_; }

    /// Install the action run on abort (replaces any earlier one). Runs at once if already
    /// aborted.
    void on_abort(std::function<void()> fn) {
        hook_ = std::move(fn);
        if (aborted_ && hook_) {
            auto h = std::move(hook_);
            h();
        }
    }
    void clear() noexcept { hook_ = nullptr; }

    void abort() {
        if (aborted_) {
            return;
        }
        aborted_ = true;
        if (hook_) {
            auto h = std::move(hook_);
            h();
        }
    }

private:
    bool aborted_ = false;
    std::function<void()> hook_;
};

}  // namespace hadrian::core
