#include "client-lib/letter.hpp"

#include <fstream>

#include "client-lib/statements.hpp"
#include "proto/codec.hpp"
#include "proto/letter_format.hpp"
#include "proto/limits.hpp"
#include "proto/transcript.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace shuttle::client {

namespace {

using stream_state = crypto_secretstream_xchacha20poly1305_state;
constexpr std::size_t chunk = proto::chunk_plaintext_bytes;
constexpr std::size_t full_chunk = chunk + proto::chunk_overhead_bytes;
constexpr std::size_t length_prefix = 8;

static_assert(crypto_secretstream_xchacha20poly1305_ABYTES == proto::chunk_overhead_bytes);
static_assert(crypto_secretstream_xchacha20poly1305_HEADERBYTES == proto::stream_header_bytes);
static_assert(crypto_box_SEALBYTES == proto::seal_overhead_bytes);

stream_state* state_in(secret_bytes& s) { return reinterpret_cast<stream_state*>(s.data()); }

}  // namespace

letter_context letter_context::of(const proto::envelope& e) {
  return {e.header.statement_id, e.header.case_id, e.header.signer, e.kind, e.to};
}

bytes letter_ad(const letter_context& c) {
  proto::transcript t("shuttle/v1/letter-ad");
  t.add(c.message_id).add(c.case_id).add(c.sender).add(proto::to_string(c.kind)).add(proto::to_string(c.to));
  return t.data();
}

proto::wrap_box wrap_letter_key(const secret_bytes& letter_key, const proto::id& message_id,
                                const proto::public_key& reader_case_key) {
  secret_bytes plain(proto::letter_key_bytes + proto::id_bytes);
  std::memcpy(plain.data(), letter_key.data(), proto::letter_key_bytes);
  std::memcpy(plain.data() + proto::letter_key_bytes, message_id.data(), proto::id_bytes);
  proto::wrap_box box{};
  crypto_box_seal(box.data(), plain.data(), plain.size(), reader_case_key.data());
  return box;
}

result<secret_bytes> unwrap_letter_key(const proto::wrap_box& box, const proto::id& message_id, const case_key& mine) {
  secret_bytes plain(proto::letter_key_bytes + proto::id_bytes);
  if (crypto_box_seal_open(plain.data(), box.data(), box.size(), mine.public_key().data(), mine.secret().data()) != 0) {
    return make_error(errc::decrypt_failed, "the letter key does not open with this case key");
  }
  if (sodium_memcmp(plain.data() + proto::letter_key_bytes, message_id.data(), proto::id_bytes) != 0) {
    return make_error(errc::wrap_mismatch, "the letter key belongs to another message");
  }
  return secret_bytes::copy_of(plain.view().first(proto::letter_key_bytes));
}

result<secret_bytes> unwrap_for(const std::vector<proto::reader_wrap>& wraps, const proto::id& message_id,
                                const identity_key& me, const case_key& mine) {
  for (const auto& w : wraps) {
    if (w.reader == me.public_key()) return unwrap_letter_key(w.box, message_id, mine);
  }
  return make_error(errc::no_wrap_for_reader, "this letter holds no key for you");
}

// ------------------------------------------------------------------ sealer

struct chunk_sealer::state {
  secret_bytes stream{sizeof(stream_state)};
  secret_bytes buffer{chunk};  // plaintext of the chunk being filled
  std::size_t buffered = 0;
  bytes ad;
  std::uint64_t document_size = 0;
  std::uint64_t padded_size = 0;
  std::uint64_t written = 0;  // document bytes received
  std::uint64_t plain_in = 0;  // padded bytes pushed into chunks
  std::uint64_t cipher_out = 0;
  crypto_generichash_state hash;
  byte_sink sink;
  bytes out = bytes(full_chunk);

  // Pushes padded plaintext; a chunk is sealed as soon as it is full, with
  // the final tag when it ends the padded stream.
  void push(bytes_view data) {
    while (!data.empty()) {
      const std::size_t n = std::min(data.size(), chunk - buffered);
      std::memcpy(buffer.data() + buffered, data.data(), n);
      buffered += n;
      plain_in += n;
      data = data.subspan(n);
      if (buffered == chunk || plain_in == padded_size) seal_buffer();
    }
  }
  void push_zeros(std::uint64_t n) {
    static const fixed<4096> zeros{};
    while (n > 0) {
      const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(n, zeros.size()));
      push(bytes_view(zeros.data(), k));
      n -= k;
    }
  }
  void seal_buffer() {
    const byte tag = plain_in == padded_size ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                             : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    unsigned long long out_len = 0;
    crypto_secretstream_xchacha20poly1305_push(state_in(stream), out.data(), &out_len, buffer.data(), buffered,
                                               ad.data(), ad.size(), tag);
    crypto_generichash_update(&hash, out.data(), out_len);
    cipher_out += out_len;
    sink(bytes_view(out.data(), static_cast<std::size_t>(out_len)));
    sodium_memzero(buffer.data(), buffered);
    buffered = 0;
  }
};

chunk_sealer::chunk_sealer(const secret_bytes& letter_key, const letter_context& context,
                           std::uint64_t document_size, byte_sink sink)
    : s_(std::make_unique<state>()) {
  s_->ad = letter_ad(context);
  s_->document_size = document_size;
  s_->padded_size = padded_size(document_size);
  s_->sink = std::move(sink);
  crypto_generichash_init(&s_->hash, nullptr, 0, proto::hash_bytes);
  crypto_secretstream_xchacha20poly1305_init_push(state_in(s_->stream), header_.data(), letter_key.data());
  fixed<length_prefix> prefix{};
  for (std::size_t i = 0; i < length_prefix; ++i) {
    prefix[i] = static_cast<byte>(document_size >> (8 * (length_prefix - 1 - i)));
  }
  s_->push(prefix);
}

chunk_sealer::~chunk_sealer() = default;

result<void> chunk_sealer::write(bytes_view document_bytes) {
  if (document_bytes.size() > s_->document_size - s_->written) {
    return make_error(errc::invalid_argument, "more letter bytes than announced");
  }
  s_->written += document_bytes.size();
  s_->push(document_bytes);
  return {};
}

result<chunk_sealer::summary> chunk_sealer::finish() {
  if (s_->written != s_->document_size) return make_error(errc::invalid_argument, "fewer letter bytes than announced");
  s_->push_zeros(s_->padded_size - s_->plain_in);
  summary out;
  out.ciphertext_size = s_->cipher_out;
  crypto_generichash_final(&s_->hash, out.ciphertext_hash.data(), out.ciphertext_hash.size());
  return out;
}

// ------------------------------------------------------------------ opener

struct chunk_opener::state {
  secret_bytes stream{sizeof(stream_state)};
  bytes ad;
  bytes buffer;  // ciphertext of the chunk being filled
  secret_bytes plain{chunk};
  bool final_seen = false;
  crypto_generichash_state hash;
  byte_sink sink;
  // Padding removal.
  fixed<length_prefix> prefix{};
  std::size_t prefix_have = 0;
  std::uint64_t document_size = 0;
  std::uint64_t padded_size = 0;
  std::uint64_t plain_seen = 0;  // padded plaintext bytes after the prefix

  result<void> open_buffer() {
    unsigned long long n = 0;
    byte tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(state_in(stream), plain.data(), &n, &tag, buffer.data(),
                                                   buffer.size(), ad.data(), ad.size()) != 0) {
      return make_error(errc::decrypt_failed, "a part of the letter failed authentication");
    }
    crypto_generichash_update(&hash, buffer.data(), buffer.size());
    buffer.clear();
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      final_seen = true;
    } else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
      return make_error(errc::decrypt_failed, "unexpected chunk tag");
    }
    return unpad(bytes_view(plain.data(), static_cast<std::size_t>(n)));
  }

  result<void> unpad(bytes_view data) {
    const auto bad = make_error(errc::decrypt_failed, "the padding is malformed");
    while (prefix_have < length_prefix && !data.empty()) {
      prefix[prefix_have++] = data.front();
      data = data.subspan(1);
      if (prefix_have == length_prefix) {
        for (byte b : prefix) document_size = (document_size << 8) | b;
        if (document_size > proto::max_ciphertext_bytes) return bad;
        padded_size = padded_size_of(document_size);
      }
    }
    if (data.empty()) return {};
    if (data.size() > padded_size - length_prefix - plain_seen) return bad;
    const std::uint64_t doc_left = document_size > plain_seen ? document_size - plain_seen : 0;
    const std::size_t doc_part = static_cast<std::size_t>(std::min<std::uint64_t>(doc_left, data.size()));
    if (doc_part > 0) sink(data.first(doc_part));
    const auto zeros = data.subspan(doc_part);
    if (!std::all_of(zeros.begin(), zeros.end(), [](byte b) { return b == 0; })) return bad;
    plain_seen += data.size();
    return {};
  }

  static std::uint64_t padded_size_of(std::uint64_t n) { return client::padded_size(n); }
};

chunk_opener::chunk_opener(const secret_bytes& letter_key, const letter_context& context,
                           const proto::stream_header& header, byte_sink sink)
    : s_(std::make_unique<state>()) {
  s_->ad = letter_ad(context);
  s_->sink = std::move(sink);
  s_->buffer.reserve(full_chunk);
  crypto_generichash_init(&s_->hash, nullptr, 0, proto::hash_bytes);
  // Fails only for an all-zero-length key, which secret_bytes never is.
  crypto_secretstream_xchacha20poly1305_init_pull(state_in(s_->stream), header.data(), letter_key.data());
}

chunk_opener::~chunk_opener() = default;

result<void> chunk_opener::write(bytes_view ciphertext) {
  while (!ciphertext.empty()) {
    if (s_->final_seen) return make_error(errc::trailing_data, "data after the end of the letter");
    const std::size_t n = std::min(ciphertext.size(), full_chunk - s_->buffer.size());
    s_->buffer.insert(s_->buffer.end(), ciphertext.begin(), ciphertext.begin() + static_cast<std::ptrdiff_t>(n));
    ciphertext = ciphertext.subspan(n);
    if (s_->buffer.size() == full_chunk) {
      if (auto ok = s_->open_buffer(); !ok) return ok;
    }
  }
  return {};
}

result<proto::hash> chunk_opener::finish() {
  if (!s_->buffer.empty()) {
    if (s_->buffer.size() <= proto::chunk_overhead_bytes) {
      return make_error(errc::truncated, "the letter ends inside a chunk");
    }
    if (auto ok = s_->open_buffer(); !ok) return ok.error();
  }
  if (!s_->final_seen) return make_error(errc::truncated, "the letter ends before its last part");
  if (s_->prefix_have != length_prefix || s_->plain_seen + length_prefix != s_->padded_size) {
    return make_error(errc::decrypt_failed, "the padding is malformed");
  }
  proto::hash h{};
  crypto_generichash_final(&s_->hash, h.data(), h.size());
  return h;
}

// ------------------------------------------------------------------ envelopes

namespace {
letter_context context_of(const letter_draft& d, const proto::public_key& sender) {
  return {d.header.statement_id, d.header.case_id, sender, d.kind, d.to};
}
}  // namespace

letter_builder::letter_builder(const identity_key& sender, const case_key& sender_case_key, letter_draft draft,
                               std::vector<reader_key> facilitators, std::uint64_t document_size, byte_sink sink)
    : sender_(sender),
      letter_key_(secret_bytes::random(proto::letter_key_bytes)),
      sealer_(letter_key_, context_of(draft, sender.public_key()), document_size, std::move(sink)) {
  envelope_.header = draft.header;
  envelope_.header.signer = sender.public_key();
  envelope_.kind = draft.kind;
  envelope_.to = draft.to;
  envelope_.answers = draft.answers;
  envelope_.stream = sealer_.stream_header();
  const proto::id& message_id = draft.header.statement_id;
  // Readers: the sender first, then every facilitator in ascending key order.
  std::erase_if(facilitators, [&](const reader_key& r) { return r.identity == sender.public_key(); });
  std::sort(facilitators.begin(), facilitators.end(),
            [](const reader_key& a, const reader_key& b) { return a.identity < b.identity; });
  envelope_.wraps.push_back({sender.public_key(), wrap_letter_key(letter_key_, message_id, sender_case_key.public_key())});
  for (const auto& f : facilitators) {
    envelope_.wraps.push_back({f.identity, wrap_letter_key(letter_key_, message_id, f.case_key)});
  }
}

result<proto::envelope> letter_builder::finish() {
  auto summary = sealer_.finish();
  if (!summary) return summary.error();
  envelope_.ciphertext_size = summary->ciphertext_size;
  envelope_.ciphertext_hash = summary->ciphertext_hash;
  return sign(envelope_, sender_);
}

result<sealed_letter> seal_letter(const identity_key& sender, const case_key& sender_case_key,
                                  const letter_draft& draft, const std::vector<reader_key>& facilitators,
                                  const document& doc) {
  // The document goes into the sealer a piece at a time and the ciphertext
  // into one buffer of its final size: no plaintext copy of the letter is
  // made (nor left behind unzeroed), and nothing is copied as it grows.
  const std::uint64_t size = serialized_size(doc);
  if (padded_size(size) > proto::max_ciphertext_bytes) {
    return make_error(errc::invalid_argument, "the letter is larger than a relay accepts");
  }
  sealed_letter out;
  out.ciphertext.reserve(proto::ciphertext_size_for(padded_size(size)));
  letter_builder builder(sender, sender_case_key, draft, facilitators, size, [&out](bytes_view c) {
    out.ciphertext.insert(out.ciphertext.end(), c.begin(), c.end());
  });
  result<void> written;
  if (auto ok = serialize_to(doc, [&](bytes_view piece) {
        if (written) written = builder.write(piece);
      });
      !ok) {
    return ok.error();
  }
  if (!written) return written.error();
  auto envelope = builder.finish();
  if (!envelope) return envelope.error();
  out.envelope = std::move(*envelope);
  return out;
}

result<proto::revision> revision_of(const identity_key& sender, const proto::id& case_id, const proto::id& message_id,
                                    const proto::id& supersedes) {
  proto::revision r;
  r.header = header_for(case_id);
  r.message_id = message_id;
  r.supersedes = supersedes;
  return sign(std::move(r), sender);
}

result<ciphertext_source> ciphertext_source::file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return make_error(errc::invalid_argument, "the downloaded letter cannot be read");
  ciphertext_source out;
  out.file_ = path;
  out.size_ = size;
  return out;
}

result<void> ciphertext_source::each_piece(const std::function<result<void>(bytes_view)>& each) const {
  constexpr std::size_t piece = 64 * 1024;
  if (!file_) {
    for (std::size_t at = 0; at < memory_.size(); at += piece) {
      if (auto ok = each(memory_.subspan(at, std::min(piece, memory_.size() - at))); !ok) return ok;
    }
    return {};
  }
  std::ifstream in(*file_, std::ios::binary);
  if (!in) return make_error(errc::invalid_argument, "the downloaded letter cannot be read");
  bytes buf(piece);
  std::uint64_t total = 0;
  while (in) {
    in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    total += n;
    if (auto ok = each(bytes_view(buf.data(), n)); !ok) return ok;
  }
  if (total != size_) return make_error(errc::hash_mismatch, "the letter changed on this device while it was read");
  return {};
}

result<document> decrypt_letter(const proto::envelope& envelope, const ciphertext_source& ciphertext,
                                 const secret_bytes& letter_key) {
  const auto mismatch = make_error(errc::hash_mismatch, "the letter is not the one its sender signed");
  if (ciphertext.size() != envelope.ciphertext_size) return mismatch;
  crypto_generichash_state h;
  crypto_generichash_init(&h, nullptr, 0, proto::hash_bytes);
  if (auto ok = ciphertext.each_piece([&h](bytes_view p) -> result<void> {
        crypto_generichash_update(&h, p.data(), p.size());
        return {};
      });
      !ok) {
    return ok.error();
  }
  proto::hash got{};
  crypto_generichash_final(&h, got.data(), got.size());
  if (got != envelope.ciphertext_hash) return mismatch;

  document_reader reader(envelope.ciphertext_size);
  result<void> parsed;
  chunk_opener opener(letter_key, letter_context::of(envelope), envelope.stream, [&](bytes_view p) {
    if (parsed) parsed = reader.write(p);
  });
  if (auto ok = ciphertext.each_piece([&](bytes_view p) { return opener.write(p); }); !ok) return ok.error();
  if (auto done = opener.finish(); !done) return done.error();
  if (!parsed) return parsed.error();
  return reader.finish();
}

}  // namespace shuttle::client
