#include "hadrian/storage/records.hpp"

#include <cstdint>
#include <random>

namespace hadrian::storage {

namespace {

template <class T>
nlohmann::json optional_json(const std::optional<T>& v) {
    if (!v) {
        return nullptr;
    }
    return *v;
}

}  // namespace

std::string new_key_id() {
    // Crockford's alphabet: no i, l, o, u, so ids read back unambiguously.
    static constexpr char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    constexpr int id_chars = 26;  // 130 bits
    std::random_device device;
    std::string id = "key_";
    id.reserve(4 + id_chars);
    std::uint64_t bits = 0;
    int available = 0;
    for (int i = 0; i < id_chars; ++i) {
        if (available < 5) {
            bits = static_cast<std::uint64_t>(device()) << 32 | device();
            available = 64;
        }
        id += alphabet[bits & 31];
        bits >>= 5;
        available -= 5;
    }
    return id;
}

nlohmann::json to_json(const api_key_record& key) {
    return nlohmann::json{
        {"id", key.id},
        {"name", key.name},
        {"key_prefix", key.key_prefix},
        {"scopes", key.scopes},
        {"allowed_models", key.allowed_models},
        {"ip_allowlist", key.ip_allowlist},
        {"expires_at", optional_json(key.expires_at)},
        {"rate_limit_rpm", optional_json(key.rate_limit_rpm)},
        {"rate_limit_rpd", optional_json(key.rate_limit_rpd)},
        {"rate_limit_tpm", optional_json(key.rate_limit_tpm)},
        {"rate_limit_tpd", optional_json(key.rate_limit_tpd)},
        {"concurrent_requests", optional_json(key.concurrent_requests)},
        {"budget_limit_cents", optional_json(key.budget_limit_cents)},
        {"budget_period", optional_json(key.budget_period)},
        {"created_at", key.created_at},
        {"revoked_at", optional_json(key.revoked_at)},
        {"last_used_at", optional_json(key.last_used_at)},
    };
}

}  // namespace hadrian::storage
