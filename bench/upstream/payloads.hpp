// The response bodies of the fake upstream: OpenAI chat completions (whole and streamed) and
// Anthropic messages, shaped like the real services' answers.
#pragma once

#include <string>
#include <string_view>

namespace bench::upstream {

/// Echoes `"model"` of a JSON request body, or `fallback` when there is none.
std::string model_of(std::string_view body, std::string_view fallback);

/// True when the JSON request body has `"stream": true`.
bool wants_stream(std::string_view body);

/// True when the JSON request body asks for usage in a stream (`"include_usage": true`).
bool wants_usage(std::string_view body);

std::string chat_completion(std::string_view model);
std::string models_list();

/// One `chat.completion.chunk` event (`data: {...}\n\n`); chunk 0 carries the role. With
/// `usage` (include_usage asked), it has `"usage":null`, as OpenAI's chunks then do.
std::string chat_chunk(std::string_view model, unsigned index, bool usage);
/// The end of a chat stream: the finish chunk, the usage chunk (with `usage`) and
/// `data: [DONE]`.
std::string chat_stream_end(std::string_view model, unsigned chunks, bool usage);

std::string anthropic_message(std::string_view model);
/// Anthropic stream events: the start (message_start, content_block_start), one text delta,
/// and the end (content_block_stop, message_delta with usage, message_stop).
std::string anthropic_stream_start(std::string_view model);
std::string anthropic_delta(unsigned index);
std::string anthropic_stream_end(unsigned chunks);

}  // namespace bench::upstream
