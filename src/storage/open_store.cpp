#include <stdexcept>

#include "hadrian/core/log.hpp"
#include "hadrian/storage/store.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace hadrian::storage {

std::unique_ptr<store> open_store(const config::database_config& config) {
    switch (config.type) {
        case config::database_type::none:
            return nullptr;
        case config::database_type::sqlite: {
            auto s = std::make_unique<sqlite::sqlite_store>(config.path);
            core::logger("storage")->info("SQLite database open, schema version {}",
                                          s->schema_version());
            return s;
        }
        case config::database_type::postgres:
            throw std::runtime_error("database.type = \"postgres\" is not supported yet");
    }
    throw std::runtime_error("database.type: unknown database type");
}

}  // namespace hadrian::storage
