// Parsing and validating a client's request body, and splitting off the gateway's own fields.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hadrian/api/context.hpp"
#include "hadrian/core/asio.hpp"
#include "hadrian/core/error.hpp"
#include "hadrian/core/json_scan.hpp"
#include "hadrian/providers/provider.hpp"

namespace hadrian::api {

struct prepared_request {
    nlohmann::json body;              // what goes upstream (extensions removed); see text_only
    std::string model;                // `model`, may be empty when `models` is given
    std::vector<std::string> models;  // the `models` extension
    bool stream = false;
    bool client_wants_usage = false;  // stream_options.include_usage as the client sent it
    nlohmann::json provider_prefs;    // the `provider` extension object (null when absent)
    /// Set when the raw text may go upstream as the client wrote it but for the value of
    /// `model`: where that value lies in the text given to prepare_request.
    std::optional<core::json_span> raw_model;
    /// A stream without `stream_options`: its text goes upstream with the member
    /// `"stream_options":{"include_usage":true}` added after `model` (the gateway always
    /// learns the token counts), its document with the same option.
    bool add_usage_option = false;
    /// The text was checked but not parsed (`body` is null): it is valid JSON that goes
    /// upstream as written but for the model, so `body` is the text parsed, when a provider
    /// that does not take text needs it.
    bool text_only = false;
    /// The first positive integer of `max_completion_tokens`, `max_tokens` and
    /// `max_output_tokens`, in that order: what the answer may hold at most. 0 when none.
    std::int64_t output_bound = 0;
};

/// Parse without throwing, validate the fields the gateway relies on, and remove the Hadrian
/// extensions (`models`, `provider`, `plugins`). Errors: invalid_json, validation_error with
/// `param` naming the field.
///
/// A chat completion passes through as text (raw_model set) when nothing but the model needs
/// rewriting: no extension and no `top_k` (removed for upstreams), no repeated top-level
/// member (the parsed body keeps one), a `model` member, and for a stream,
/// `stream_options.include_usage: true` already or no `stream_options` (then added: see
/// add_usage_option). Such a body
/// is checked in one scan, without building a document (text_only), when its members are
/// plainly well-formed; anything unusual (an error among them) takes the parsing path.
result<prepared_request, core::api_error> prepare_request(providers::operation op,
                                                          std::string_view raw);

/// prepare_request's outcome for a request, kept in its context.
struct prepared_memo {
    providers::operation op;
    result<prepared_request, core::api_error> outcome;
};

/// prepare_request(op) on the request's body, run once per request: later calls for the same
/// operation return the first outcome.
const result<prepared_request, core::api_error>& prepared_for(request_context& ctx,
                                                              providers::operation op);

/// The outcome of prepared_for(ctx, op), moved out of the context (the handler's, at last).
result<prepared_request, core::api_error> take_prepared(request_context& ctx,
                                                        providers::operation op);

}  // namespace hadrian::api
