// Separate compilation: the one translation unit that holds Asio's, Asio SSL's and Beast's
// out-of-line definitions, so no other file pays for them.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
