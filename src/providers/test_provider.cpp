#include "test_provider.hpp"

#include <atomic>

#include "hadrian/core/sleep.hpp"
#include "responses_bridge.hpp"
#include "test_shapes.hpp"

namespace hadrian::providers {

namespace {

using shapes_usage = test_shapes::usage;

std::string make_id(std::string_view prefix) {
    static std::atomic<std::uint64_t> counter{0};
    return std::string(prefix) + "test" + std::to_string(++counter);
}

core::api_error simulated_break() {
    return core::api_error::make(core::errc::provider_error,
                                 "Upstream provider returned error: connection reset (simulated)");
}

/// The scripted stream of one answer: chat chunks or Responses events.
class test_stream final : public event_stream {
public:
    test_stream(const config::test_provider_options& opts, operation op, std::string model,
                std::string text, shapes_usage u, core::abort_signal* abort)
        : opts_(opts),
          op_(op),
          model_(std::move(model)),
          text_(std::move(text)),
          usage_(u),
          abort_(abort),
          pieces_(test_shapes::split(text_, opts.chunk_count)),
          id_(make_id(op == operation::responses ? "resp_" : "chatcmpl-")) {
        build_script();
    }

    awaitable<result<std::optional<sse::event>, core::api_error>> next() override {
        if (pos_ >= script_.size()) {
            co_return std::nullopt;
        }
        step& s = script_[pos_++];
        if (s.content_index >= 0) {
            if (opts_.failure == config::test_failure::fail_after &&
                static_cast<std::uint32_t>(s.content_index) >= opts_.fail_after_chunks) {
                pos_ = script_.size();
                co_return simulated_break();
            }
            const bool ok =
                co_await core::sleep_for(std::chrono::milliseconds(opts_.chunk_delay_ms), abort_);
            if (!ok) {
                co_return core::api_error::make(core::errc::client_disconnected, "aborted");
            }
        }
        co_return std::optional<sse::event>(std::move(s.ev));
    }

private:
    struct step {
        sse::event ev;
        int content_index = -1;  // which text piece (delayed, may fail), -1 for framing
    };

    void add(nlohmann::json data, std::string type = {}, int content_index = -1) {
        if (op_ == operation::responses) {
            data["sequence_number"] = seq_++;
        }
        script_.push_back(step{sse::event{std::move(type), data.dump(), {}}, content_index});
    }

    void build_script() {
        if (op_ == operation::chat_completions) {
            add(test_shapes::chat_chunk(id_, model_, {{"role", "assistant"}, {"content", ""}},
                                        nullptr));
            for (std::size_t i = 0; i < pieces_.size(); ++i) {
                add(test_shapes::chat_chunk(id_, model_, {{"content", pieces_[i]}}, nullptr), {},
                    static_cast<int>(i));
            }
            add(test_shapes::chat_chunk(id_, model_, nlohmann::json::object(), "stop"));
            add(test_shapes::chat_usage_chunk(id_, model_, usage_));
            return;
        }
        const auto created =
            test_shapes::response_object(id_, model_, text_, usage_, "in_progress");
        const std::string item_id = "msg_" + id_.substr(5);
        add({{"type", "response.created"}, {"response", created}}, "response.created");
        add({{"type", "response.in_progress"}, {"response", created}}, "response.in_progress");
        nlohmann::json item = {{"id", item_id},
                               {"type", "message"},
                               {"status", "in_progress"},
                               {"role", "assistant"},
                               {"content", nlohmann::json::array()}};
        add({{"type", "response.output_item.added"}, {"output_index", 0}, {"item", item}},
            "response.output_item.added");
        nlohmann::json part = {
            {"type", "output_text"}, {"text", ""}, {"annotations", nlohmann::json::array()}};
        add({{"type", "response.content_part.added"},
             {"item_id", item_id},
             {"output_index", 0},
             {"content_index", 0},
             {"part", part}},
            "response.content_part.added");
        for (std::size_t i = 0; i < pieces_.size(); ++i) {
            add({{"type", "response.output_text.delta"},
                 {"item_id", item_id},
                 {"output_index", 0},
                 {"content_index", 0},
                 {"delta", pieces_[i]}},
                "response.output_text.delta", static_cast<int>(i));
        }
        add({{"type", "response.output_text.done"},
             {"item_id", item_id},
             {"output_index", 0},
             {"content_index", 0},
             {"text", text_}},
            "response.output_text.done");
        part["text"] = text_;
        add({{"type", "response.content_part.done"},
             {"item_id", item_id},
             {"output_index", 0},
             {"content_index", 0},
             {"part", part}},
            "response.content_part.done");
        const auto done = test_shapes::response_object(id_, model_, text_, usage_, "completed");
        add({{"type", "response.output_item.done"},
             {"output_index", 0},
             {"item", done["output"][0]}},
            "response.output_item.done");
        add({{"type", "response.completed"}, {"response", done}}, "response.completed");
    }

    const config::test_provider_options& opts_;
    operation op_;
    std::string model_;
    std::string text_;
    shapes_usage usage_;
    core::abort_signal* abort_;
    std::vector<std::string> pieces_;
    std::string id_;
    std::vector<step> script_;
    std::size_t pos_ = 0;
    int seq_ = 0;
};

}  // namespace

test_provider::test_provider(const config::provider_config& cfg) : cfg_(cfg) {}

std::vector<std::string> test_provider::models() const {
    std::vector<std::string> out{"test-model"};
    for (const auto& [m, _] : cfg_.models) {
        if (m != "test-model") {
            out.push_back(m);
        }
    }
    return out;
}

awaitable<result<reply, core::api_error>> test_provider::send(call c) {
    const auto& opts = cfg_.test;
    if (c.op == operation::responses) {
        if (auto unresolved = responses_detail::unresolved_previous_response(c.body)) {
            co_return std::move(*unresolved);
        }
    }
    switch (opts.failure) {
        case config::test_failure::http_error: {
            auto err = core::api_error::make(core::errc::provider_error,
                                             "Test provider simulated HTTP error");
            err.status = opts.failure_status;
            if (opts.failure_status < 500) {
                err.type = "invalid_request_error";
                err.code = opts.failure_status == 429 ? "rate_limit_exceeded" : "upstream_error";
            }
            if (opts.failure_status == 429) {
                err.type = "rate_limit_error";
                err.headers.emplace_back("Retry-After", "1");
            }
            co_return err;
        }
        case config::test_failure::connection_error:
            co_return core::api_error::make(
                core::errc::provider_error,
                "Upstream provider returned error: connection refused (simulated)");
        case config::test_failure::timeout: {
            co_await core::sleep_for(std::chrono::seconds(cfg_.timeout_secs), c.abort);
            co_return core::api_error::make(core::errc::provider_error,
                                            "Upstream provider returned error: request timed out");
        }
        case config::test_failure::fail_after:
            if (!c.stream) {
                co_return simulated_break();
            }
            break;
        case config::test_failure::none:
            break;
    }

    const std::string& text = opts.response_text;
    const shapes_usage u{test_shapes::count_tokens(test_shapes::prompt_text(c.body)),
                         test_shapes::count_tokens(text)};
    reply out;
    if (c.op == operation::embeddings) {
        auto input = c.body.find("input");
        out.body =
            test_shapes::embeddings(input != c.body.end() ? *input : nlohmann::json(), c.model);
    } else if (c.stream) {
        out.events = std::make_unique<test_stream>(opts, c.op, c.model, text, u, c.abort);
        co_return out;
    } else if (c.op == operation::responses) {
        out.body = test_shapes::response_object(make_id("resp_"), c.model, text, u, "completed");
    } else {
        out.body = test_shapes::chat_completion(make_id("chatcmpl-"), c.model, text, u);
    }
    if (opts.chunk_delay_ms > 0) {
        co_await core::sleep_for(std::chrono::milliseconds(opts.chunk_delay_ms), c.abort);
    }
    out.raw = out.body.dump();
    co_return out;
}

}  // namespace hadrian::providers
