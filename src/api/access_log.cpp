#include "access_log.hpp"

#include <algorithm>
#include <charconv>

#include "hadrian/core/log.hpp"
#include "hadrian/core/put_text.hpp"
#include "metrics.hpp"

namespace hadrian::api {
namespace {

/// Writes the fields at a cursor into room reserved beforehand: `name=value` in text,
/// `"name":"value"` (or a bare number) in JSON. Text values are escaped too, so that no value can
/// start a line of its own; an empty one is `-`.
class field_writer {
public:
    /// Room for every field but the text values, which `text` counts on top.
    static constexpr std::size_t fixed_room = 512;
    static constexpr std::size_t room_per_byte = core::json_escape_growth;

    field_writer(char* at, bool json) : p_(at), json_(json) {}

    char* end() const noexcept { return p_; }

    void text(std::string_view name, std::string_view value) {
        start(name);
        if (json_) {
            *p_++ = '"';
            escaped(value);
            *p_++ = '"';
        } else if (value.empty()) {
            *p_++ = '-';
        } else {
            escaped(value);
        }
    }
    void number(std::string_view name, std::int64_t value) {
        start(name);
        p_ = std::to_chars(p_, p_ + 20, value).ptr;
    }
    /// `us` microseconds as milliseconds with three decimals.
    void millis(std::string_view name, std::chrono::microseconds us) {
        start(name);
        const std::int64_t v = std::max<std::int64_t>(us.count(), 0);
        p_ = std::to_chars(p_, p_ + 20, v / 1000).ptr;
        const auto frac = static_cast<int>(v % 1000);
        p_[0] = '.';
        p_[1] = static_cast<char>('0' + frac / 100);
        p_[2] = static_cast<char>('0' + frac / 10 % 10);
        p_[3] = static_cast<char>('0' + frac % 10);
        p_ += 4;
    }
    void flag(std::string_view name, bool value) {
        start(name);
        put(value ? std::string_view("true") : std::string_view("false"));
    }

private:
    void put(std::string_view s) { core::put_text(p_, s); }
    void start(std::string_view name) {
        if (!first_) {
            *p_++ = json_ ? ',' : ' ';
        }
        first_ = false;
        if (json_) {
            *p_++ = '"';
            put(name);
            *p_++ = '"';
            *p_++ = ':';
        } else {
            put(name);
            *p_++ = '=';
        }
    }
    void escaped(std::string_view s) { p_ = core::write_json_escaped(p_, s); }

    char* p_;
    bool json_;
    bool first_ = true;
};

}  // namespace

void append_access_fields(std::string& out, const request_context& ctx,
                          std::chrono::microseconds total, std::chrono::microseconds overhead,
                          bool json) {
    const std::string_view target = ctx.req.target();
    const std::string_view method = ctx.req.method_string();
    const std::string_view path = target.substr(0, target.find('?'));
    const std::size_t values = ctx.request_id.size() + method.size() + path.size() +
                               ctx.model.size() + ctx.provider.size() + ctx.error_code.size() +
                               ctx.client_ip.size();
    const std::size_t at = out.size();
    out.resize(at + field_writer::fixed_room + field_writer::room_per_byte * values);
    field_writer f(out.data() + at, json);
    f.text("request_id", ctx.request_id);
    f.text("method", method);
    f.text("path", path);
    f.number("status", ctx.status);
    f.millis("latency_ms", total);
    f.millis("overhead_ms", overhead);
    f.text("model", ctx.model);
    f.text("provider", ctx.provider);
    f.number("input_tokens", ctx.usage.input);
    f.number("output_tokens", ctx.usage.output);
    f.flag("streamed", ctx.streamed);
    f.text("error", ctx.error_code);
    f.text("client_ip", ctx.client_ip);
    out.resize(static_cast<std::size_t>(f.end() - out.data()));
}

verdict access_log_middleware::before(request_context&) {
    metrics_.started();
    return verdict::passed();
}

void access_log_middleware::after(request_context& ctx) {
    metrics_.finished();
    const auto total = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - ctx.started);
    const auto overhead =
        std::max(total - std::chrono::duration_cast<std::chrono::microseconds>(ctx.waited),
                 std::chrono::microseconds(0));
    metrics_.record(ctx, total, overhead);
    if (!core::access_log_enabled()) {
        return;
    }
    // Written field by field into a buffer the thread keeps: no format string, no allocation
    // once the buffer has grown to a line's size.
    thread_local std::string fields;
    fields.clear();
    append_access_fields(fields, ctx, total, overhead, core::json_logs());
    core::write_access_line(fields);
}

}  // namespace hadrian::api
