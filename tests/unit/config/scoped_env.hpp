// Test helper: one environment variable set or unset for a scope.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

namespace hadrian::config::testing {

/// Sets (or unsets, with nullopt) one environment variable for the scope, then restores it.
class scoped_env {
public:
    scoped_env(const char* name, std::optional<std::string> value) : name_(name) {
        if (const char* old = std::getenv(name)) {
            old_ = old;
        }
        if (value) {
            setenv(name, value->c_str(), 1);
        } else {
            unsetenv(name);
        }
    }
    ~scoped_env() {
        if (old_) {
            setenv(name_, old_->c_str(), 1);
        } else {
            unsetenv(name_);
        }
    }
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

}  // namespace hadrian::config::testing
