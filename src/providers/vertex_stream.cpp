#include "vertex_stream.hpp"

#include "upstream_errors.hpp"
#include "vertex_translate.hpp"

namespace hadrian::providers::gemini {

namespace {

using json = nlohmann::json;

std::string string_at(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool has_token_counts(const json& meta) {
    for (const char* key : {"promptTokenCount", "candidatesTokenCount", "totalTokenCount"}) {
        if (meta.contains(key)) {
            return true;
        }
    }
    return false;
}

core::api_error broken(std::string why) {
    return core::api_error::make(core::errc::provider_error,
                                 "Upstream provider returned error: " + std::move(why));
}

}  // namespace

stream_decoder::stream_decoder(std::string fallback_id, std::string model, std::int64_t created)
    : id_(std::move(fallback_id)), model_(std::move(model)), created_(created) {}

result<void, core::api_error> stream_decoder::feed(std::string_view bytes,
                                                   std::vector<sse::event>& out) {
    events_.clear();
    if (!parser_.feed(bytes, events_)) {
        return broken("stream event too large");
    }
    for (const auto& ev : events_) {
        auto r = on_event(ev, out);
        if (!r) {
            return r;
        }
    }
    return {};
}

result<void, core::api_error> stream_decoder::finish(std::vector<sse::event>& out) {
    if (!finished_) {
        return broken("stream ended before completion");
    }
    json chunk = {
        {"id", id_},       {"object", "chat.completion.chunk"}, {"created", created_},
        {"model", model_}, {"choices", json::array()},          {"usage", usage(usage_metadata_)}};
    out.push_back(sse::event{{}, chunk.dump(), {}});
    return {};
}

result<void, core::api_error> stream_decoder::on_event(const sse::event& ev,
                                                       std::vector<sse::event>& out) {
    const auto chunk = json::parse(ev.data, nullptr, false);
    if (chunk.is_discarded() || !chunk.is_object()) {
        return broken("invalid JSON in stream event");
    }
    if (auto e = chunk.find("error"); e != chunk.end()) {
        int status = 502;
        if (e->is_object()) {
            auto code = e->find("code");
            if (code != e->end() && code->is_number_integer() && code->get<int>() >= 400 &&
                code->get<int>() <= 599) {
                status = code->get<int>();
            }
        }
        return to_api_error(status, ev.data, core::header_fields{});
    }
    if (!id_fixed_) {
        if (auto rid = string_at(chunk, "responseId"); !rid.empty()) {
            id_ = "chatcmpl-" + rid;
        }
    }
    if (auto meta = chunk.find("usageMetadata");
        meta != chunk.end() && meta->is_object() && has_token_counts(*meta)) {
        usage_metadata_ = *meta;
    }
    const auto candidates = chunk.find("candidates");
    if (candidates != chunk.end() && candidates->is_array() && !candidates->empty()) {
        for (std::size_t i = 0; i < candidates->size(); ++i) {
            if ((*candidates)[i].is_object()) {
                on_candidate((*candidates)[i], i, out);
            }
        }
    } else if (auto fb = chunk.find("promptFeedback");
               fb != chunk.end() && fb->is_object() && !string_at(*fb, "blockReason").empty()) {
        // The prompt was blocked: no candidate will come.
        emit(0, json::object(), "content_filter", out);
        finished_ = true;
    }
    return {};
}

void stream_decoder::on_candidate(const json& cand, std::size_t position,
                                  std::vector<sse::event>& out) {
    std::int64_t index = static_cast<std::int64_t>(position);
    if (auto it = cand.find("index"); it != cand.end() && it->is_number_integer()) {
        index = it->get<std::int64_t>();
    }
    choice_state& state = choices_[index];
    const auto content = cand.find("content");
    const json* parts = nullptr;
    if (content != cand.end() && content->is_object()) {
        if (auto p = content->find("parts"); p != content->end() && p->is_array()) {
            parts = &*p;
        }
    }
    if (parts != nullptr) {
        for (const auto& part : *parts) {
            if (!part.is_object()) {
                continue;
            }
            if (auto call = part.find("functionCall"); call != part.end() && call->is_object()) {
                std::string call_id = string_at(*call, "id");
                if (call_id.empty()) {
                    call_id = tool_call_id(id_, calls_so_far_);
                }
                ++calls_so_far_;
                const auto args = call->find("args");
                const std::string arguments =
                    args != call->end() && args->is_object() ? args->dump() : "{}";
                json entry = {
                    {"index", state.tool_calls++},
                    {"id", call_id},
                    {"type", "function"},
                    {"function", {{"name", string_at(*call, "name")}, {"arguments", arguments}}}};
                emit(index, {{"tool_calls", json::array({std::move(entry)})}}, nullptr, out);
                continue;
            }
            const std::string text = string_at(part, "text");
            if (text.empty()) {
                continue;
            }
            const auto thought = part.find("thought");
            const bool is_thought = thought != part.end() && thought->is_boolean() && *thought;
            emit(index, {{is_thought ? "reasoning" : "content", text}}, nullptr, out);
        }
    }
    if (auto reason = string_at(cand, "finishReason"); !reason.empty()) {
        emit(index, json::object(), finish_reason(reason, state.tool_calls > 0), out);
        finished_ = true;
    }
}

void stream_decoder::emit(std::int64_t index, json delta, const json& finish_reason,
                          std::vector<sse::event>& out) {
    choice_state& state = choices_[index];
    if (!state.role_sent) {
        delta["role"] = "assistant";
        if (!delta.contains("content")) {
            delta["content"] = "";
        }
        state.role_sent = true;
    }
    id_fixed_ = true;
    json chunk = {{"id", id_},
                  {"object", "chat.completion.chunk"},
                  {"created", created_},
                  {"model", model_},
                  {"choices", json::array({{{"index", index},
                                            {"delta", std::move(delta)},
                                            {"logprobs", nullptr},
                                            {"finish_reason", finish_reason}}})}};
    out.push_back(sse::event{{}, chunk.dump(), {}});
}

}  // namespace hadrian::providers::gemini

namespace hadrian::providers {

vertex_stream::vertex_stream(std::unique_ptr<upstream::response> res,
                             gemini::stream_decoder decoder)
    : res_(std::move(res)), decoder_(std::move(decoder)) {}

bool vertex_stream::next_in_hand() const noexcept {
    return next_pending_ < pending_.size() || failed_ || ended_;
}

awaitable<result<std::optional<sse::event>, core::api_error>> vertex_stream::next() {
    for (;;) {
        if (next_pending_ < pending_.size()) {
            sse::event ev = std::move(pending_[next_pending_++]);
            co_return std::optional<sse::event>(std::move(ev));
        }
        pending_.clear();
        next_pending_ = 0;
        if (failed_) {
            // Events decoded before the failure went out first.
            co_return *failed_;
        }
        if (ended_) {
            co_return std::nullopt;
        }
        auto piece = co_await res_->read_some();
        if (!piece) {
            co_return from_transport(piece.error());
        }
        if (piece->empty()) {
            ended_ = true;
            auto done = decoder_.finish(pending_);
            if (!done) {
                failed_ = done.error();
            }
            continue;
        }
        auto fed = decoder_.feed(*piece, pending_);
        if (!fed) {
            failed_ = fed.error();
        }
    }
}

}  // namespace hadrian::providers
