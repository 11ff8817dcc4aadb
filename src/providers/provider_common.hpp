// Pieces every upstream adapter shares.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hadrian/config/config.hpp"
#include "hadrian/core/error.hpp"
#include "hadrian/upstream/client.hpp"
#include "upstream_errors.hpp"

namespace hadrian::providers {

/// `chatcmpl-` and 32 random hex digits: the id of a chat completion the gateway builds.
std::string new_completion_id();

/// Unix time in seconds (`created` fields).
std::int64_t now_secs();

/// Models a provider advertises from its configuration: priced models, exact allowed models
/// and aliases, sorted and unique.
std::vector<std::string> configured_models(const config::provider_config& cfg);

/// The four upstream deadlines of one call: connect from the provider, first byte and total
/// from its timeout_secs, and between stream reads the server's streaming idle timeout.
upstream::timeouts request_timeouts(const config::provider_config& cfg, bool stream,
                                    std::chrono::seconds stream_idle_timeout);

/// The whole body of `res` parsed as a JSON object; a transport failure is 502 provider_error,
/// and so is a body that is not a JSON object ("invalid JSON body").
awaitable<result<nlohmann::json, core::api_error>> read_json_object(upstream::response& res);

/// An answer's body `text` parsed as a JSON object; 502 provider_error when it is not one, as
/// read_json_object.
result<nlohmann::json, core::api_error> json_object_of(std::string_view text);

/// A GET of `target` on the origin of `base` expecting JSON, with the provider's deadlines
/// (headers that authenticate are the caller's to add).
upstream::request json_get_request(const upstream::url& base, std::string target,
                                   const config::provider_config& cfg,
                                   std::chrono::seconds stream_idle_timeout);

/// GET a model listing and collect the ids: `array_key` names the array of the body
/// (`data`, `models`), `id_key` the id field of its elements (`id`, `name`); `strip_prefix`
/// is removed from ids that start with it (`models/`). At most 10,000 ids are kept.
awaitable<result<std::vector<std::string>, core::api_error>> fetch_model_ids(
    upstream::client& client, upstream::request req, core::abort_signal* abort,
    http_error_mapper map_error, std::string_view array_key, std::string_view id_key,
    std::string_view strip_prefix = {});

}  // namespace hadrian::providers
