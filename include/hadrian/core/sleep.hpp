/// An abortable wait on the calling coroutine's executor.
#pragma once

#include <chrono>

#include "hadrian/core/abort_signal.hpp"
#include "hadrian/core/asio.hpp"

namespace hadrian::core {

/// Wait `delay`; `abort` (optional) cuts the wait short. Returns false when aborted.
/// The abort hook is installed for the wait and cleared after it.
awaitable<bool> sleep_for(std::chrono::milliseconds delay, abort_signal* abort);

}  // namespace hadrian::core
