// A TTL cache of API key lookups, so authenticated requests skip the database.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hadrian/core/coarse_clock.hpp"
#include "hadrian/core/io_mutex.hpp"
#include "hadrian/storage/records.hpp"

namespace hadrian::api {

/// Maps a key hash to its record for `ttl`. A revocation or rotation on this node calls
/// invalidate() so the change applies at once here; other replicas see it after the TTL.
/// Thread safety: all members may be called concurrently (one mutex, never held across a
/// suspension). Bounded: when full, expired entries are swept, then the cache is cleared.
class key_cache {
public:
    /// TTLs are seconds long: the tick-resolution clock serves them.
    using clock = core::coarse_clock;

    key_cache(std::chrono::seconds ttl, std::size_t max_entries)
        : ttl_(ttl), max_entries_(max_entries) {}

    std::shared_ptr<const storage::api_key_record> get(std::string_view hash,
                                                       clock::time_point now);
    void put(const std::string& hash, std::shared_ptr<const storage::api_key_record> key,
             clock::time_point now);
    /// Drop every entry of this key id.
    void invalidate(const std::string& key_id);

private:
    struct entry {
        std::shared_ptr<const storage::api_key_record> key;
        clock::time_point expires;
    };

    std::chrono::seconds ttl_;
    std::size_t max_entries_;
    core::io_mutex mutex_;
    /// Looked up by a view: a request's hash is not copied into a string.
    struct hash_of {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::unordered_map<std::string, entry, hash_of, std::equal_to<>> entries_;
};

}  // namespace hadrian::api
