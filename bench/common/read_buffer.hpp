// A growable byte buffer for socket reads: read into `prepare()`, `commit()` what arrived,
// parse `view()`, `consume()` what was parsed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string_view>
#include <vector>

namespace bench {

class read_buffer {
public:
    explicit read_buffer(std::size_t initial = 16 * 1024) : data_(initial) {}

    [[nodiscard]] std::string_view view() const { return {data_.data() + begin_, end_ - begin_}; }
    [[nodiscard]] std::size_t size() const { return end_ - begin_; }

    void consume(std::size_t n) {
        begin_ += n;
        if (begin_ == end_) {
            begin_ = end_ = 0;
        }
    }

    /// Room for at least `min` more bytes at `write_ptr()`; returns the room.
    std::size_t prepare(std::size_t min = 16 * 1024) {
        if (data_.size() - end_ < min) {
            if (begin_ > 0) {
                std::memmove(data_.data(), data_.data() + begin_, end_ - begin_);
                end_ -= begin_;
                begin_ = 0;
            }
            if (data_.size() - end_ < min) {
                data_.resize(std::max(data_.size() * 2, end_ + min));
            }
        }
        return data_.size() - end_;
    }
    [[nodiscard]] char* write_ptr() { return data_.data() + end_; }
    void commit(std::size_t n) { end_ += n; }

    /// Gives memory back after a large message.
    void shrink(std::size_t keep = 64 * 1024) {
        if (data_.size() > keep && size() <= keep) {
            std::vector<char> fresh(keep);
            std::memcpy(fresh.data(), data_.data() + begin_, size());
            end_ = size();
            begin_ = 0;
            data_.swap(fresh);
        }
    }

private:
    std::vector<char> data_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

}  // namespace bench
