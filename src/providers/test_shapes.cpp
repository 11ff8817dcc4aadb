#include "test_shapes.hpp"

#include <cctype>
#include <chrono>

#include "provider_common.hpp"

namespace hadrian::providers::test_shapes {

namespace {

void collect_text(const nlohmann::json& content, std::string& out) {
    if (content.is_string()) {
        out += content.get<std::string>();
        out += ' ';
    } else if (content.is_array()) {
        for (const auto& part : content) {
            if (part.is_object()) {
                if (auto t = part.find("text"); t != part.end() && t->is_string()) {
                    out += t->get<std::string>();
                    out += ' ';
                }
                if (auto c = part.find("content"); c != part.end()) {
                    collect_text(*c, out);
                }
            } else {
                collect_text(part, out);
            }
        }
    }
}

}  // namespace

int count_tokens(std::string_view text) {
    int n = 0;
    bool in_word = false;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) != 0) {
            if (!in_word) {
                ++n;
            }
            in_word = true;
        } else {
            in_word = false;
            if (std::isspace(c) == 0) {
                ++n;
            }
        }
    }
    return n;
}

std::string prompt_text(const nlohmann::json& body) {
    std::string out;
    for (const char* key : {"messages", "input", "instructions"}) {
        if (auto it = body.find(key); it != body.end()) {
            if (it->is_array()) {
                for (const auto& item : *it) {
                    if (item.is_object()) {
                        if (auto c = item.find("content"); c != item.end()) {
                            collect_text(*c, out);
                        }
                    } else {
                        collect_text(item, out);
                    }
                }
            } else {
                collect_text(*it, out);
            }
        }
    }
    return out;
}

std::vector<std::string> split(std::string_view text, std::size_t n) {
    n = std::max<std::size_t>(1, std::min(n, std::max<std::size_t>(1, text.size())));
    std::vector<std::string> out;
    out.reserve(n);
    const std::size_t base = text.size() / n;
    std::size_t extra = text.size() % n;
    std::size_t pos = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t len = base + (extra > 0 ? 1 : 0);
        if (extra > 0) {
            --extra;
        }
        out.emplace_back(text.substr(pos, len));
        pos += len;
    }
    return out;
}

nlohmann::json chat_completion(const std::string& id, const std::string& model,
                               const std::string& text, usage u) {
    return {
        {"id", id},
        {"object", "chat.completion"},
        {"created", now_secs()},
        {"model", model},
        {"choices",
         {{{"index", 0},
           {"message", {{"role", "assistant"}, {"content", text}, {"refusal", nullptr}}},
           {"logprobs", nullptr},
           {"finish_reason", "stop"}}}},
        {"usage",
         {{"prompt_tokens", u.prompt},
          {"completion_tokens", u.completion},
          {"total_tokens", u.prompt + u.completion},
          {"prompt_tokens_details", {{"cached_tokens", 0}}},
          {"completion_tokens_details", {{"reasoning_tokens", 0}}}}},
    };
}

nlohmann::json chat_chunk(const std::string& id, const std::string& model,
                          const nlohmann::json& delta, const nlohmann::json& finish_reason) {
    return {
        {"id", id},
        {"object", "chat.completion.chunk"},
        {"created", now_secs()},
        {"model", model},
        {"choices",
         {{{"index", 0},
           {"delta", delta},
           {"logprobs", nullptr},
           {"finish_reason", finish_reason}}}},
    };
}

nlohmann::json chat_usage_chunk(const std::string& id, const std::string& model, usage u) {
    return {
        {"id", id},
        {"object", "chat.completion.chunk"},
        {"created", now_secs()},
        {"model", model},
        {"choices", nlohmann::json::array()},
        {"usage",
         {{"prompt_tokens", u.prompt},
          {"completion_tokens", u.completion},
          {"total_tokens", u.prompt + u.completion}}},
    };
}

nlohmann::json response_object(const std::string& id, const std::string& model,
                               const std::string& text, usage u, std::string_view status) {
    nlohmann::json output = nlohmann::json::array();
    if (status != "in_progress") {
        output.push_back({
            {"type", "message"},
            {"id", "msg_" + id.substr(std::min<std::size_t>(5, id.size()))},
            {"status", "completed"},
            {"role", "assistant"},
            {"content",
             {{{"type", "output_text"}, {"text", text}, {"annotations", nlohmann::json::array()}}}},
        });
    }
    nlohmann::json usage_json = nullptr;
    if (status == "completed") {
        usage_json = {{"input_tokens", u.prompt},
                      {"input_tokens_details", {{"cached_tokens", 0}}},
                      {"output_tokens", u.completion},
                      {"output_tokens_details", {{"reasoning_tokens", 0}}},
                      {"total_tokens", u.prompt + u.completion}};
    }
    return {
        {"id", id},
        {"object", "response"},
        {"created_at", now_secs()},
        {"status", status},
        {"error", nullptr},
        {"incomplete_details", nullptr},
        {"model", model},
        {"output", std::move(output)},
        {"parallel_tool_calls", true},
        {"tool_choice", "auto"},
        {"tools", nlohmann::json::array()},
        {"usage", std::move(usage_json)},
    };
}

nlohmann::json embeddings(const nlohmann::json& input, const std::string& model) {
    std::vector<std::string> texts;
    if (input.is_string()) {
        texts.push_back(input.get<std::string>());
    } else if (input.is_array()) {
        for (const auto& i : input) {
            texts.push_back(i.is_string() ? i.get<std::string>() : i.dump());
        }
    }
    nlohmann::json data = nlohmann::json::array();
    int tokens = 0;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        // A fixed-size vector derived from the text (FNV-1a), deterministic across runs.
        std::uint64_t h = 1469598103934665603ULL;
        for (const char c : texts[i]) {
            h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
        }
        nlohmann::json vec = nlohmann::json::array();
        for (int d = 0; d < 8; ++d) {
            h = h * 6364136223846793005ULL + 1442695040888963407ULL;
            vec.push_back(static_cast<double>(h >> 40) / static_cast<double>(1ULL << 24) - 0.5);
        }
        tokens += count_tokens(texts[i]);
        data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", std::move(vec)}});
    }
    return {{"object", "list"},
            {"data", std::move(data)},
            {"model", model},
            {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
}

}  // namespace hadrian::providers::test_shapes
