#include "hadrian/auth/key_hash_memo.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace hadrian::auth {

key_hash_memo::~key_hash_memo() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::string_view key_hash_memo::hash(std::string_view raw) {
    const std::string_view hash(hash_.data(), hash_.size());
    if (held_ && constant_time_equal(raw, std::string_view(key_.data(), key_.size()))) {
        return hash;
    }
    if (!valid_api_key_format(raw)) {
        return {};
    }
    hash_api_key(raw, hash_);
    std::copy(raw.begin(), raw.end(), key_.begin());
    held_ = true;
    return hash;
}

}  // namespace hadrian::auth
