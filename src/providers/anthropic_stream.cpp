#include "anthropic_stream.hpp"

#include <chrono>

#include "anthropic_text.hpp"
#include "anthropic_translate.hpp"
#include "hadrian/core/json_scan.hpp"
#include "upstream_errors.hpp"

namespace hadrian::providers {

namespace {

using nlohmann::json;

/// The delta of the first chunk.
constexpr std::string_view role_delta = R"({"role":"assistant","content":""})";

std::string string_at(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& object_at(const json& obj, const char* key) {
    static const json empty = json::object();
    auto it = obj.find(key);
    return it != obj.end() && it->is_object() ? *it : empty;
}

/// The type of an event that needs no parse, written as Anthropic writes it: `ping`,
/// `content_block_stop` (with its index) and `message_stop`, nothing more; empty otherwise.
std::string_view plain_event_type(std::string_view data) {
    constexpr std::string_view ping = R"({"type":"ping"})";
    constexpr std::string_view message_stop = R"({"type":"message_stop"})";
    constexpr std::string_view block_stop = R"({"type":"content_block_stop","index":)";
    if (data == ping) {
        return "ping";
    }
    if (data == message_stop) {
        return "message_stop";
    }
    if (data.starts_with(block_stop) && data.size() > block_stop.size() + 1 && data.back() == '}') {
        const std::string_view index =
            data.substr(block_stop.size(), data.size() - block_stop.size() - 1);
        if (index.find_first_not_of("0123456789") == std::string_view::npos) {
            return "content_block_stop";
        }
    }
    return {};
}

core::api_error broken(std::string why) {
    return core::api_error::make(core::errc::provider_error,
                                 "Upstream provider returned error: " + why);
}

}  // namespace

anthropic_chunk_translator::anthropic_chunk_translator(std::string model)
    : model_(std::move(model)),
      created_(std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count()) {}

std::string anthropic_chunk_translator::chunk(json delta, const json& finish_reason) {
    return delta_chunk(delta.dump(-1, ' ', false, json::error_handler_t::replace),
                       finish_reason.dump());
}

const std::string& anthropic_chunk_translator::head() {
    if (head_.empty()) {
        head_ = R"({"id":)" + core::json_quote("chatcmpl-" + id_) +
                R"(,"object":"chat.completion.chunk","created":)" + std::to_string(created_) +
                R"(,"model":)" + core::json_quote(model_) + R"(,"choices":)";
    }
    return head_;
}

std::string anthropic_chunk_translator::delta_chunk(std::string_view delta,
                                                    std::string_view finish_reason) {
    constexpr std::string_view open = R"([{"index":0,"delta":)";
    constexpr std::string_view middle = R"(,"logprobs":null,"finish_reason":)";
    constexpr std::string_view close = "}]}";
    const std::string& h = head();
    std::string out;
    out.reserve(h.size() + open.size() + delta.size() + middle.size() + finish_reason.size() +
                close.size());
    out.append(h).append(open).append(delta).append(middle).append(finish_reason).append(close);
    return out;
}

std::string anthropic_chunk_translator::text_chunk(std::string_view member, std::string_view text) {
    std::string delta;
    delta.reserve(member.size() + text.size() + 7);
    delta.append(R"({")").append(member).append(R"(":")").append(text).append(R"("})");
    return delta_chunk(delta, "null");
}

void anthropic_chunk_translator::on_block_start(const json& ev, std::vector<std::string>& out) {
    const json& block = object_at(ev, "content_block");
    const std::string type = string_at(block, "type");
    if (type == "tool_use") {
        auto index = ev.find("index");
        const std::int64_t block_index =
            index != ev.end() && index->is_number_integer() ? index->get<std::int64_t>() : -1;
        const int tool = tool_calls_++;
        tool_index_[block_index] = tool;
        json fn = {{"name", string_at(block, "name")}, {"arguments", ""}};
        json call = {{"index", tool},
                     {"id", string_at(block, "id")},
                     {"type", "function"},
                     {"function", std::move(fn)}};
        out.push_back(chunk({{"tool_calls", json::array({std::move(call)})}}, nullptr));
    } else if (type == "text") {
        // A text block normally starts empty; any initial text is content all the same.
        std::string text = string_at(block, "text");
        if (!text.empty()) {
            out.push_back(chunk({{"content", std::move(text)}}, nullptr));
        }
    } else if (type == "thinking") {
        std::string text = string_at(block, "thinking");
        if (!text.empty()) {
            out.push_back(chunk({{"reasoning", std::move(text)}}, nullptr));
        }
    }
}

void anthropic_chunk_translator::on_block_delta(const json& ev, std::vector<std::string>& out) {
    const json& delta = object_at(ev, "delta");
    const std::string type = string_at(delta, "type");
    if (type == "text_delta") {
        std::string text = string_at(delta, "text");
        if (!text.empty()) {
            out.push_back(chunk({{"content", std::move(text)}}, nullptr));
        }
    } else if (type == "thinking_delta") {
        std::string text = string_at(delta, "thinking");
        if (!text.empty()) {
            out.push_back(chunk({{"reasoning", std::move(text)}}, nullptr));
        }
    } else if (type == "input_json_delta") {
        std::string partial = string_at(delta, "partial_json");
        auto index = ev.find("index");
        if (partial.empty() || index == ev.end() || !index->is_number_integer()) {
            return;
        }
        auto tool = tool_index_.find(index->get<std::int64_t>());
        if (tool == tool_index_.end()) {
            return;
        }
        json fn = {{"arguments", std::move(partial)}};
        json call = {{"index", tool->second}, {"function", std::move(fn)}};
        out.push_back(chunk({{"tool_calls", json::array({std::move(call)})}}, nullptr));
    }
    // signature_delta and citations_delta have no chat equivalent.
}

void anthropic_chunk_translator::on_message_stop(std::vector<std::string>& out) {
    complete_ = true;
    std::string usage_chunk = head();
    usage_chunk.append(R"([],"usage":)").append(anthropic_usage(usage_).dump()).append("}");
    out.push_back(std::move(usage_chunk));
}

result<void, core::api_error> anthropic_chunk_translator::feed_event(
    std::string_view data, std::vector<std::string>& out) {
    if (complete_) {
        return {};
    }
    // Text and thinking deltas, nearly every event of a stream, are read by a scan and
    // written as text; the rest is parsed.
    if (const auto text = read_text_delta(data)) {
        if (!started_) {
            started_ = true;
            out.push_back(delta_chunk(role_delta, "null"));
        }
        if (!text->text.empty()) {
            out.push_back(text_chunk(text->thinking ? "reasoning" : "content", text->text));
        }
        return {};
    }
    if (const std::string_view type = plain_event_type(data); !type.empty()) {
        if (type == "message_stop") {
            on_message_stop(out);
        }
        return {};
    }
    const json ev = json::parse(data, nullptr, false);
    if (ev.is_discarded() || !ev.is_object()) {
        return broken("invalid stream event");
    }
    const std::string type = string_at(ev, "type");
    if (type == "message_start") {
        const json& message = object_at(ev, "message");
        id_ = string_at(message, "id");
        head_.clear();
        usage_.update(object_at(message, "usage"));
        if (!started_) {
            started_ = true;
            out.push_back(delta_chunk(role_delta, "null"));
        }
        return {};
    }
    if (!started_ && (type == "content_block_start" || type == "content_block_delta" ||
                      type == "message_delta")) {
        // Tolerate a stream without message_start: the role still comes first.
        started_ = true;
        out.push_back(delta_chunk(role_delta, "null"));
    }
    if (type == "content_block_start") {
        on_block_start(ev, out);
    } else if (type == "content_block_delta") {
        on_block_delta(ev, out);
    } else if (type == "message_delta") {
        usage_.update(object_at(ev, "usage"));
        const std::string reason = string_at(object_at(ev, "delta"), "stop_reason");
        if (!reason.empty()) {
            out.push_back(delta_chunk("{}", core::json_quote(anthropic_finish_reason(reason))));
        }
    } else if (type == "message_stop") {
        on_message_stop(out);
    } else if (type == "error") {
        const json& e = object_at(ev, "error");
        const std::string etype = string_at(e, "type");
        auto err = anthropic_error(anthropic_error_status(etype), data, core::header_fields{});
        if (etype.empty()) {
            err.message = "Upstream provider returned error: in-band stream error";
        }
        return err;
    }
    // ping, content_block_stop and unknown events carry nothing for chat.
    return {};
}

result<void, core::api_error> anthropic_chunk_translator::feed_bytes(
    std::string_view bytes, std::vector<std::string>& out) {
    events_.clear();
    if (!parser_.feed(bytes, events_)) {
        return broken("stream event too large");
    }
    for (const auto& ev : events_) {
        if (auto r = feed_event(ev.data, out); !r) {
            return r;
        }
    }
    return {};
}

result<void, core::api_error> anthropic_chunk_translator::finish() const {
    if (complete_) {
        return {};
    }
    return broken("stream ended before completion");
}

anthropic_event_stream::anthropic_event_stream(std::unique_ptr<upstream::response> res,
                                               std::string model)
    : res_(std::move(res)), translator_(std::move(model)) {}

bool anthropic_event_stream::next_in_hand() const noexcept {
    // After message_stop the rest of the body is read: at once when it is all in.
    return next_pending_ < pending_.size() || error_ || failed_ ||
           (translator_.complete() && !res_->body_pending());
}

awaitable<result<std::optional<sse::event>, core::api_error>> anthropic_event_stream::next() {
    for (;;) {
        if (next_pending_ < pending_.size()) {
            sse::event ev;
            ev.data = std::move(pending_[next_pending_++]);
            co_return std::optional<sse::event>(std::move(ev));
        }
        pending_.clear();
        next_pending_ = 0;
        if (error_) {
            // Chunks that came before the failure went out first; the error is reported once.
            core::api_error err = std::move(*error_);
            error_.reset();
            failed_ = true;
            co_return err;
        }
        if (failed_) {
            co_return broken("stream already failed");
        }
        if (translator_.complete()) {
            // Read the (normally empty) rest so the connection can go back to the pool.
            for (;;) {
                auto rest = co_await res_->read_some();
                if (!rest || rest->empty()) {
                    break;
                }
            }
            co_return std::nullopt;
        }
        auto piece = co_await res_->read_some();
        if (!piece) {
            error_ = from_transport(piece.error());
        } else if (piece->empty()) {
            error_ = translator_.finish().error();
        } else if (auto fed = translator_.feed_bytes(*piece, pending_); !fed) {
            error_ = fed.error();
        }
    }
}

}  // namespace hadrian::providers
