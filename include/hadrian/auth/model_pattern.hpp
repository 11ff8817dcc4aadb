/// A key's `allowed_models` (API.md §5): exact model names or prefixes ending in `*`. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hadrian::auth {

/// True when `patterns` is empty (no restriction) or an entry matches `model`: `*` matches
/// every model, `prefix*` every model starting with `prefix`, any other entry only the
/// identical name (a `*` elsewhere than at the end is an ordinary character).
bool model_allowed(const std::vector<std::string>& patterns, std::string_view model) noexcept;

/// True when `pattern` is non-empty and contains `*` at most once, as its last character.
/// For validating patterns before they are stored.
bool valid_model_pattern(std::string_view pattern) noexcept;

}  // namespace hadrian::auth
