/// What an exception caught by `catch (...)` says, for a log line.
#pragma once

#include <string>

namespace hadrian::core {

/// The exception being handled: its what() for a std::exception, else "unknown exception".
/// Call only inside a catch block.
std::string current_exception_text();

}  // namespace hadrian::core
