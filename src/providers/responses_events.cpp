// A chat chunk stream → the typed Responses event stream.
#include <deque>
#include <map>
#include <vector>

#include "provider_common.hpp"
#include "responses_bridge.hpp"

namespace hadrian::providers {

namespace {

using json = nlohmann::json;
using namespace responses_detail;

std::string string_or_empty(const json& obj, const char* key) {
    if (!obj.is_object()) {
        return {};
    }
    auto it = obj.find(key);
    if (it != obj.end() && it->is_string()) {
        return it->get<std::string>();
    }
    return {};
}

core::api_error broken(std::string what) {
    return core::api_error::make(core::errc::provider_error,
                                 "Upstream provider returned error: " + std::move(what));
}

/// One output item as it is built. Items are opened and closed one at a time, in output order
/// (as OpenAI streams them): a delta of another kind, or of another tool call, closes the
/// open item first.
struct output_item {
    enum class kind { reasoning, message, function_call };
    kind k = kind::message;
    std::string id;
    std::string text;  // summary text, message text or arguments
    std::string call_id;
    std::string name;
    std::string status = "in_progress";
};

/// Thread safety: none; used from the request's strand only.
class responses_event_stream final : public event_stream {
public:
    responses_event_stream(std::unique_ptr<event_stream> chat, json request)
        : chat_(std::move(chat)), request_(std::move(request)) {}

    // Not the chat stream's: a chat chunk in hand may give no event, and the next one waits.
    bool next_in_hand() const noexcept override { return !pending_.empty() || finished_; }

    awaitable<result<std::optional<sse::event>, core::api_error>> next() override {
        for (;;) {
            if (!pending_.empty()) {
                sse::event ev = std::move(pending_.front());
                pending_.pop_front();
                co_return std::optional<sse::event>(std::move(ev));
            }
            if (finished_) {
                co_return std::nullopt;
            }
            auto chunk = co_await chat_->next();
            if (!chunk) {
                finished_ = true;
                co_return chunk.error();
            }
            if (!chunk->has_value()) {
                finish();
                finished_ = true;
                continue;
            }
            auto handled = on_event(**chunk);
            if (!handled) {
                finished_ = true;
                pending_.clear();
                co_return handled.error();
            }
        }
    }

private:
    result<void, core::api_error> on_event(const sse::event& ev) {
        if (ev.data == "[DONE]") {
            return {};
        }
        const json chunk = json::parse(ev.data, nullptr, false);
        if (chunk.is_discarded() || !chunk.is_object()) {
            return broken("malformed stream chunk");
        }
        if (auto err = chunk.find("error"); err != chunk.end() && err->is_object()) {
            return broken(string_or_empty(*err, "message"));
        }
        start(chunk);
        if (auto u = chunk.find("usage"); u != chunk.end() && u->is_object()) {
            usage_ = *u;
        }
        auto choices = chunk.find("choices");
        if (choices == chunk.end() || !choices->is_array() || choices->empty()) {
            return {};
        }
        const json& choice = choices->front();
        if (!choice.is_object()) {
            return broken("malformed stream chunk");
        }
        if (auto delta = choice.find("delta"); delta != choice.end() && delta->is_object()) {
            if (auto r = string_or_empty(*delta, "reasoning"); !r.empty()) {
                append(output_item::kind::reasoning, r);
            }
            if (auto c = string_or_empty(*delta, "content"); !c.empty()) {
                append(output_item::kind::message, c);
            }
            if (auto calls = delta->find("tool_calls");
                calls != delta->end() && calls->is_array()) {
                for (const auto& call : *calls) {
                    auto added = on_tool_call(call);
                    if (!added) {
                        return added.error();
                    }
                }
            }
        }
        if (auto f = string_or_empty(choice, "finish_reason"); !f.empty()) {
            finish_reason_ = f;
        }
        return {};
    }

    /// response.created and response.in_progress, once, from the first chunk's id and model.
    void start(const json& chunk) {
        if (started_) {
            return;
        }
        started_ = true;
        base_ = string_or_empty(chunk, "id");
        if (base_.empty()) {
            base_ = random_id_base();
        }
        std::int64_t created = now_secs();
        if (auto c = chunk.find("created"); c != chunk.end() && c->is_number()) {
            created = c->get<std::int64_t>();
        }
        std::string model = string_or_empty(chunk, "model");
        if (model.empty()) {
            model = string_or_empty(request_, "model");
        }
        response_ = response_envelope("resp_" + base_, created, model, request_);
        emit({{"type", "response.created"}, {"response", response_}});
        emit({{"type", "response.in_progress"}, {"response", response_}});
    }

    /// A reasoning or text delta: into the open item of that kind, or a new one.
    void append(output_item::kind k, const std::string& delta) {
        if (!open_ || items_.back().k != k) {
            open_item(k);
        }
        output_item& item = items_.back();
        item.text += delta;
        const std::size_t index = items_.size() - 1;
        if (k == output_item::kind::reasoning) {
            emit({{"type", "response.reasoning_summary_text.delta"},
                  {"item_id", item.id},
                  {"output_index", index},
                  {"summary_index", 0},
                  {"delta", delta}});
        } else {
            emit({{"type", "response.output_text.delta"},
                  {"item_id", item.id},
                  {"output_index", index},
                  {"content_index", 0},
                  {"delta", delta},
                  {"logprobs", json::array()}});
        }
    }

    result<void, core::api_error> on_tool_call(const json& call) {
        if (!call.is_object()) {
            return broken("malformed tool call delta");
        }
        std::int64_t chat_index = 0;
        if (auto i = call.find("index"); i != call.end() && i->is_number_integer()) {
            chat_index = i->get<std::int64_t>();
        }
        const json function = call.value("function", json::object());
        const std::string name = string_or_empty(function, "name");
        const std::string args = string_or_empty(function, "arguments");
        auto known = tool_items_.find(chat_index);
        if (known == tool_items_.end()) {
            open_item(output_item::kind::function_call);
            output_item& item = items_.back();
            item.call_id = string_or_empty(call, "id");
            if (item.call_id.empty()) {
                item.call_id = "call_" + item.id.substr(3);
            }
            item.name = name;
            tool_items_[chat_index] = items_.size() - 1;
            emit_added(items_.size() - 1);
        } else if (!open_ || known->second != items_.size() - 1) {
            return broken("tool call arguments arrived after the call was complete");
        } else if (!name.empty() && items_.back().name.empty()) {
            items_.back().name = name;
        }
        if (!args.empty()) {
            output_item& item = items_.back();
            item.text += args;
            emit({{"type", "response.function_call_arguments.delta"},
                  {"item_id", item.id},
                  {"output_index", items_.size() - 1},
                  {"delta", args}});
        }
        return {};
    }

    /// Closes the open item and opens a new one of kind `k` (function calls announce
    /// themselves once their call id and name are known).
    void open_item(output_item::kind k) {
        close_open("completed");
        output_item item;
        item.k = k;
        const std::size_t index = items_.size();
        const char* prefix = k == output_item::kind::reasoning ? "rs"
                             : k == output_item::kind::message ? "msg"
                                                               : "fc";
        item.id = item_id(prefix, base_, index);
        items_.push_back(std::move(item));
        open_ = true;
        if (k != output_item::kind::function_call) {
            emit_added(index);
        }
    }

    void emit_added(std::size_t index) {
        const output_item& item = items_[index];
        emit({{"type", "response.output_item.added"},
              {"output_index", index},
              {"item", item_json(item)}});
        if (item.k == output_item::kind::reasoning) {
            emit({{"type", "response.reasoning_summary_part.added"},
                  {"item_id", item.id},
                  {"output_index", index},
                  {"summary_index", 0},
                  {"part", {{"type", "summary_text"}, {"text", ""}}}});
        } else if (item.k == output_item::kind::message) {
            emit({{"type", "response.content_part.added"},
                  {"item_id", item.id},
                  {"output_index", index},
                  {"content_index", 0},
                  {"part", text_part("")}});
        }
    }

    void close_open(const char* status) {
        if (!open_) {
            return;
        }
        open_ = false;
        const std::size_t index = items_.size() - 1;
        output_item& item = items_.back();
        item.status = status;
        switch (item.k) {
            case output_item::kind::reasoning:
                emit({{"type", "response.reasoning_summary_text.done"},
                      {"item_id", item.id},
                      {"output_index", index},
                      {"summary_index", 0},
                      {"text", item.text}});
                emit({{"type", "response.reasoning_summary_part.done"},
                      {"item_id", item.id},
                      {"output_index", index},
                      {"summary_index", 0},
                      {"part", {{"type", "summary_text"}, {"text", item.text}}}});
                break;
            case output_item::kind::message:
                emit({{"type", "response.output_text.done"},
                      {"item_id", item.id},
                      {"output_index", index},
                      {"content_index", 0},
                      {"text", item.text},
                      {"logprobs", json::array()}});
                emit({{"type", "response.content_part.done"},
                      {"item_id", item.id},
                      {"output_index", index},
                      {"content_index", 0},
                      {"part", text_part(item.text)}});
                break;
            case output_item::kind::function_call:
                emit({{"type", "response.function_call_arguments.done"},
                      {"item_id", item.id},
                      {"output_index", index},
                      {"name", item.name},
                      {"arguments", item.text}});
                break;
        }
        emit({{"type", "response.output_item.done"},
              {"output_index", index},
              {"item", item_json(item)}});
    }

    static json text_part(const std::string& text) {
        return {{"type", "output_text"},
                {"text", text},
                {"annotations", json::array()},
                {"logprobs", json::array()}};
    }

    /// The item as `output_item.added` / `.done` and the final response show it.
    static json item_json(const output_item& item) {
        const bool done = item.status != "in_progress";
        switch (item.k) {
            case output_item::kind::reasoning: {
                json summary = json::array();
                if (done) {
                    summary.push_back({{"type", "summary_text"}, {"text", item.text}});
                }
                return {{"type", "reasoning"}, {"id", item.id}, {"summary", std::move(summary)}};
            }
            case output_item::kind::message: {
                json content = json::array();
                if (done) {
                    content.push_back(text_part(item.text));
                }
                return {{"type", "message"},
                        {"id", item.id},
                        {"status", item.status},
                        {"role", "assistant"},
                        {"content", std::move(content)}};
            }
            case output_item::kind::function_call:
                break;
        }
        return {{"type", "function_call"}, {"id", item.id},     {"status", item.status},
                {"call_id", item.call_id}, {"name", item.name}, {"arguments", item.text}};
    }

    /// The chat stream ended cleanly: close the open item and send the final response.
    void finish() {
        if (!started_) {
            start(json::object());
        }
        const auto incomplete = incomplete_reason(finish_reason_);
        const char* status = incomplete ? "incomplete" : "completed";
        if (items_.empty()) {
            open_item(output_item::kind::message);  // an empty answer is an empty message
        }
        close_open(status);
        json output = json::array();
        for (const auto& item : items_) {
            output.push_back(item_json(item));
        }
        json response = response_;
        finish_envelope(response, incomplete, std::move(output), map_usage(usage_));
        const char* type = incomplete ? "response.incomplete" : "response.completed";
        emit({{"type", type}, {"response", std::move(response)}});
    }

    void emit(json ev) {
        ev["sequence_number"] = seq_++;
        sse::event out;
        out.event = ev["type"].get<std::string>();
        out.data = ev.dump();
        pending_.push_back(std::move(out));
    }

    std::unique_ptr<event_stream> chat_;
    json request_;
    std::deque<sse::event> pending_;
    std::int64_t seq_ = 0;
    bool started_ = false;
    bool finished_ = false;
    bool open_ = false;  // items_.back() is still receiving deltas
    std::string base_;
    json response_;                                   // the in_progress envelope
    std::vector<output_item> items_;                  // position == output_index
    std::map<std::int64_t, std::size_t> tool_items_;  // chat tool call index → position
    std::string finish_reason_;
    json usage_;
};

}  // namespace

std::unique_ptr<event_stream> chat_stream_to_responses(std::unique_ptr<event_stream> chat_stream,
                                                       nlohmann::json responses_request) {
    return std::make_unique<responses_event_stream>(std::move(chat_stream),
                                                    std::move(responses_request));
}

}  // namespace hadrian::providers
