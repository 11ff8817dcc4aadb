// Turns a bench-load result into text or one JSON object.
#pragma once

#include <string>

#include "engine.hpp"
#include "options.hpp"

namespace bench::load {

std::string report_text(const options& opt, result& res);
std::string report_json(const options& opt, result& res);

}  // namespace bench::load
