#include "key_cache.hpp"

namespace hadrian::api {

std::shared_ptr<const storage::api_key_record> key_cache::get(std::string_view hash,
                                                              clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(hash);
    if (it == entries_.end()) {
        return nullptr;
    }
    if (it->second.expires <= now) {
        entries_.erase(it);
        return nullptr;
    }
    return it->second.key;
}

void key_cache::put(const std::string& hash, std::shared_ptr<const storage::api_key_record> key,
                    clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (entries_.size() >= max_entries_) {
        std::erase_if(entries_, [now](const auto& kv) { return kv.second.expires <= now; });
        if (entries_.size() >= max_entries_) {
            entries_.clear();
        }
    }
    entries_[hash] = entry{std::move(key), now + ttl_};
}

void key_cache::invalidate(const std::string& key_id) {
    std::lock_guard lock(mutex_);
    std::erase_if(entries_, [&](const auto& kv) { return kv.second.key->id == key_id; });
}

}  // namespace hadrian::api
