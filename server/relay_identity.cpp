#include "server/relay_identity.hpp"

#include <sodium.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace shuttle::relay {

relay_identity relay_identity::load_or_create(const std::filesystem::path& file) {
  fixed<crypto_sign_SEEDBYTES> seed{};
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0) {
    const ssize_t n = ::read(fd, seed.data(), seed.size());
    char extra = 0;
    const ssize_t more = ::read(fd, &extra, 1);
    ::close(fd);
    if (n != static_cast<ssize_t>(seed.size()) || more != 0) {
      throw std::runtime_error("the relay key " + file.string() + " is damaged");
    }
  } else if (errno == ENOENT) {
    randombytes_buf(seed.data(), seed.size());
    const int out = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (out < 0 || ::write(out, seed.data(), seed.size()) != static_cast<ssize_t>(seed.size()) || ::fsync(out) != 0) {
      const int err = errno;
      if (out >= 0) ::close(out);
      throw std::runtime_error("cannot write the relay key " + file.string() + ": " + std::strerror(err));
    }
    ::close(out);
  } else {
    throw std::runtime_error("cannot read the relay key " + file.string() + ": " + std::strerror(errno));
  }
  relay_identity r;
  crypto_sign_seed_keypair(r.public_.data(), r.secret_.data(), seed.data());
  sodium_memzero(seed.data(), seed.size());
  return r;
}

proto::signature relay_identity::sign(bytes_view message) const {
  proto::signature sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_.data());
  return sig;
}

fixed<32> relay_identity::derived_key(std::string_view purpose) const {
  fixed<32> out{};
  // libsodium's secret key is the seed and then the public key: the seed keys the hash.
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(purpose.data()), purpose.size(),
                     secret_.data(), crypto_sign_SEEDBYTES);
  return out;
}

}  // namespace shuttle::relay
