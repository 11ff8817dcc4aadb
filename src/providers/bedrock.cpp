#include "bedrock.hpp"

#include <algorithm>
#include <cstdlib>

#include "aws_eventstream.hpp"
#include "bedrock_translate.hpp"
#include "hadrian/core/uuid.hpp"
#include "provider_common.hpp"
#include "upstream_errors.hpp"

namespace hadrian::providers {

namespace {

constexpr std::string_view service = "bedrock";

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? std::string(v) : std::string();
}

/// ConverseStream's binary event stream as a Chat Completions chunk stream. A clean end is the
/// end of the body after messageStop; a body that ends before it, mid-message, or carries an
/// exception is an error, so a truncated stream never looks complete.
/// Thread safety: none; used from the request's strand only.
class bedrock_stream final : public event_stream {
public:
    bedrock_stream(std::unique_ptr<upstream::response> res, converse::stream_translator t)
        : res_(std::move(res)), translator_(std::move(t)) {}

    bool next_in_hand() const noexcept override {
        return next_pending_ < pending_.size() || body_ended_;
    }

    awaitable<result<std::optional<sse::event>, core::api_error>> next() override {
        for (;;) {
            if (next_pending_ < pending_.size()) {
                sse::event ev;
                ev.data = pending_[next_pending_++].dump(-1, ' ', false,
                                                         nlohmann::json::error_handler_t::replace);
                co_return std::optional<sse::event>(std::move(ev));
            }
            pending_.clear();
            next_pending_ = 0;
            if (body_ended_) {
                if (decoder_.has_partial_message() || !translator_.complete()) {
                    co_return core::api_error::make(
                        core::errc::provider_error,
                        "Upstream provider returned error: stream ended before completion");
                }
                co_return std::nullopt;
            }
            auto piece = co_await res_->read_some();
            if (!piece) {
                co_return from_transport(piece.error());
            }
            if (piece->empty()) {
                body_ended_ = true;
                continue;
            }
            messages_.clear();
            if (!decoder_.feed(*piece, messages_)) {
                co_return core::api_error::make(
                    core::errc::provider_error,
                    "Upstream provider returned error: " + decoder_.error());
            }
            for (const auto& m : messages_) {
                auto translated = translator_.on_message(m, pending_);
                if (!translated) {
                    co_return translated.error();
                }
            }
        }
    }

private:
    std::unique_ptr<upstream::response> res_;
    aws_eventstream::decoder decoder_;
    converse::stream_translator translator_;
    std::vector<aws_eventstream::message> messages_;
    std::vector<nlohmann::json> pending_;
    std::size_t next_pending_ = 0;
    bool body_ended_ = false;
};

}  // namespace

bedrock::bedrock(const config::provider_config& cfg, upstream::client& client,
                 std::chrono::seconds stream_idle_timeout)
    : translated_provider(cfg), client_(client), stream_idle_timeout_(stream_idle_timeout) {
    const std::string base = cfg.base_url.empty()
                                 ? "https://bedrock-runtime." + cfg.region + ".amazonaws.com"
                                 : cfg.base_url;
    auto parsed = upstream::url::parse(base);
    if (!parsed || parsed->target.find('?') != std::string::npos) {
        throw std::runtime_error("providers." + cfg.name +
                                 ".base_url: not an http(s) URL without a query");
    }
    base_ = std::move(*parsed);
    while (!base_.target.empty() && base_.target.back() == '/') {
        base_.target.pop_back();
    }
    if (cfg.credentials && cfg.credentials->type == "static") {
        credentials_.access_key_id = cfg.credentials->access_key_id;
        credentials_.secret_access_key = cfg.credentials->secret_access_key;
        credentials_.session_token = cfg.credentials->session_token;
    } else {
        credentials_.access_key_id = env_or_empty("AWS_ACCESS_KEY_ID");
        credentials_.secret_access_key = env_or_empty("AWS_SECRET_ACCESS_KEY");
        credentials_.session_token = env_or_empty("AWS_SESSION_TOKEN");
        if (credentials_.access_key_id.empty() || credentials_.secret_access_key.empty()) {
            throw std::runtime_error("providers." + cfg.name +
                                     ".credentials: type = \"env\" needs AWS_ACCESS_KEY_ID and "
                                     "AWS_SECRET_ACCESS_KEY in the environment");
        }
    }
}

upstream::request bedrock::build_request(const std::string& model, bool stream, std::string body,
                                         std::chrono::system_clock::time_point now) const {
    upstream::request req;
    req.method = http::verb::post;
    req.target = base_;
    req.target.target = base_.target + "/model/" + converse::model_segment(model) +
                        (stream ? "/converse-stream" : "/converse");
    const std::string host = req.target.host_header();

    sigv4::request to_sign;
    to_sign.method = "POST";
    to_sign.path = req.target.target;
    to_sign.payload = body;
    to_sign.headers.emplace_back("Content-Type", "application/json");
    to_sign.headers.emplace_back("Host", host);
    const std::string authorization =
        sigv4::sign(to_sign, credentials_, cfg_.region, service, sigv4::amz_date(now));
    req.headers = std::move(to_sign.headers);
    req.headers.emplace_back("Authorization", authorization);
    req.headers.emplace_back("Accept",
                             stream ? "application/vnd.amazon.eventstream" : "application/json");
    for (const auto& [k, v] : cfg_.headers) {
        req.headers.emplace_back(k, v);
    }
    req.body = std::move(body);
    req.limits = request_timeouts(cfg_, stream, stream_idle_timeout_);
    req.stream = stream;
    return req;
}

awaitable<result<reply, core::api_error>> bedrock::send_chat(call c) {
    auto body = converse::to_request(c.body, c.model);
    if (!body) {
        co_return body.error();
    }
    upstream::request req = build_request(
        c.model, c.stream, body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
        std::chrono::system_clock::now());
    auto sent = co_await client_.send(std::move(req), c.abort);
    if (!sent) {
        co_return from_transport(sent.error());
    }
    std::unique_ptr<upstream::response> res = std::move(*sent);
    const int status = res->status();
    if (status >= 400) {
        auto failed = co_await http_failure(*res, &converse::to_api_error);
        co_return failed;
    }
    reply out;
    out.status = status;
    if (c.stream) {
        converse::stream_translator translator(new_completion_id(), c.model, now_secs());
        out.events = std::make_unique<bedrock_stream>(std::move(res), std::move(translator));
        co_return out;
    }
    auto parsed = co_await read_json_object(*res);
    if (!parsed) {
        co_return parsed.error();
    }
    out.body = converse::to_chat_completion(*parsed, new_completion_id(), c.model, now_secs());
    out.raw = out.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    co_return out;
}

}  // namespace hadrian::providers
