// api::pipeline: the steps run in order before the handler; a refusal is answered and stops
// the rest; a step that must wait is awaited; the after hooks of the steps that passed run in
// reverse order, whatever the outcome (an internal error included).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "hadrian/api/middleware.hpp"
#include "unused_sink.hpp"

namespace hadrian::api {
namespace {

/// Records the whole answers sent.
class recording_sink final : public test_support::unused_sink {
public:
    bool send_now(int status, header_list, std::string body, std::string_view) override {
        sent.push_back(std::to_string(status) + " " + body);
        return true;
    }
    bool started() const noexcept override { return !sent.empty(); }

    std::vector<std::string> sent;
};

/// A step whose before() answers `kind` and writes what happens to it into `trace`.
class traced_step final : public middleware {
public:
    traced_step(std::string name, std::vector<std::string>& trace,
                verdict::kind_t kind = verdict::pass, verdict::kind_t later = verdict::pass)
        : name_(std::move(name)), trace_(trace), kind_(kind), later_(later) {}

    verdict before(request_context&) override {
        trace_.push_back(name_ + ".before");
        return make(kind_);
    }
    awaitable<verdict> before_async(request_context&) override {
        trace_.push_back(name_ + ".before_async");
        co_return make(later_);
    }
    void after(request_context& ctx) override {
        trace_.push_back(name_ + ".after " + std::to_string(ctx.status));
        if (throws_after) {
            throw std::runtime_error("after failed");
        }
    }

    bool throws_after = false;

private:
    verdict make(verdict::kind_t kind) const {
        if (kind == verdict::refuse) {
            return verdict::refused(
                core::api_error::make(core::errc::rate_limit_exceeded, name_ + " says no"));
        }
        return verdict{kind, std::nullopt};
    }

    std::string name_;
    std::vector<std::string>& trace_;
    verdict::kind_t kind_;
    verdict::kind_t later_;
};

class traced_endpoint final : public endpoint {
public:
    explicit traced_endpoint(std::vector<std::string>& trace) : trace_(trace) {}
    awaitable<void> handle(request_context& ctx) override {
        trace_.push_back("handler");
        if (throws) {
            throw std::runtime_error("handler bug");
        }
        ctx.status = 200;
        co_await ctx.sink.send(200, {}, "ok");
    }
    bool throws = false;

private:
    std::vector<std::string>& trace_;
};

struct run_of {
    std::vector<std::string> trace;
    traced_endpoint terminal{trace};
    core::http_request req;
    recording_sink sink;
    auth::key_hash_memo key_memo;
    request_context ctx{req, sink, "127.0.0.1", key_memo};

    void run(std::vector<std::unique_ptr<middleware>> steps) {
        pipeline p(std::move(steps), terminal);
        boost::asio::io_context ioc;
        boost::asio::co_spawn(ioc, p.run(ctx), boost::asio::detached);
        ioc.run();
    }
};

std::vector<std::unique_ptr<middleware>> steps_of(std::vector<std::string>& trace,
                                                  verdict::kind_t second,
                                                  verdict::kind_t second_later = verdict::pass) {
    std::vector<std::unique_ptr<middleware>> s;
    s.push_back(std::make_unique<traced_step>("a", trace));
    s.push_back(std::make_unique<traced_step>("b", trace, second, second_later));
    s.push_back(std::make_unique<traced_step>("c", trace));
    return s;
}

TEST(Pipeline, StepsRunInOrderAroundTheHandlerAndAfterHooksInReverse) {
    run_of r;
    r.run(steps_of(r.trace, verdict::pass));
    EXPECT_EQ(r.trace, (std::vector<std::string>{"a.before", "b.before", "c.before", "handler",
                                                 "c.after 200", "b.after 200", "a.after 200"}));
    EXPECT_EQ(r.sink.sent, std::vector<std::string>{"200 ok"});
}

TEST(Pipeline, ARefusalIsAnsweredAndStopsTheLaterStepsAndTheHandler) {
    run_of r;
    r.ctx.request_id = "rid-1";
    r.run(steps_of(r.trace, verdict::refuse));
    EXPECT_EQ(r.trace, (std::vector<std::string>{"a.before", "b.before", "a.after 429"}));
    ASSERT_EQ(r.sink.sent.size(), 1U);
    const std::string& sent = r.sink.sent[0];
    ASSERT_EQ(sent.substr(0, 4), "429 ");
    const auto body = nlohmann::json::parse(sent.substr(4));
    EXPECT_EQ(body["error"]["message"], "b says no");
    EXPECT_EQ(body["error"]["request_id"], "rid-1");
    EXPECT_EQ(r.ctx.status, 429);
}

TEST(Pipeline, AStepThatMustWaitIsAwaitedThenTheRestRuns) {
    run_of r;
    r.run(steps_of(r.trace, verdict::wait));
    EXPECT_EQ(r.trace,
              (std::vector<std::string>{"a.before", "b.before", "b.before_async", "c.before",
                                        "handler", "c.after 200", "b.after 200", "a.after 200"}));
}

TEST(Pipeline, AStepThatRefusesAfterWaitingStopsTheRest) {
    run_of r;
    r.run(steps_of(r.trace, verdict::wait, verdict::refuse));
    EXPECT_EQ(r.trace,
              (std::vector<std::string>{"a.before", "b.before", "b.before_async", "a.after 429"}));
    ASSERT_EQ(r.sink.sent.size(), 1U);
    EXPECT_EQ(r.sink.sent[0].substr(0, 4), "429 ");
}

TEST(Pipeline, AHandlerExceptionIsA500TheAfterHooksSee) {
    run_of r;
    r.terminal.throws = true;
    r.run(steps_of(r.trace, verdict::pass));
    EXPECT_EQ(r.trace, (std::vector<std::string>{"a.before", "b.before", "c.before", "handler",
                                                 "c.after 500", "b.after 500", "a.after 500"}));
    ASSERT_EQ(r.sink.sent.size(), 1U);
    const auto body = nlohmann::json::parse(r.sink.sent[0].substr(4));
    EXPECT_EQ(body["error"]["code"], "internal_error");
    EXPECT_TRUE(r.ctx.abort.aborted());
}

TEST(Pipeline, AnAfterHookThatThrowsDoesNotStopTheOthers) {
    run_of r;
    auto steps = steps_of(r.trace, verdict::pass);
    static_cast<traced_step&>(*steps[1]).throws_after = true;
    r.run(std::move(steps));
    EXPECT_EQ(r.trace, (std::vector<std::string>{"a.before", "b.before", "c.before", "handler",
                                                 "c.after 200", "b.after 200", "a.after 200"}));
}

}  // namespace
}  // namespace hadrian::api
