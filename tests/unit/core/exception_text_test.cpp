// core::current_exception_text: what a catch-all block logs.
#include "hadrian/core/exception_text.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace hadrian::core {
namespace {

std::string text_of_throwing(void (*thrower)()) {
    try {
        thrower();
    } catch (...) {
        return current_exception_text();
    }
    return "nothing thrown";
}

TEST(CurrentExceptionText, AStandardExceptionGivesItsWhat) {
    EXPECT_EQ(text_of_throwing([] { throw std::runtime_error("translation failed"); }),
              "translation failed");
    EXPECT_EQ(text_of_throwing([] { throw std::out_of_range("index 7"); }), "index 7");
}

TEST(CurrentExceptionText, AnythingElseIsUnknown) {
    EXPECT_EQ(text_of_throwing([] { throw 42; }), "unknown exception");
}

}  // namespace
}  // namespace hadrian::core
