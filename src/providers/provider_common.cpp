#include "provider_common.hpp"

#include <algorithm>
#include <chrono>

#include "hadrian/core/uuid.hpp"
#include "hadrian/providers/provider.hpp"

namespace hadrian::providers {

std::string new_completion_id() {
    std::string id = core::new_uuid();
    std::erase(id, '-');
    return "chatcmpl-" + id;
}

std::int64_t now_secs() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::vector<std::string> configured_models(const config::provider_config& cfg) {
    std::vector<std::string> out;
    for (const auto& [m, _] : cfg.models) {
        out.push_back(m);
    }
    for (const auto& m : cfg.allowed_models) {
        if (!m.empty() && m.back() != '*') {
            out.push_back(m);
        }
    }
    for (const auto& [alias, _] : cfg.model_aliases) {
        out.push_back(alias);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

upstream::timeouts request_timeouts(const config::provider_config& cfg, bool stream,
                                    std::chrono::seconds stream_idle_timeout) {
    using std::chrono::milliseconds;
    const auto total =
        std::chrono::duration_cast<milliseconds>(std::chrono::seconds(cfg.timeout_secs));
    upstream::timeouts t;
    t.connect = std::chrono::seconds(cfg.connect_timeout_secs);
    t.first_byte = total;
    t.idle = stream ? std::chrono::duration_cast<milliseconds>(stream_idle_timeout) : total;
    t.total = total;
    return t;
}

}  // namespace hadrian::providers

namespace hadrian::providers {

awaitable<result<std::vector<std::string>, core::api_error>> provider::list_models(
    core::abort_signal*) {
    co_return core::api_error::make(core::errc::not_supported,
                                    "Provider '" + name() + "' has no model listing");
}

awaitable<result<nlohmann::json, core::api_error>> read_json_object(upstream::response& res) {
    auto text = co_await res.read_all();
    if (!text) {
        co_return from_transport(text.error());
    }
    co_return json_object_of(*text);
}

result<nlohmann::json, core::api_error> json_object_of(std::string_view text) {
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        return core::api_error::make(core::errc::provider_error,
                                     "Upstream provider returned error: invalid JSON body");
    }
    return result<nlohmann::json, core::api_error>(boost::system::in_place_value,
                                                   std::move(parsed));
}

upstream::request json_get_request(const upstream::url& base, std::string target,
                                   const config::provider_config& cfg,
                                   std::chrono::seconds stream_idle_timeout) {
    upstream::request req;
    req.method = http::verb::get;
    req.target = base;
    req.target.target = std::move(target);
    req.headers.emplace_back("Accept", "application/json");
    req.limits = request_timeouts(cfg, false, stream_idle_timeout);
    return req;
}

awaitable<result<std::vector<std::string>, core::api_error>> fetch_model_ids(
    upstream::client& client, upstream::request req, core::abort_signal* abort,
    http_error_mapper map_error, std::string_view array_key, std::string_view id_key,
    std::string_view strip_prefix) {
    constexpr std::size_t max_ids = 10'000;
    auto sent = co_await client.send(std::move(req), abort);
    if (!sent) {
        co_return from_transport(sent.error());
    }
    if ((*sent)->status() >= 400) {
        auto failed = co_await http_failure(**sent, map_error);
        co_return failed;
    }
    auto text = co_await (*sent)->read_all();
    if (!text) {
        co_return from_transport(text.error());
    }
    const auto body = nlohmann::json::parse(*text, nullptr, false);
    const auto list = body.is_object() ? body.find(array_key) : body.end();
    if (body.is_discarded() || list == body.end() || !list->is_array()) {
        co_return core::api_error::make(core::errc::provider_error,
                                        "Upstream provider returned error: the model list has "
                                        "no '" +
                                            std::string(array_key) + "' array");
    }
    std::vector<std::string> ids;
    for (const auto& item : *list) {
        const auto id = item.is_object() ? item.find(id_key) : item.end();
        if (id == item.end() || !id->is_string()) {
            continue;
        }
        std::string_view v = id->get_ref<const std::string&>();
        if (!strip_prefix.empty() && v.substr(0, strip_prefix.size()) == strip_prefix) {
            v.remove_prefix(strip_prefix.size());
        }
        if (!v.empty()) {
            ids.emplace_back(v);
        }
        if (ids.size() == max_ids) {
            break;
        }
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    co_return ids;
}

}  // namespace hadrian::providers
