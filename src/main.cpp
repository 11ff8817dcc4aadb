// Composition root: arguments → config → objects → run → signals.
#include <pthread.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cli/keys_command.hpp"
#include "hadrian/api/app.hpp"
#include "hadrian/config/config.hpp"
#include "hadrian/core/background.hpp"
#include "hadrian/core/io_mutex.hpp"
#include "hadrian/core/log.hpp"
#include "hadrian/providers/monitor.hpp"
#include "hadrian/providers/registry.hpp"
#include "hadrian/server/descriptors.hpp"
#include "hadrian/server/server.hpp"
#include "hadrian/storage/db_executor.hpp"
#include "hadrian/storage/store.hpp"
#include "hadrian/upstream/client.hpp"

namespace {

using namespace hadrian;

constexpr const char* usage_text = R"(hadrian — an OpenAI-compatible AI gateway

Usage:
  hadrian [serve] [--config PATH]   run the gateway
  hadrian check-config [--config PATH]
                                    load and validate the configuration, then exit
  hadrian keys create|list|revoke … [--config PATH]
                                    manage API keys in the database (`hadrian keys --help`)
  hadrian --version                 print the version
  hadrian --help                    print this help

The configuration defaults to ./hadrian.toml, then config/hadrian.toml.
)";

struct cli_options {
    std::string command = "serve";
    std::string config_path;
    std::vector<std::string> keys_args;  // the words after `keys`, without --config
};

int usage_error(const std::string& message) {
    std::cerr << "hadrian: " << message << "\n\n" << usage_text;
    return 2;
}

std::string default_config_path() {
    for (const char* candidate : {"hadrian.toml", "config/hadrian.toml"}) {
        if (std::filesystem::exists(candidate)) {
            return candidate;
        }
    }
    return "hadrian.toml";
}

/// Settings the configuration accepts but this build cannot honour yet. Starting anyway would
/// silently run without them (an open gateway where keys were asked for), so refuse.
void check_supported(const config::config& cfg) {
    if (cfg.auth.mode == config::auth_mode::api_key &&
        cfg.database.type == config::database_type::none) {
        throw std::runtime_error(
            "auth.mode.type: \"api_key\" needs a database ([database] type = \"sqlite\")");
    }
    if (cfg.database.type == config::database_type::postgres) {
        throw std::runtime_error("database.type: \"postgres\" is not supported by this build");
    }
    if (cfg.cache.type == config::cache_type::redis) {
        throw std::runtime_error("cache.type: \"redis\" is not supported by this build");
    }
    if (cfg.server.tls) {
        throw std::runtime_error("server.tls: native TLS is not supported by this build");
    }
    if (cfg.server.cors.enabled) {
        throw std::runtime_error("server.cors: CORS is not supported by this build");
    }
}

int serve(const std::shared_ptr<const config::config>& cfg) {
    // First, while this is the only thread: growing the descriptor table later stalls.
    const server::descriptor_room descriptors = server::prepare_descriptors();
    core::setup_logging(cfg->observability.logging.level,
                        cfg->observability.logging.format == config::log_format::json);
    auto log = core::logger("main");
    const unsigned threads = cfg->server.threads != 0
                                 ? cfg->server.threads
                                 : std::max(1U, std::thread::hardware_concurrency());
    // One event loop thread: its sockets and timers are never touched by another, so the
    // reactor's per-descriptor locks go (posts from the database thread still lock), and so
    // do the locks of what only the event loop touches (core::io_mutex). Set before the
    // database thread starts.
    core::io_mutex::set_single_thread(threads == 1);
    asio::io_context ioc(threads == 1 ? BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO
                                      : static_cast<int>(threads));

    // Declared after the io_context so it is destroyed first (pending database calls end
    // before the context their callers wait on).
    std::unique_ptr<storage::db_executor> db;
    if (auto store = storage::open_store(cfg->database)) {
        db = std::make_unique<storage::db_executor>(std::move(store));
    }
    upstream::client upstream_client(ioc);
    providers::registry providers(*cfg, upstream_client);
    api::app_state state;
    api::app app(cfg, providers, state, db.get());
    server::server listener(ioc, cfg->server, app, state);
    listener.start();
    app.start(ioc);
    core::background_tasks background(ioc);
    providers::start_monitoring(providers, background);

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    bool shutting_down = false;
    std::function<void(error_code, int)> on_signal = [&](error_code ec, int sig) {
        if (ec) {
            return;
        }
        if (shutting_down) {
            log->warn("second signal {}: stopping now", sig);
            ioc.stop();
            return;
        }
        shutting_down = true;
        log->info("signal {} received", sig);
        listener.begin_shutdown([&] { background.stop([&ioc] { ioc.stop(); }); });
        signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);

    log->info("hadrian {} started with {} thread(s), {} provider(s), default provider '{}'",
              HADRIAN_VERSION, threads, cfg->providers.entries.size(),
              cfg->providers.default_provider);
    log->info("descriptor limit {}, table {} slots", descriptors.limit, descriptors.table);
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned i = 1; i < threads; ++i) {
        pool.emplace_back([&ioc] {
            (void)::pthread_setname_np(::pthread_self(), "hadrian-io");
            ioc.run();
        });
    }
    ioc.run();
    for (auto& t : pool) {
        t.join();
    }
    // Every request has been answered or cut off: write their usage records.
    app.flush();
    log->info("stopped");
    spdlog::shutdown();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    cli_options args;
    bool command_seen = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h" || a == "help") {
            std::cout << usage_text;
            return 0;
        }
        if (a == "--version" || a == "-V" || a == "version") {
            std::cout << "hadrian " << HADRIAN_VERSION << "\n";
            return 0;
        }
        if (a == "--config" || a == "-c") {
            if (i + 1 >= argc) {
                return usage_error("--config needs a path");
            }
            args.config_path = argv[++i];
        } else if (a.rfind("--config=", 0) == 0) {
            args.config_path = a.substr(9);
        } else if (!command_seen && (a == "serve" || a == "check-config")) {
            args.command = a;
            command_seen = true;
        } else if (!command_seen && a == "keys") {
            // Every later word belongs to `keys` (its own --help included), except --config.
            args.command = a;
            command_seen = true;
            for (++i; i < argc; ++i) {
                const std::string k = argv[i];
                if ((k == "--config" || k == "-c") && i + 1 < argc) {
                    args.config_path = argv[++i];
                } else if (k.rfind("--config=", 0) == 0) {
                    args.config_path = k.substr(9);
                } else {
                    args.keys_args.push_back(k);
                }
            }
        } else {
            return usage_error("unknown argument '" + a + "'");
        }
    }
    if (args.command == "keys" && hadrian::cli::keys_help_requested(args.keys_args)) {
        return hadrian::cli::run_keys_command(config::config{}, args.keys_args);
    }
    if (args.config_path.empty()) {
        args.config_path = default_config_path();
    }

    std::shared_ptr<const config::config> cfg;
    try {
        cfg = config::load_file(args.config_path);
    } catch (const std::exception& e) {
        std::cerr << "hadrian: invalid configuration " << args.config_path << ": " << e.what()
                  << "\n";
        return 1;
    }
    if (args.command == "keys") {
        return hadrian::cli::run_keys_command(*cfg, args.keys_args);
    }
    try {
        check_supported(*cfg);
    } catch (const std::exception& e) {
        std::cerr << "hadrian: invalid configuration " << args.config_path << ": " << e.what()
                  << "\n";
        return 1;
    }
    if (args.command == "check-config") {
        std::cout << "configuration " << args.config_path << " is valid ("
                  << cfg->providers.entries.size() << " provider(s))\n";
        return 0;
    }
    try {
        return serve(cfg);
    } catch (const std::exception& e) {
        std::cerr << "hadrian: " << e.what() << "\n";
        return 1;
    }
}
