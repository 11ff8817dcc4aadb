#include "translated_provider.hpp"

#include "provider_common.hpp"
#include "responses_bridge.hpp"

namespace hadrian::providers {

std::vector<std::string> translated_provider::models() const { return configured_models(cfg_); }

awaitable<result<reply, core::api_error>> translated_provider::send(call c) {
    if (c.op == operation::embeddings) {
        co_return core::api_error::make(
            core::errc::not_supported,
            "Embeddings are not supported by provider '" + cfg_.name + "'");
    }
    if (c.op == operation::chat_completions) {
        auto answer = co_await send_chat(std::move(c));
        co_return answer;
    }
    // Responses: through Chat Completions and back.
    nlohmann::json responses_request = c.body;
    auto chat_body = responses_to_chat_request(responses_request);
    if (!chat_body) {
        co_return chat_body.error();
    }
    c.body = std::move(*chat_body);
    c.body["model"] = c.model;
    c.op = operation::chat_completions;
    c.wants_body = true;
    auto answer = co_await send_chat(std::move(c));
    if (!answer) {
        co_return answer.error();
    }
    reply out = std::move(*answer);
    if (out.events) {
        out.events = chat_stream_to_responses(std::move(out.events), std::move(responses_request));
        co_return out;
    }
    out.body = chat_to_response(out.body, responses_request);
    out.raw = out.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    co_return out;
}

}  // namespace hadrian::providers
