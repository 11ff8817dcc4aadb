// The admin API's usage reports: GET /admin/v1/usage, /usage/by-model, /usage/by-date and
// /usage/by-api-key.
#include <utility>
#include <vector>

#include "admin.hpp"
#include "admin_input.hpp"
#include "respond.hpp"

namespace hadrian::api {

namespace {

using core::api_error;
using core::errc;

/// The totals of a usage answer, in place into `out`.
void put_totals(nlohmann::json& out, const storage::usage_totals& t) {
    out["requests"] = t.requests;
    out["input_tokens"] = t.input_tokens;
    out["output_tokens"] = t.output_tokens;
    out["total_tokens"] = t.input_tokens + t.output_tokens;
    out["cost_microcents"] = t.cost_microcents;
    out["cost_usd"] = static_cast<double>(t.cost_microcents) / 1e6;
    out["errors"] = t.errors;
}

/// The JSON field that names a group of `group`'s query.
const char* group_field(const std::string& group) {
    if (group == "by-model") {
        return "model";
    }
    if (group == "by-date") {
        return "date";
    }
    return "api_key_id";
}

/// What a usage query returns: either totals or groups.
struct usage_answer {
    storage::usage_totals totals;
    std::vector<storage::usage_group> groups;
};

}  // namespace

awaitable<void> admin_handler::usage(request_context& ctx, std::string group) const {
    const auto query = parse_usage_query(ctx.req.target(), unix_now());
    if (!query) {
        co_await send_error(ctx, query.error());
        co_return;
    }
    const storage::usage_filter filter = query->filter;
    auto run = [filter, group](storage::store& s) -> result<usage_answer> {
        usage_answer out;
        if (group.empty()) {
            auto totals = s.usage_summary(filter);
            if (!totals) {
                return totals.error();
            }
            out.totals = *totals;
            return out;
        }
        auto groups = group == "by-model"  ? s.usage_by_model(filter)
                      : group == "by-date" ? s.usage_by_date(filter)
                                           : s.usage_by_api_key(filter);
        if (!groups) {
            return groups.error();
        }
        out.groups = std::move(*groups);
        return out;
    };
    auto answer = co_await db_->run(std::move(run));
    if (!answer) {
        const auto err = api_error::make(errc::internal_error, "The database request failed");
        co_await send_error(ctx, err);
        co_return;
    }
    nlohmann::json body = nlohmann::json::object();
    if (group.empty()) {
        put_totals(body, answer->totals);
    } else {
        const char* field = group_field(group);
        nlohmann::json data = nlohmann::json::array();
        for (const auto& g : answer->groups) {
            nlohmann::json row = nlohmann::json::object();
            if (group == "by-api-key" && g.key.empty()) {
                row[field] = nullptr;  // traffic without a key (bootstrap, auth off)
            } else {
                row[field] = g.key;
            }
            put_totals(row, g.totals);
            data.push_back(std::move(row));
        }
        body["data"] = std::move(data);
    }
    body["from"] = format_rfc3339(query->from);
    body["to"] = format_rfc3339(query->to);
    co_await send_json(ctx, body);
}

}  // namespace hadrian::api
