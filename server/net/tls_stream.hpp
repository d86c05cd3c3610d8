// The relay's TLS stream for one accepted connection, an AsyncStream for
// Beast's HTTP and WebSocket code.
//
// Why not asio::ssl::stream: it gives every connection two zero-filled
// 17 KiB record buffers of its own plus an OpenSSL BIO pair with two more,
// about 60 KiB that an idle WebSocket subscriber keeps for its whole life.
// Here OpenSSL reads and writes the non-blocking socket itself, through a
// small BIO that calls recv and send (MSG_NOSIGNAL), and the stream only
// waits with Asio for the socket to be ready. With SSL_MODE_RELEASE_BUFFERS
// an idle connection holds the SSL object and nothing else.
//
// Deadlines work like beast::tcp_stream's: expires_after() covers the
// operations pending and those started before the next call; when it passes,
// they fail with beast::error::timeout. The socket closes when the stream
// goes (or on close()).
//
// One stream lives on one single-threaded io_context (as every session of
// the relay does), and completions run on that context: at most one read
// and one write may be pending at once.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

typedef struct ssl_ctx_st SSL_CTX;

namespace shuttle::relay::net {

class tls_stream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using handler = boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;

  // The largest plaintext one TLS record carries; writes of several buffers
  // are gathered up to this size, so an HTTP answer leaves as one record.
  static constexpr std::size_t max_record = 16 * 1024;

  // Takes an accepted socket; `context` must outlive the stream.
  // Throws std::runtime_error when OpenSSL cannot make the connection's state.
  tls_stream(boost::asio::ip::tcp::socket socket, SSL_CTX* context);
  tls_stream(tls_stream&&) noexcept;
  tls_stream& operator=(tls_stream&&) noexcept;
  ~tls_stream();

  executor_type get_executor() const;

  void expires_after(std::chrono::steady_clock::duration d);
  void expires_never();

  // The server side of the TLS handshake.
  template <class Token>
  auto async_handshake(Token&& token) {
    return initiate_without_size(kind::handshake, std::forward<Token>(token));
  }

  // Reads into the first non-empty buffer; eof once the peer closed TLS.
  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    boost::asio::mutable_buffer target;
    for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it) {
      if (boost::asio::mutable_buffer b(*it); b.size() > 0) {
        target = b;
        break;
      }
    }
    return initiate(kind::read, target, {}, std::forward<Token>(token));
  }

  // Writes one record at most: a single buffer in place, several gathered.
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    std::vector<char> gathered;
    boost::asio::const_buffer first;
    std::size_t non_empty = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::const_buffer b(*it);
      if (b.size() == 0) continue;
      if (non_empty++ == 0) first = b;
    }
    if (non_empty > 1 && first.size() < max_record) {
      // Written from `gathered` itself (start() points there), wherever it moved to.
      gathered.resize(std::min(boost::asio::buffer_size(buffers), max_record));
      boost::asio::buffer_copy(boost::asio::buffer(gathered), buffers);
      first = {};
    }
    const boost::asio::mutable_buffer source(const_cast<void*>(first.data()), first.size());  // only ever read
    return initiate(kind::write, source, std::move(gathered), std::forward<Token>(token));
  }

  // Sends close_notify (without waiting for the peer's).
  template <class Token>
  auto async_shutdown(Token&& token) {
    return initiate_without_size(kind::shutdown, std::forward<Token>(token));
  }

  // Closes the socket at once; pending operations end with operation_aborted.
  void close();

 private:
  enum class kind { handshake, read, write, shutdown };
  struct state;
  struct operation;

  template <class Token>
  auto initiate(kind k, boost::asio::mutable_buffer buffer, std::vector<char> owned, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this, k, buffer](auto h, std::vector<char> bytes) { start(k, buffer, std::move(bytes), handler(std::move(h))); },
        token, std::move(owned));
  }
  template <class Token>
  auto initiate_without_size(kind k, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this, k](auto h) {
          start(k, {}, {}, [h = std::move(h)](boost::system::error_code ec, std::size_t) mutable { std::move(h)(ec); });
        },
        token);
  }
  void start(kind k, boost::asio::mutable_buffer buffer, std::vector<char> owned, handler h);

  std::shared_ptr<state> s_;
};

// How Beast's websocket::stream ends the connection (found by ADL): the
// TLS close_notify, then the socket closes. Only the asynchronous form
// exists; the relay never blocks on a socket.
template <class Handler>
void async_teardown(boost::beast::role_type, tls_stream& stream, Handler&& h) {
  stream.async_shutdown([&stream, h = std::forward<Handler>(h)](boost::system::error_code ec) mutable {
    stream.close();
    std::move(h)(ec);
  });
}

// How Beast's websocket::stream closes the connection at once, after a
// failure or a timeout (found by ADL).
inline void beast_close_socket(tls_stream& stream) { stream.close(); }

}  // namespace shuttle::relay::net
