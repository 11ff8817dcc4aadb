#include "hadrian/routing/route_memo.hpp"

#include <string>
#include <utility>

namespace hadrian::routing {

route_memo::chain route_memo::find(std::string_view model) const {
    const std::lock_guard lock(mutex_);
    const auto it = chains_.find(model);
    return it == chains_.end() ? nullptr : it->second;
}

route_memo::chain route_memo::remember(std::string_view model, std::vector<route> routes) {
    auto made = std::make_shared<const std::vector<route>>(std::move(routes));
    const std::lock_guard lock(mutex_);
    if (const auto it = chains_.find(model); it != chains_.end()) {
        return it->second;  // another thread built the same chain first
    }
    if (chains_.size() < capacity_) {
        chains_.emplace(std::string(model), made);
    }
    return made;
}

std::size_t route_memo::size() const {
    const std::lock_guard lock(mutex_);
    return chains_.size();
}

}  // namespace hadrian::routing
