// An upstream SSE body relayed event by event (OpenAI-compatible upstreams).
#pragma once

#include <deque>
#include <memory>

#include "hadrian/providers/provider.hpp"
#include "hadrian/sse/parser.hpp"
#include "hadrian/upstream/client.hpp"

namespace hadrian::providers {

/// Reads the upstream body incrementally and yields its SSE events unchanged. A clean end is
/// `data: [DONE]` (chat) or a terminal Responses event followed by the end of the body;
/// anything else — EOF before that, a reset, an idle timeout, an in-band upstream error — is
/// an error, so a truncated stream never looks complete.
/// A chat stream also gives runs of plain events as they came (wire_events), once its start
/// went through next(): a body read whose events are all plain goes to the client as it was
/// read; from the first event that is not, the read's rest goes through the parser and
/// next() until the parser is idle.
class sse_passthrough final : public event_stream, public wire_events {
public:
    sse_passthrough(std::unique_ptr<upstream::response> res, operation op);

    awaitable<result<std::optional<sse::event>, core::api_error>> next() override;
    bool next_in_hand() const noexcept override;
    wire_events* wire() noexcept override;
    bool run_pending() const noexcept override;
    awaitable<error_code> wait_run() override;
    result<std::string_view, core::api_error> take_run(const error_code& ec,
                                                       plain_test plain) override;

private:
    static bool is_terminal_responses_event(const sse::event& ev);

    std::unique_ptr<upstream::response> res_;
    operation op_;
    sse::parser parser_;
    std::vector<sse::event> pending_;
    std::size_t next_pending_ = 0;
    bool done_ = false;  // [DONE] seen (chat) or terminal event (responses)
    bool body_ended_ = false;
    bool started_ = false;  // the parser has seen the stream's start
};

}  // namespace hadrian::providers
