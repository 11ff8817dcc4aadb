#include "hadrian/auth/model_pattern.hpp"

namespace hadrian::auth {

bool model_allowed(const std::vector<std::string>& patterns, std::string_view model) noexcept {
    if (patterns.empty()) {
        return true;
    }
    for (const std::string& entry : patterns) {
        const std::string_view pattern = entry;
        if (!pattern.empty() && pattern.back() == '*') {
            if (model.starts_with(pattern.substr(0, pattern.size() - 1))) {
                return true;
            }
        } else if (pattern == model) {
            return true;
        }
    }
    return false;
}

bool valid_model_pattern(std::string_view pattern) noexcept {
    const std::size_t star = pattern.find('*');
    return !pattern.empty() && (star == std::string_view::npos || star == pattern.size() - 1);
}

}  // namespace hadrian::auth
