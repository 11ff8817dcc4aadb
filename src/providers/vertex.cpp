#include "vertex.hpp"

#include <algorithm>

#include "hadrian/core/uuid.hpp"
#include "provider_common.hpp"
#include "upstream_errors.hpp"
#include "vertex_stream.hpp"
#include "vertex_translate.hpp"

namespace hadrian::providers {

namespace {

constexpr std::string_view gemini_api_base =
    "https://generativelanguage.googleapis.com/v1beta/models";

std::string default_base_url(const config::provider_config& cfg) {
    if (!cfg.api_key.empty() || cfg.project.empty() || cfg.region.empty()) {
        return std::string(gemini_api_base);
    }
    return "https://" + cfg.region + "-aiplatform.googleapis.com/v1/projects/" + cfg.project +
           "/locations/" + cfg.region + "/publishers/google/models";
}

}  // namespace

vertex::vertex(const config::provider_config& cfg, upstream::client& client,
               std::chrono::seconds stream_idle_timeout)
    : translated_provider(cfg), client_(client), stream_idle_timeout_(stream_idle_timeout) {
    const std::string base = cfg.base_url.empty() ? default_base_url(cfg) : cfg.base_url;
    auto parsed = upstream::url::parse(base);
    if (!parsed) {
        throw std::runtime_error("providers." + cfg.name + ".base_url: not an http(s) URL");
    }
    base_ = std::move(*parsed);
    if (const auto q = base_.target.find('?'); q != std::string::npos) {
        query_ = base_.target.substr(q + 1);
        base_.target.erase(q);
    }
    while (!base_.target.empty() && base_.target.back() == '/') {
        base_.target.pop_back();
    }
    if (cfg.api_key.empty() && cfg.credentials && cfg.credentials->type == "service_account") {
        try {
            auth_ = std::make_unique<google_auth>(cfg.credentials->key_path);
        } catch (const std::exception& e) {
            throw std::runtime_error("providers." + cfg.name + ".credentials: " + e.what());
        }
    }
}

upstream::request vertex::build_request(const call& c, std::string body) const {
    upstream::request req;
    req.method = http::verb::post;
    req.target = base_;
    std::string target = base_.target + "/" + gemini::model_segment(c.model);
    target += c.stream ? ":streamGenerateContent?alt=sse" : ":generateContent";
    if (!query_.empty()) {
        target += (c.stream ? "&" : "?") + query_;
    }
    req.target.target = std::move(target);
    req.headers.emplace_back("Content-Type", "application/json");
    req.headers.emplace_back("Accept", c.stream ? "text/event-stream" : "application/json");
    if (!cfg_.api_key.empty()) {
        req.headers.emplace_back("x-goog-api-key", cfg_.api_key);
    }
    for (const auto& [k, v] : cfg_.headers) {
        req.headers.emplace_back(k, v);
    }
    req.body = std::move(body);
    req.limits = request_timeouts(cfg_, c.stream, stream_idle_timeout_);
    req.stream = c.stream;
    return req;
}

awaitable<result<std::vector<std::string>, core::api_error>> vertex::list_models(
    core::abort_signal* abort) {
    auto req = json_get_request(
        base_, base_.target + "?pageSize=1000" + (query_.empty() ? "" : "&" + query_), cfg_,
        stream_idle_timeout_);
    req.headers.emplace_back("x-goog-api-key", cfg_.api_key);
    for (const auto& [k, v] : cfg_.headers) {
        req.headers.emplace_back(k, v);
    }
    co_return co_await fetch_model_ids(client_, std::move(req), abort, &gemini::to_api_error,
                                       "models", "name", "models/");
}

awaitable<result<reply, core::api_error>> vertex::send_chat(call c) {
    auto body = gemini::to_request(c.body);
    if (!body) {
        co_return body.error();
    }
    upstream::request req =
        build_request(c, body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (auth_) {
        auto token = co_await auth_->token(client_, c.abort);
        if (!token) {
            co_return token.error();
        }
        req.headers.emplace_back("Authorization", "Bearer " + *token);
    }
    auto sent = co_await client_.send(std::move(req), c.abort);
    if (!sent) {
        co_return from_transport(sent.error());
    }
    std::unique_ptr<upstream::response> res = std::move(*sent);
    const int status = res->status();
    if (status >= 400) {
        auto failed = co_await http_failure(*res, &gemini::to_api_error);
        co_return failed;
    }
    reply out;
    out.status = status;
    if (c.stream) {
        auto ct = res->headers()[http::field::content_type];
        if (ct.find("text/event-stream") == std::string_view::npos) {
            co_return core::api_error::make(
                core::errc::provider_error,
                "Upstream provider returned error: expected an event stream, got '" +
                    std::string(ct) + "'");
        }
        gemini::stream_decoder decoder(new_completion_id(), c.model, now_secs());
        out.events = std::make_unique<vertex_stream>(std::move(res), std::move(decoder));
        co_return out;
    }
    auto read = co_await read_json_object(*res);
    if (!read) {
        co_return read.error();
    }
    const nlohmann::json& parsed = *read;
    std::string id = new_completion_id();
    if (auto rid = parsed.find("responseId"); rid != parsed.end() && rid->is_string()) {
        id = "chatcmpl-" + rid->get<std::string>();
    }
    out.body = gemini::to_chat_completion(parsed, id, c.model, now_secs());
    out.raw = out.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    co_return out;
}

}  // namespace hadrian::providers
