#include "hadrian/auth/scopes.hpp"

#include <algorithm>

namespace hadrian::auth {

bool valid_scope(std::string_view name) noexcept {
    return std::find(all_scopes.begin(), all_scopes.end(), name) != all_scopes.end();
}

std::optional<std::string> first_invalid_scope(const std::vector<std::string>& scopes) {
    for (const std::string& s : scopes) {
        if (!valid_scope(s)) {
            return s;
        }
    }
    return std::nullopt;
}

}  // namespace hadrian::auth
