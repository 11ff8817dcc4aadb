// sqlite_store: usage records, usage reports and budget spend.
#include <string>

#include "storage/sqlite/sqlite_store.hpp"

namespace hadrian::storage::sqlite {

namespace {

constexpr std::string_view totals_columns =
    "COUNT(*), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), "
    "COALESCE(SUM(cost_microcents), 0), COALESCE(SUM(status >= 400), 0)";

// Parameters ?1 = from_ms, ?2 = to_ms, ?3 = api_key_id (only when the filter has one).
std::string where_clause(const usage_filter& filter) {
    std::string where = " WHERE created_at >= ?1 AND created_at < ?2";
    if (filter.api_key_id) {
        where += " AND api_key_id = ?3";
    }
    return where;
}

void bind_filter(statement& st, const usage_filter& filter) {
    st.bind_int(1, filter.from_ms).bind_int(2, filter.to_ms);
    if (filter.api_key_id) {
        st.bind_text(3, *filter.api_key_id);
    }
}

// The five totals_columns starting at `first`.
usage_totals read_totals(const statement& st, int first) {
    usage_totals t;
    t.requests = st.column_int(first);
    t.input_tokens = st.column_int(first + 1);
    t.output_tokens = st.column_int(first + 2);
    t.cost_microcents = st.column_int(first + 3);
    t.errors = st.column_int(first + 4);
    return t;
}

// Several rows per INSERT statement: a quarter less work per row than one statement each.
constexpr std::size_t rows_per_insert = 16;
constexpr int usage_columns = 15;

std::string usage_insert_sql(std::size_t rows) {
    std::string sql =
        "INSERT INTO usage_records (request_id, api_key_id, model, provider, input_tokens, "
        "output_tokens, cached_tokens, reasoning_tokens, cost_microcents, latency_ms, status, "
        "error_code, streamed, cancelled, created_at) VALUES ";
    for (std::size_t i = 0; i < rows; ++i) {
        sql += i == 0 ? "" : ",";
        sql += "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    }
    return sql;
}

/// Binds `u` to the parameters from `first` on. The rows outlive the statement's step: their
/// text is bound, not copied.
void bind_usage(statement& st, int first, const usage_record& u) {
    st.bind_text_unowned(first, u.request_id);
    if (u.api_key_id) {
        st.bind_text_unowned(first + 1, *u.api_key_id);
    } else {
        st.bind_null(first + 1);
    }
    st.bind_text_unowned(first + 2, u.model).bind_text_unowned(first + 3, u.provider);
    st.bind_int(first + 4, u.input_tokens).bind_int(first + 5, u.output_tokens);
    st.bind_int(first + 6, u.cached_tokens).bind_int(first + 7, u.reasoning_tokens);
    st.bind_int(first + 8, u.cost_microcents).bind_real(first + 9, u.latency_ms);
    st.bind_int(first + 10, u.status).bind_text_unowned(first + 11, u.error_code);
    st.bind_int(first + 12, u.streamed ? 1 : 0).bind_int(first + 13, u.cancelled ? 1 : 0);
    st.bind_int(first + 14, u.created_at);
}

}  // namespace

result<void> sqlite_store::insert_usage(std::span<const usage_record> rows) {
    if (rows.empty()) {
        return {};
    }
    auto tx = transaction::begin(db_);
    if (!tx) {
        return tx.error();
    }
    static const std::string many = usage_insert_sql(rows_per_insert);
    static const std::string one = usage_insert_sql(1);
    std::size_t at = 0;
    for (const std::size_t per : {rows_per_insert, std::size_t{1}}) {
        if (rows.size() - at < per) {
            continue;
        }
        auto st = db_.prepare(per == 1 ? one : many);
        if (!st) {
            return st.error();
        }
        for (; rows.size() - at >= per; at += per) {
            st->reset();
            for (std::size_t i = 0; i < per; ++i) {
                bind_usage(*st, static_cast<int>(i) * usage_columns + 1, rows[at + i]);
            }
            if (auto r = st->run(); !r) {
                return r.error();  // the transaction rolls back: none of the batch is stored
            }
        }
    }
    return tx->commit();
}

result<usage_totals> sqlite_store::usage_summary(const usage_filter& filter) {
    const std::string sql =
        "SELECT " + std::string(totals_columns) + " FROM usage_records" + where_clause(filter);
    auto st = db_.prepare(sql);
    if (!st) {
        return st.error();
    }
    bind_filter(*st, filter);
    auto row = st->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return usage_totals{};  // an aggregate always has a row; kept for safety
    }
    return read_totals(*st, 0);
}

result<std::vector<usage_group>> sqlite_store::usage_grouped(std::string_view group_expr,
                                                             const usage_filter& filter) {
    // group_expr is one of the constants below, never client input.
    const std::string sql = "SELECT " + std::string(group_expr) + " AS group_key, " +
                            std::string(totals_columns) + " FROM usage_records" +
                            where_clause(filter) + " GROUP BY group_key ORDER BY group_key";
    auto st = db_.prepare(sql);
    if (!st) {
        return st.error();
    }
    bind_filter(*st, filter);
    std::vector<usage_group> groups;
    for (;;) {
        auto row = st->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return groups;
        }
        groups.push_back(usage_group{st->column_text(0), read_totals(*st, 1)});
    }
}

result<std::vector<usage_group>> sqlite_store::usage_by_model(const usage_filter& filter) {
    return usage_grouped("model", filter);
}

result<std::vector<usage_group>> sqlite_store::usage_by_date(const usage_filter& filter) {
    // Fractional seconds: an integer division would move times before 1970 to the next day.
    return usage_grouped("strftime('%Y-%m-%d', created_at / 1000.0, 'unixepoch')", filter);
}

result<std::vector<usage_group>> sqlite_store::usage_by_api_key(const usage_filter& filter) {
    return usage_grouped("COALESCE(api_key_id, '')", filter);
}

result<std::int64_t> sqlite_store::spend_since(std::string_view key_id, std::int64_t since_ms) {
    auto st = db_.prepare(
        "SELECT COALESCE(SUM(cost_microcents), 0) FROM usage_records WHERE api_key_id = ?1 AND "
        "created_at >= ?2");
    if (!st) {
        return st.error();
    }
    st->bind_text(1, key_id).bind_int(2, since_ms);
    auto row = st->step();
    if (!row) {
        return row.error();
    }
    return *row ? st->column_int(0) : 0;
}

result<std::map<std::string, std::int64_t>> sqlite_store::spend_since_all(std::int64_t since_ms) {
    auto st = db_.prepare(
        "SELECT api_key_id, SUM(cost_microcents) FROM usage_records WHERE created_at >= ?1 AND "
        "api_key_id IS NOT NULL GROUP BY api_key_id");
    if (!st) {
        return st.error();
    }
    st->bind_int(1, since_ms);
    std::map<std::string, std::int64_t> spend;
    for (;;) {
        auto row = st->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return spend;
        }
        spend.emplace(st->column_text(0), st->column_int(1));
    }
}

}  // namespace hadrian::storage::sqlite
