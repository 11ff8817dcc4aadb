#include "payloads.hpp"

#include <cstdio>
#include <ctime>

namespace bench::upstream {

namespace {

const long created = static_cast<long>(std::time(nullptr));

constexpr std::string_view answer =
    "Hello! This answer comes from the benchmark's fake upstream. It is about as long as a "
    "short reply of a real model, so that the gateway parses and forwards a realistic body.";

constexpr std::string_view words[] = {" Hello", " from",   " the",   " fake",   " upstream",
                                      ",",      " one",    " more",  " word",   " of",
                                      " a",     " steady", " bench", " stream", "."};

std::size_t skip_space(std::string_view s, std::size_t i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) {
        ++i;
    }
    return i;
}

/// Position after `"key" :` at the top of a body (first occurrence), or npos.
std::size_t value_of(std::string_view body, std::string_view quoted_key) {
    const auto k = body.find(quoted_key);
    if (k == std::string_view::npos) {
        return k;
    }
    auto i = skip_space(body, k + quoted_key.size());
    if (i >= body.size() || body[i] != ':') {
        return std::string_view::npos;
    }
    return skip_space(body, i + 1);
}

std::string usage_json(unsigned completion) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "{\"prompt_tokens\":24,\"completion_tokens\":%u,\"total_tokens\":%u,"
                  "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                  "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0}}",
                  completion, completion + 24);
    return buf;
}

std::string chunk_prefix(std::string_view model) {
    std::string s = "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",";
    s += "\"created\":" + std::to_string(created) + ",\"model\":\"";
    s += model;
    s += "\",\"system_fingerprint\":\"fp_bench\",";
    return s;
}

}  // namespace

std::string model_of(std::string_view body, std::string_view fallback) {
    const auto i = value_of(body, "\"model\"");
    if (i == std::string_view::npos || i >= body.size() || body[i] != '"') {
        return std::string(fallback);
    }
    const auto end = body.find('"', i + 1);
    if (end == std::string_view::npos || end - i - 1 > 200) {
        return std::string(fallback);
    }
    const auto model = body.substr(i + 1, end - i - 1);
    if (model.find('\\') != std::string_view::npos) {
        return std::string(fallback);
    }
    return std::string(model);
}

bool wants_stream(std::string_view body) {
    const auto i = value_of(body, "\"stream\"");
    return i != std::string_view::npos && body.substr(i, 4) == "true";
}

std::string chat_completion(std::string_view model) {
    std::string s = "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":";
    s += std::to_string(created);
    s += ",\"model\":\"";
    s += model;
    s += "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"";
    s += answer;
    s += "\",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],";
    s += "\"usage\":" + usage_json(41);
    s += ",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_bench\"}";
    return s;
}

std::string models_list() {
    return "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\","
           "\"created\":1721172741,\"owned_by\":\"system\"}]}";
}

bool wants_usage(std::string_view body) {
    const auto i = value_of(body, "\"include_usage\"");
    return i != std::string_view::npos && body.substr(i, 4) == "true";
}

std::string chat_chunk(std::string_view model, unsigned index, bool usage) {
    std::string s = chunk_prefix(model);
    s += "\"choices\":[{\"index\":0,\"delta\":{";
    if (index == 0) {
        s += "\"role\":\"assistant\",";
    }
    s += "\"content\":\"";
    s += words[index % std::size(words)];
    s += "\"},\"logprobs\":null,\"finish_reason\":null}]";
    s += usage ? ",\"usage\":null}\n\n" : "}\n\n";
    return s;
}

std::string chat_stream_end(std::string_view model, unsigned chunks, bool usage) {
    std::string s = chunk_prefix(model);
    s += "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]";
    s += usage ? ",\"usage\":null}\n\n" : "}\n\n";
    if (usage) {
        s += chunk_prefix(model);
        s += "\"choices\":[],\"usage\":" + usage_json(chunks) + "}\n\n";
    }
    s += "data: [DONE]\n\n";
    return s;
}

std::string anthropic_message(std::string_view model) {
    std::string s =
        "{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"";
    s += model;
    s += "\",\"content\":[{\"type\":\"text\",\"text\":\"";
    s += answer;
    s += "\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":24,"
         "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":41}}";
    return s;
}

std::string anthropic_stream_start(std::string_view model) {
    std::string s = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{";
    s += "\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"";
    s += model;
    s += "\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{"
         "\"input_tokens\":24,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
         "\"output_tokens\":1}}}\n\n";
    s += "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
         "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
    return s;
}

std::string anthropic_delta(unsigned index) {
    std::string s =
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
        "\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"";
    s += words[index % std::size(words)];
    s += "\"}}\n\n";
    return s;
}

std::string anthropic_stream_end(unsigned chunks) {
    std::string s =
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\","
        "\"index\":0}\n\n";
    s += "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
         "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" +
         std::to_string(chunks) + "}}\n\n";
    s += "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    return s;
}

}  // namespace bench::upstream
