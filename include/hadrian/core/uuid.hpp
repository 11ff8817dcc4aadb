/// Random identifiers.
#pragma once

#include <string>

namespace hadrian::core {

/// A random UUID v4 from a per-thread PRNG: for request ids, not for secrets.
std::string new_uuid();

}  // namespace hadrian::core
