#include "server/net/tls_stream.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <stdexcept>

namespace shuttle::relay::net {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

// A BIO on the connection's socket: recv and send, never SIGPIPE, and
// "try again" when the non-blocking socket would block.
int socket_of(BIO* b) { return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(b))); }

bool would_block(int e) { return e == EAGAIN || e == EWOULDBLOCK || e == EINTR; }

int bio_read(BIO* b, char* data, int size) {
  BIO_clear_retry_flags(b);
  const auto n = ::recv(socket_of(b), data, static_cast<std::size_t>(size), 0);
  if (n < 0 && would_block(errno)) BIO_set_retry_read(b);
  return static_cast<int>(n);
}

int bio_write(BIO* b, const char* data, int size) {
  BIO_clear_retry_flags(b);
  const auto n = ::send(socket_of(b), data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  if (n < 0 && would_block(errno)) BIO_set_retry_write(b);
  return static_cast<int>(n);
}

// Whether the socket has no byte waiting (an error or the peer's close counts as something to read).
bool nothing_to_read(int socket) {
  char c;
  return ::recv(socket, &c, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && would_block(errno);
}

long bio_ctrl(BIO*, int command, long, void*) { return command == BIO_CTRL_FLUSH ? 1 : 0; }

BIO_METHOD* socket_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "shuttle socket");
    if (!m || !BIO_meth_set_read(m, bio_read) || !BIO_meth_set_write(m, bio_write) || !BIO_meth_set_ctrl(m, bio_ctrl)) {
      throw std::runtime_error("cannot make the TLS socket BIO");
    }
    return m;
  }();
  return method;
}

// What a failed OpenSSL call means, for the caller of the operation.
error_code failure_of(int ssl_error, int saved_errno) {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (ssl_error == SSL_ERROR_ZERO_RETURN) return asio::error::eof;
  if (e != 0) {
    if (ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) return asio::ssl::error::stream_truncated;
    return {static_cast<int>(e), asio::error::get_ssl_category()};
  }
  if (ssl_error == SSL_ERROR_SYSCALL && saved_errno != 0) return {saved_errno, boost::system::system_category()};
  return asio::ssl::error::stream_truncated;  // the peer went away mid-record
}

}  // namespace

struct tls_stream::state {
  state(tcp::socket s, SSL* connection) : socket(std::move(s)), timer(socket.get_executor()), ssl(connection) {}
  ~state() { SSL_free(ssl); }
  state(const state&) = delete;
  state& operator=(const state&) = delete;

  tcp::socket socket;
  asio::steady_timer timer;
  SSL* ssl;
  bool expired = false;  // the deadline passed; operations fail with timeout until the next one is set
  bool closed = false;
  std::uint64_t deadline = 0;  // which expires_after() the timer's wait belongs to
};

// One operation: an OpenSSL call, repeated each time the socket is ready
// for what OpenSSL asked for, until it succeeds or fails.
struct tls_stream::operation {
  std::shared_ptr<state> s;
  kind k;
  asio::mutable_buffer buffer;
  std::vector<char> owned;  // a gathered write
  handler h;

  void step(bool first) {
    if (s->closed) return finish(asio::error::operation_aborted, 0, first);
    if (s->expired) return finish(boost::beast::error::timeout, 0, first);
    const int size = static_cast<int>(std::min<std::size_t>(buffer.size(), INT_MAX));
    ERR_clear_error();
    int r = 0;
    switch (k) {
      case kind::handshake: r = SSL_do_handshake(s->ssl); break;
      case kind::read:
        if (size == 0) return finish({}, 0, first);
        // OpenSSL takes its record buffer when a read starts and keeps it
        // while the read waits, so an idle connection would hold ~17 KiB:
        // wait for bytes first, unless OpenSSL holds some already.
        if (!SSL_has_pending(s->ssl) && nothing_to_read(s->socket.native_handle())) return wait(tcp::socket::wait_read);
        r = SSL_read(s->ssl, buffer.data(), size);
        break;
      case kind::write:
        if (size == 0) return finish({}, 0, first);
        r = SSL_write(s->ssl, buffer.data(), size);
        break;
      case kind::shutdown:
        r = SSL_shutdown(s->ssl);
        if (r == 0) r = 1;  // close_notify is sent; the peer's is not awaited
        break;
    }
    const int saved_errno = errno;
    if (r > 0) return finish({}, k == kind::read || k == kind::write ? static_cast<std::size_t>(r) : 0, first);
    const int e = SSL_get_error(s->ssl, r);
    if (e == SSL_ERROR_WANT_READ) return wait(tcp::socket::wait_read);
    if (e == SSL_ERROR_WANT_WRITE) return wait(tcp::socket::wait_write);
    finish(failure_of(e, saved_errno), 0, first);
  }

  void wait(tcp::socket::wait_type w) {
    tcp::socket& socket = s->socket;
    socket.async_wait(w, [op = std::move(*this)](error_code ec) mutable {
      if (!ec) return op.step(false);
      if (op.s->expired && !op.s->closed) ec = boost::beast::error::timeout;
      op.finish(ec, 0, false);
    });
  }

  // A result found at once is posted: a handler never runs inside the call
  // that started it. Later ones are already on the stream's context.
  void finish(error_code ec, std::size_t n, bool first) {
    if (first) {
      asio::post(s->socket.get_executor(), [h = std::move(h), ec, n]() mutable { std::move(h)(ec, n); });
    } else {
      std::move(h)(ec, n);
    }
  }
};

tls_stream::tls_stream(tcp::socket socket, SSL_CTX* context) {
  SSL* ssl = SSL_new(context);
  BIO* bio = ssl ? BIO_new(socket_method()) : nullptr;
  if (!bio) {
    SSL_free(ssl);
    throw std::runtime_error("cannot make a TLS connection's state");
  }
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(socket.native_handle())));
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl, bio, bio);  // the SSL owns the BIO now
  SSL_set_accept_state(ssl);
  // A write may end after a whole record, and a repeated write may come from a gathered copy elsewhere.
  SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_set_read_ahead(ssl, 1);  // one recv per burst instead of two per record
  error_code ec;
  socket.non_blocking(true, ec);
  if (ec) {
    SSL_free(ssl);
    throw std::runtime_error("cannot make the socket non-blocking: " + ec.message());
  }
  s_ = std::make_shared<state>(std::move(socket), ssl);
}

tls_stream::tls_stream(tls_stream&&) noexcept = default;
tls_stream& tls_stream::operator=(tls_stream&&) noexcept = default;

tls_stream::~tls_stream() {
  if (s_) close();
}

tls_stream::executor_type tls_stream::get_executor() const { return s_->socket.get_executor(); }

void tls_stream::expires_after(std::chrono::steady_clock::duration d) {
  state& st = *s_;
  st.expired = false;
  const std::uint64_t which = ++st.deadline;
  st.timer.expires_after(d);
  st.timer.async_wait([weak = std::weak_ptr<state>(s_), which](error_code ec) {
    auto held = weak.lock();
    if (ec || !held || held->deadline != which) return;
    held->expired = true;
    error_code ignored;
    held->socket.cancel(ignored);
  });
}

void tls_stream::expires_never() {
  ++s_->deadline;
  s_->expired = false;
  s_->timer.cancel();
}

void tls_stream::close() {
  s_->closed = true;
  s_->timer.cancel();
  error_code ignored;
  s_->socket.close(ignored);
}

void tls_stream::start(kind k, asio::mutable_buffer buffer, std::vector<char> owned, handler h) {
  if (!owned.empty()) buffer = asio::buffer(owned);
  operation{s_, k, buffer, std::move(owned), std::move(h)}.step(true);
}

}  // namespace shuttle::relay::net
