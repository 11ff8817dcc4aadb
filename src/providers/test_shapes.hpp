// OpenAI-shaped bodies and events the test provider answers with.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hadrian::providers::test_shapes {

struct usage {
    int prompt = 0;
    int completion = 0;
};

/// Rough token count: words and punctuation runs.
int count_tokens(std::string_view text);
/// Text of every message / input item in a request body.
std::string prompt_text(const nlohmann::json& body);
/// The answer split into `n` pieces (at most one per character, at least one).
std::vector<std::string> split(std::string_view text, std::size_t n);

nlohmann::json chat_completion(const std::string& id, const std::string& model,
                               const std::string& text, usage u);
nlohmann::json chat_chunk(const std::string& id, const std::string& model,
                          const nlohmann::json& delta, const nlohmann::json& finish_reason);
nlohmann::json chat_usage_chunk(const std::string& id, const std::string& model, usage u);

nlohmann::json response_object(const std::string& id, const std::string& model,
                               const std::string& text, usage u, std::string_view status);
nlohmann::json embeddings(const nlohmann::json& input, const std::string& model);

}  // namespace hadrian::providers::test_shapes
