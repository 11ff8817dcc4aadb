#include "storage/sqlite/key_row.hpp"

#include <limits>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "hadrian/core/error.hpp"
#include "hadrian/core/log.hpp"

namespace hadrian::storage::sqlite {

namespace {

std::string to_json_text(const std::vector<std::string>& list) {
    return nlohmann::json(list).dump();
}

template <class T>
std::int64_t to_column(T v) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
        if (v > static_cast<T>(std::numeric_limits<std::int64_t>::max())) {
            return std::numeric_limits<std::int64_t>::max();
        }
    }
    return static_cast<std::int64_t>(v);
}

template <class T>
void bind_optional(statement& st, int index, const std::optional<T>& v) {
    if (!v) {
        st.bind_null(index);
    } else if constexpr (std::is_same_v<T, std::string>) {
        st.bind_text(index, *v);
    } else {
        st.bind_int(index, to_column(*v));
    }
}

// A stored integer back into the record's type, clamped into its range.
template <class T>
std::optional<T> optional_int(const statement& st, int column) {
    if (st.is_null(column)) {
        return std::nullopt;
    }
    const std::int64_t v = st.column_int(column);
    if constexpr (std::is_unsigned_v<T>) {
        if (v < 0) {
            return T{0};
        }
        if (static_cast<std::uint64_t>(v) > std::numeric_limits<T>::max()) {
            return std::numeric_limits<T>::max();
        }
    }
    return static_cast<T>(v);
}

std::optional<std::string> optional_text(const statement& st, int column) {
    if (st.is_null(column)) {
        return std::nullopt;
    }
    return st.column_text(column);
}

bool string_list(const statement& st, int column, std::vector<std::string>& out) {
    const auto parsed = nlohmann::json::parse(st.column_text(column), nullptr, false);
    if (!parsed.is_array()) {
        return false;
    }
    for (const auto& item : parsed) {
        if (!item.is_string()) {
            return false;
        }
        out.push_back(item.get<std::string>());
    }
    return true;
}

}  // namespace

std::string_view key_columns() {
    return "id, name, key_hash, key_prefix, scopes, allowed_models, ip_allowlist, expires_at, "
           "rate_limit_rpm, rate_limit_rpd, rate_limit_tpm, rate_limit_tpd, "
           "concurrent_requests, budget_limit_cents, budget_period, created_at, revoked_at, "
           "last_used_at, rotated_to";
}

void bind_key(statement& st, const api_key_record& key) {
    st.bind_text(1, key.id).bind_text(2, key.name).bind_text(3, key.key_hash);
    st.bind_text(4, key.key_prefix).bind_text(5, to_json_text(key.scopes));
    st.bind_text(6, to_json_text(key.allowed_models)).bind_text(7, to_json_text(key.ip_allowlist));
    bind_optional(st, 8, key.expires_at);
    bind_optional(st, 9, key.rate_limit_rpm);
    bind_optional(st, 10, key.rate_limit_rpd);
    bind_optional(st, 11, key.rate_limit_tpm);
    bind_optional(st, 12, key.rate_limit_tpd);
    bind_optional(st, 13, key.concurrent_requests);
    bind_optional(st, 14, key.budget_limit_cents);
    bind_optional(st, 15, key.budget_period);
    st.bind_int(16, key.created_at);
    bind_optional(st, 17, key.revoked_at);
    bind_optional(st, 18, key.last_used_at);
    bind_optional(st, 19, key.rotated_to);
}

result<api_key_record> read_key(const statement& st) {
    api_key_record k;
    k.id = st.column_text(0);
    k.name = st.column_text(1);
    k.key_hash = st.column_text(2);
    k.key_prefix = st.column_text(3);
    if (!string_list(st, 4, k.scopes) || !string_list(st, 5, k.allowed_models) ||
        !string_list(st, 6, k.ip_allowlist)) {
        core::logger("storage")->error("api key {}: a list column is not a JSON string array",
                                       k.id);
        return core::errc::internal_error;
    }
    k.expires_at = optional_int<std::int64_t>(st, 7);
    k.rate_limit_rpm = optional_int<std::uint32_t>(st, 8);
    k.rate_limit_rpd = optional_int<std::uint32_t>(st, 9);
    k.rate_limit_tpm = optional_int<std::uint64_t>(st, 10);
    k.rate_limit_tpd = optional_int<std::uint64_t>(st, 11);
    k.concurrent_requests = optional_int<std::uint32_t>(st, 12);
    k.budget_limit_cents = optional_int<std::int64_t>(st, 13);
    k.budget_period = optional_text(st, 14);
    k.created_at = st.column_int(15);
    k.revoked_at = optional_int<std::int64_t>(st, 16);
    k.last_used_at = optional_int<std::int64_t>(st, 17);
    k.rotated_to = optional_text(st, 18);
    return k;
}

void bind_optional_time(statement& st, int index, std::optional<std::int64_t> at) {
    bind_optional(st, index, at);
}

}  // namespace hadrian::storage::sqlite
