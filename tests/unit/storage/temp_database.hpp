// A database file in a fresh temporary directory, removed with everything in it afterwards.
#pragma once

#include <filesystem>
#include <string>

#include "hadrian/config/config.hpp"
#include "hadrian/core/uuid.hpp"

namespace hadrian::storage::testing {

class temp_database {
public:
    temp_database()
        : root_(std::filesystem::temp_directory_path() / ("hadrian-storage-" + core::new_uuid())) {}
    ~temp_database() {
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }
    temp_database(const temp_database&) = delete;
    temp_database& operator=(const temp_database&) = delete;

    const std::filesystem::path& root() const { return root_; }
    /// In a directory that does not exist yet: opening must create it.
    std::string path() const { return (root_ / "data" / "nested" / "hadrian.db").string(); }
    config::database_config config() const { return {config::database_type::sqlite, path(), ""}; }

private:
    std::filesystem::path root_;
};

inline config::database_config memory_config() {
    return {config::database_type::sqlite, ":memory:", ""};
}

}  // namespace hadrian::storage::testing
