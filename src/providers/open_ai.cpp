#include "open_ai.hpp"

#include "hadrian/core/log.hpp"
#include "hadrian/providers/chat_summary.hpp"
#include "provider_common.hpp"
#include "sse_passthrough.hpp"
#include "upstream_errors.hpp"

namespace hadrian::providers {

namespace {

constexpr std::string_view default_base_url = "https://api.openai.com/v1";
constexpr std::string_view default_azure_api_version = "2024-10-21";

std::string default_base(const config::provider_config& cfg) {
    if (!cfg.base_url.empty()) {
        return cfg.base_url;
    }
    if (cfg.type == config::provider_type::azure_open_ai) {
        return "https://" + cfg.resource_name + ".openai.azure.com/openai";
    }
    return std::string(default_base_url);
}

std::string_view path_of(operation op) {
    switch (op) {
        case operation::chat_completions:
            return "/chat/completions";
        case operation::responses:
            return "/responses";
        case operation::embeddings:
            return "/embeddings";
    }
    return "/chat/completions";
}

std::optional<nlohmann::json> full_body(std::string_view text) {
    auto body = nlohmann::json::parse(text, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return std::nullopt;
    }
    return body;
}

}  // namespace

open_ai::open_ai(const config::provider_config& cfg, upstream::client& client,
                 std::chrono::seconds stream_idle_timeout)
    : cfg_(cfg), client_(client), stream_idle_timeout_(stream_idle_timeout) {
    auto parsed = upstream::url::parse(default_base(cfg));
    if (!parsed) {
        throw std::runtime_error("providers." + cfg.name + ".base_url: not an http(s) URL");
    }
    base_ = std::move(*parsed);
    while (base_.target.size() > 1 && base_.target.back() == '/') {
        base_.target.pop_back();
    }
    if (base_.target == "/") {
        base_.target.clear();
    }
    if (!azure()) {
        // Azure's targets name the model's deployment; every other head is one of these.
        for (const operation op :
             {operation::chat_completions, operation::responses, operation::embeddings}) {
            for (const bool stream : {false, true}) {
                call c;
                c.op = op;
                c.stream = stream;
                heads_[head_index(op, stream)] = std::make_shared<const upstream::prepared_head>(
                    upstream::prepare_head(build_request(c, std::string{})));
            }
        }
    }
}

std::string open_ai::target_of(const call& c) const {
    if (!azure()) {
        return base_.target + std::string(path_of(c.op));
    }
    // Azure: chat and embeddings address a deployment (the model name, or its mapping in
    // `deployments`), encoded as one path segment; Responses use the v1 API, model in the body.
    if (c.op == operation::responses) {
        return base_.target + "/v1/responses";
    }
    auto d = cfg_.deployments.find(c.model);
    const std::string& deployment = d == cfg_.deployments.end() ? c.model : d->second;
    const std::string& version =
        cfg_.api_version.empty() ? std::string(default_azure_api_version) : cfg_.api_version;
    return base_.target + "/deployments/" + upstream::encode_path_segment(deployment) +
           std::string(path_of(c.op)) + "?api-version=" + upstream::encode_query_value(version);
}

upstream::request open_ai::build_request(const call& c, std::string body) const {
    upstream::request req;
    if (const auto& head = heads_[head_index(c.op, c.stream)]) {
        req.prepared = head;
    } else {
        req.method = http::verb::post;
        req.target = base_;
        req.target.target = target_of(c);
        req.headers.emplace_back("Content-Type", "application/json");
        req.headers.emplace_back("Accept", c.stream ? "text/event-stream" : "application/json");
        add_auth_headers(req);
    }
    req.body = std::move(body);
    req.limits = request_timeouts(cfg_, c.stream, stream_idle_timeout_);
    req.stream = c.stream;
    return req;
}

void open_ai::add_auth_headers(upstream::request& req) const {
    if (!cfg_.api_key.empty()) {
        if (azure()) {
            req.headers.emplace_back("api-key", cfg_.api_key);
        } else {
            req.headers.emplace_back("Authorization", "Bearer " + cfg_.api_key);
        }
    }
    if (!cfg_.organization.empty()) {
        req.headers.emplace_back("OpenAI-Organization", cfg_.organization);
    }
    for (const auto& [k, v] : cfg_.headers) {
        req.headers.emplace_back(k, v);
    }
}

upstream::request open_ai::request_of(call& c) const {
    // A body passed through as text never holds `top_k` (api::prepare_request).
    std::string text;
    if (!c.text) {
        // OpenAI rejects `top_k`; OpenAI-compatible servers that take it get it through a
        // provider-specific adapter.
        c.body.erase("top_k");
        text = c.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    upstream::request req = build_request(c, std::move(text));
    req.spliced = std::move(c.text);
    return req;
}

namespace {

/// A whole answer of status `status` from its body as read.
result<reply, core::api_error> whole_reply(operation op, int status,
                                           result<std::string, upstream::failure> read) {
    if (!read) {
        return from_transport(read.error());
    }
    const auto invalid = [] {
        return core::api_error::make(core::errc::provider_error,
                                     "Upstream provider returned error: invalid JSON body");
    };
    reply out;
    out.status = status;
    if (op == operation::chat_completions) {
        out.figures = chat_summary(*read);
        if (!out.figures) {
            return invalid();
        }
    } else {
        auto parsed = full_body(*read);
        if (!parsed) {
            return invalid();
        }
        out.body = std::move(*parsed);
    }
    out.raw = std::move(*read);
    return out;
}

/// The answer to a streaming call that came as something else (its body read and dropped).
awaitable<core::api_error> not_a_stream(std::unique_ptr<upstream::response> res) {
    const std::string type(res->headers()[http::field::content_type]);
    auto ignored = co_await res->read_all();
    co_return core::api_error::make(core::errc::provider_error,
                                    "Upstream provider returned error: expected an event "
                                    "stream, got '" +
                                        type + "'");
}

}  // namespace

awaitable<result<reply, core::api_error>> open_ai::send(call c) {
    // Only what crosses a wait is a local here: the rest is done in plain functions, whose
    // locals live on the thread's stack rather than in this per-request frame.
    auto sent = co_await client_.send(request_of(c), c.abort);
    if (!sent) {
        co_return from_transport(sent.error());
    }
    std::unique_ptr<upstream::response> res = std::move(*sent);
    if (res->status() >= 400) {
        co_return co_await http_failure(*res, &from_http_error);
    }
    if (c.stream) {
        if (res->headers()[http::field::content_type].find("text/event-stream") ==
            std::string_view::npos) {
            co_return co_await not_a_stream(std::move(res));
        }
        reply out;
        out.status = res->status();
        out.events = std::make_unique<sse_passthrough>(std::move(res), c.op);
        co_return out;
    }
    // An answer in hand is read without a coroutine frame.
    auto read = res->read_all_now();
    if (!read) {
        read = co_await res->read_all();
    }
    co_return whole_reply(c.op, res->status(), std::move(*read));
}

std::vector<std::string> open_ai::models() const { return configured_models(cfg_); }

awaitable<result<std::vector<std::string>, core::api_error>> open_ai::list_models(
    core::abort_signal* abort) {
    auto req = json_get_request(base_, base_.target + "/models", cfg_, stream_idle_timeout_);
    add_auth_headers(req);
    co_return co_await fetch_model_ids(client_, std::move(req), abort, &from_http_error, "data",
                                       "id");
}

}  // namespace hadrian::providers
