// Small pieces every request/response translator shares (Anthropic, Bedrock, Gemini).
#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "hadrian/core/asio.hpp"
#include "hadrian/core/error.hpp"

namespace hadrian::providers {

/// The member `key` of `obj`, or nullptr when `obj` is no object or the member is missing or
/// null.
inline const nlohmann::json* member(const nlohmann::json& obj, const char* key) {
    if (!obj.is_object()) {
        return nullptr;
    }
    auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
}

/// The string member `key`, or "" when missing or not a string.
inline std::string string_member(const nlohmann::json& obj, const char* key) {
    const nlohmann::json* v = member(obj, key);
    return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

/// The number member `key` as an integer, or 0 when missing or not a number.
inline std::int64_t int_member(const nlohmann::json& obj, const char* key) {
    const nlohmann::json* v = member(obj, key);
    return v != nullptr && v->is_number() ? v->get<std::int64_t>() : 0;
}

/// A successful result. (json converts implicitly to almost anything, api_error included, so
/// result's converting constructor cannot be used.)
inline result<nlohmann::json, core::api_error> ok(nlohmann::json value) {
    return result<nlohmann::json, core::api_error>(boost::system::in_place_value, std::move(value));
}

/// A 400 validation_error naming the request field at fault.
inline core::api_error invalid(std::string message, std::string param) {
    return core::api_error::make(core::errc::validation_error, std::move(message),
                                 std::move(param));
}

}  // namespace hadrian::providers
