/// The hash of the API key a connection's last request presented: a keep-alive client sends
/// the same key with every request, and only the first one on the connection is hashed.
#pragma once

#include <array>
#include <string_view>

#include "hadrian/auth/api_key.hpp"

namespace hadrian::auth {

/// Holds one key and its hash for as long as the connection that presented it. The key is
/// compared in constant time, and wiped when replaced and when the memo goes. What timing can
/// tell (whether a request repeats the key of the request before it on the same connection)
/// is known to the client that sent both.
/// Thread safety: none; one connection's requests use it one after another.
class key_hash_memo {
public:
    key_hash_memo() = default;
    key_hash_memo(const key_hash_memo&) = delete;
    key_hash_memo& operator=(const key_hash_memo&) = delete;
    ~key_hash_memo();

    /// hash_api_key(raw), or an empty view when `raw` is not a well-formed key (which is not
    /// kept). Valid until the next call.
    std::string_view hash(std::string_view raw);

private:
    std::array<char, api_key_length> key_{};
    std::array<char, key_hash_length> hash_{};
    bool held_ = false;
};

}  // namespace hadrian::auth
