/// The scopes a key may hold (API.md §5). Pure.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hadrian::auth {

/// Scope names, as stored and as sent by the admin API.
namespace scope {
inline constexpr std::string_view chat = "chat";
inline constexpr std::string_view completions = "completions";
inline constexpr std::string_view embeddings = "embeddings";
inline constexpr std::string_view models = "models";
inline constexpr std::string_view admin = "admin";
}  // namespace scope

/// Every scope, in documentation order.
inline constexpr std::array<std::string_view, 5> all_scopes = {
    scope::chat, scope::completions, scope::embeddings, scope::models, scope::admin};

/// True when `name` is one of `all_scopes` (exact, case-sensitive).
bool valid_scope(std::string_view name) noexcept;

/// The first entry of `scopes` that is not a valid scope, for an error message; nullopt
/// when all are valid (an empty list included).
std::optional<std::string> first_invalid_scope(const std::vector<std::string>& scopes);

}  // namespace hadrian::auth
