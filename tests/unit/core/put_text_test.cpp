// put_text copies every length exactly, inline or not, and writes nothing around the piece.
#include "hadrian/core/put_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hadrian::core {
namespace {

TEST(PutText, CopiesEveryLengthExactlyAndNothingAround) {
    std::string source;
    for (int i = 0; i < 40; ++i) {
        source += static_cast<char>('a' + i % 26);
    }
    for (std::size_t n = 0; n + 3 <= source.size(); ++n) {
        for (std::size_t offset = 0; offset < 3; ++offset) {
            std::string room(64, '#');
            char* at = room.data() + 8 + offset;
            const std::string_view piece = std::string_view(source).substr(offset, n);
            put_text(at, piece);
            EXPECT_EQ(at, room.data() + 8 + offset + n) << n;
            EXPECT_EQ(room.substr(8 + offset, n), piece) << n;
            EXPECT_EQ(room.substr(0, 8 + offset), std::string(8 + offset, '#')) << n;
            EXPECT_EQ(room.substr(8 + offset + n), std::string(64 - 8 - offset - n, '#')) << n;
        }
    }
}

TEST(PutText, PiecesFollowEachOther) {
    std::string room(32, '\0');
    char* at = room.data();
    for (const std::string_view piece : {"HTTP/1.1 ", "200", " ", "OK", "\r\n", "", "X-Id: 1"}) {
        put_text(at, piece);
    }
    room.resize(static_cast<std::size_t>(at - room.data()));
    EXPECT_EQ(room, "HTTP/1.1 200 OK\r\nX-Id: 1");
}

}  // namespace
}  // namespace hadrian::core
