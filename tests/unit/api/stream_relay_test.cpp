// api::relay_stream: a stream that fails inside the gateway (an exception while an event is
// read or translated) still ends in the documented way, with an in-band error and the end
// of the body, instead of a connection cut in the middle of a chunk.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/proxy.hpp"

namespace hadrian::api {
namespace {

/// Records what a relay writes, in order; each `finish` is marked.
class recording_sink final : public response_sink {
public:
    bool send_now(int, header_list, std::string body, std::string_view) override {
        sent.push_back("send:" + body);
        return true;
    }
    void start_stream(int, header_list) override {}
    void hold(std::string_view data) override { out += data; }
    bool write_now(std::string_view data) override {
        out += data;
        return true;
    }
    awaitable<error_code> flush() override { co_return error_code{}; }
    awaitable<error_code> finish(std::string_view last) override {
        out += last;
        ++finished;
        co_return error_code{};
    }
    bool started() const noexcept override { return true; }

    std::string out;
    std::vector<std::string> sent;
    int finished = 0;
};

/// Gives its events in turn, then throws (as a bug or an allocation failure would).
class throwing_stream final : public providers::event_stream {
public:
    explicit throwing_stream(std::vector<std::string> data) : data_(std::move(data)) {}
    awaitable<result<std::optional<sse::event>, core::api_error>> next() override {
        if (at_ == data_.size()) {
            throw std::runtime_error("translation failed");
        }
        sse::event e;
        e.data = data_[at_++];
        co_return std::optional<sse::event>(std::move(e));
    }

private:
    std::vector<std::string> data_;
    std::size_t at_ = 0;
};

struct relayed {
    core::http_request req;
    recording_sink sink;
    auth::key_hash_memo key_memo;
    request_context ctx{req, sink, "127.0.0.1", key_memo};

    void run(providers::operation op, std::vector<std::string> events) {
        ctx.request_id = "rid-9";
        throwing_stream stream(std::move(events));
        boost::asio::io_context ioc;
        boost::asio::co_spawn(ioc, relay_stream(ctx, op, stream, false, nullptr),
                              boost::asio::detached);
        ioc.run();
    }
};

TEST(RelayStream, AnExceptionMidStreamEndsItWithAnInBandErrorAfterWhatWasSent) {
    relayed r;
    r.run(providers::operation::chat_completions, {R"({"id":"c1","choices":[]})"});
    EXPECT_EQ(r.sink.finished, 1);
    EXPECT_TRUE(r.sink.sent.empty());
    const std::string first = "data: {\"id\":\"c1\",\"choices\":[]}\n\n";
    ASSERT_EQ(r.sink.out.substr(0, first.size()), first);
    const std::string rest = r.sink.out.substr(first.size());
    ASSERT_EQ(rest.substr(0, 6), "data: ");
    const auto body = nlohmann::json::parse(rest.substr(6));
    EXPECT_EQ(body["error"]["code"], "internal_error");
    EXPECT_EQ(body["error"]["type"], "server_error");
    EXPECT_EQ(r.ctx.error_code, "internal_error");
    EXPECT_EQ(rest.find("[DONE]"), std::string::npos);
}

TEST(RelayStream, AResponsesStreamEndsWithErrorAndFailedEventsCarryingItsId) {
    relayed r;
    r.run(providers::operation::responses,
          {R"({"type":"response.created","sequence_number":0,"response":{"id":"resp_1"}})"});
    EXPECT_EQ(r.sink.finished, 1);
    const std::string marker = "event: response.failed\ndata: ";
    const auto failed = r.sink.out.find(marker);
    ASSERT_NE(failed, std::string::npos);
    EXPECT_NE(r.sink.out.find("event: error\n"), std::string::npos);
    const auto from = failed + marker.size();
    const auto body =
        nlohmann::json::parse(r.sink.out.substr(from, r.sink.out.find('\n', from) - from));
    EXPECT_EQ(body["response"]["id"], "resp_1");
    EXPECT_EQ(body["response"]["status"], "failed");
    EXPECT_EQ(body["response"]["error"]["code"], "internal_error");
    EXPECT_EQ(body["sequence_number"], 2);
}

TEST(RelayStream, AnExceptionBeforeAnyEventStillEndsTheStream) {
    relayed r;
    r.run(providers::operation::chat_completions, {});
    EXPECT_EQ(r.sink.finished, 1);
    EXPECT_EQ(r.sink.out.rfind("data: {\"error\":", 0), 0u) << r.sink.out;
}

}  // namespace
}  // namespace hadrian::api
