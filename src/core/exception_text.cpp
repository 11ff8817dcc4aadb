#include "hadrian/core/exception_text.hpp"

#include <exception>

namespace hadrian::core {

std::string current_exception_text() {
    try {
        throw;
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown exception";
    }
}

}  // namespace hadrian::core
