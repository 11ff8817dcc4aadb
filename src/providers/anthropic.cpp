#include "anthropic.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "anthropic_stream.hpp"
#include "anthropic_text.hpp"
#include "anthropic_translate.hpp"
#include "provider_common.hpp"
#include "translate_common.hpp"
#include "upstream_errors.hpp"

namespace hadrian::providers {

namespace {

constexpr std::string_view default_base_url = "https://api.anthropic.com";
constexpr std::string_view api_version = "2023-06-01";

}  // namespace

anthropic::anthropic(const config::provider_config& cfg, upstream::client& client,
                     std::chrono::seconds stream_idle_timeout)
    : translated_provider(cfg), client_(client), stream_idle_timeout_(stream_idle_timeout) {
    const std::string_view base = cfg.base_url.empty() ? default_base_url : cfg.base_url;
    auto parsed = upstream::url::parse(base);
    if (!parsed) {
        throw std::runtime_error("providers." + cfg.name + ".base_url: not an http(s) URL");
    }
    base_ = std::move(*parsed);
    while (!base_.target.empty() && base_.target.back() == '/') {
        base_.target.pop_back();
    }
    for (const bool stream : {false, true}) {
        heads_[stream ? 1 : 0] = std::make_shared<const upstream::prepared_head>(
            upstream::prepare_head(build_request(std::string{}, stream)));
    }
}

upstream::request anthropic::build_request(std::string body, bool stream) const {
    upstream::request req;
    if (const auto& head = heads_[stream ? 1 : 0]) {
        req.prepared = head;
    } else {
        req.method = http::verb::post;
        req.target = base_;
        req.target.target = base_.target + "/v1/messages";
        req.headers.emplace_back("content-type", "application/json");
        req.headers.emplace_back("accept", stream ? "text/event-stream" : "application/json");
        add_headers(req);
    }
    req.body = std::move(body);
    req.limits = request_timeouts(cfg_, stream, stream_idle_timeout_);
    req.stream = stream;
    return req;
}

void anthropic::add_headers(upstream::request& req) const {
    req.headers.emplace_back("anthropic-version", std::string(api_version));
    if (!cfg_.api_key.empty()) {
        req.headers.emplace_back("x-api-key", cfg_.api_key);
    }
    for (const auto& [k, v] : cfg_.headers) {
        req.headers.emplace_back(k, v);
    }
}

awaitable<result<std::vector<std::string>, core::api_error>> anthropic::list_models(
    core::abort_signal* abort) {
    auto req =
        json_get_request(base_, base_.target + "/v1/models?limit=1000", cfg_, stream_idle_timeout_);
    add_headers(req);
    co_return co_await fetch_model_ids(client_, std::move(req), abort, &anthropic_error, "data",
                                       "id");
}

awaitable<result<reply, core::api_error>> anthropic::send_chat(call c) {
    std::optional<std::string> written;
    if (c.text) {
        // Written from the client's text (its model is not read) when its shape allows;
        // otherwise parsed as the gateway would have passed it, and translated.
        written =
            anthropic_request_text(c.text->source, c.model, cfg_.default_max_tokens, c.stream);
        if (!written) {
            c.body = nlohmann::json::parse(c.text->source, nullptr, false);
            if (!c.body.is_object()) {
                co_return invalid("The request body is not a JSON object", "body");
            }
            c.body["model"] = c.model;
        }
    }
    if (!written) {
        auto body = anthropic_request(c.body, c.model, cfg_.default_max_tokens);
        if (!body) {
            co_return body.error();
        }
        if (c.stream) {
            (*body)["stream"] = true;
        } else {
            body->erase("stream");
        }
        written = body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    upstream::request req = build_request(std::move(*written), c.stream);
    auto sent = co_await client_.send(std::move(req), c.abort);
    if (!sent) {
        co_return from_transport(sent.error());
    }
    std::unique_ptr<upstream::response> res = std::move(*sent);
    const int status = res->status();
    if (status >= 400) {
        auto failed = co_await http_failure(*res, &anthropic_error);
        co_return failed;
    }
    reply out;
    out.status = status;
    if (c.stream) {
        auto ct = res->headers()[http::field::content_type];
        if (ct.find("text/event-stream") == std::string_view::npos) {
            const std::string got(ct);
            auto ignored = co_await res->read_all();
            co_return core::api_error::make(
                core::errc::provider_error,
                "Upstream provider returned error: expected an event stream, got '" + got + "'");
        }
        out.events = std::make_unique<anthropic_event_stream>(std::move(res), c.model);
        co_return out;
    }
    // An answer in hand is read without a coroutine frame.
    auto read = res->read_all_now();
    if (!read) {
        auto rest = co_await res->read_all();
        read = std::move(rest);
    }
    auto& text = *read;
    if (!text) {
        co_return from_transport(text.error());
    }
    if (!c.wants_body) {
        // Written as text from a scan: no document built on either side.
        const std::int64_t created = std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count();
        if (auto written = anthropic_chat_text(*text, c.model, created)) {
            out.raw = std::move(written->text);
            out.figures = std::move(written->figures);
            co_return out;
        }
    }
    auto message = json_object_of(*text);
    if (!message) {
        co_return message.error();
    }
    out.body = anthropic_to_chat(*message, c.model);
    out.raw = out.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    co_return out;
}

}  // namespace hadrian::providers
