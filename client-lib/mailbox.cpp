#include "client-lib/mailbox.hpp"

#include "proto/base64.hpp"
#include "proto/json_fields.hpp"
#include "proto/strict_json.hpp"
#include "proto/transcript.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/json.hpp>
#include <sodium.h>

#include <array>
#include <fstream>

namespace shuttle::client {

namespace json = boost::json;

namespace {

constexpr char kdf_context[crypto_kdf_CONTEXTBYTES] = {'s', 'h', 'u', 't', 'm', 'b', 'o', 'x'};
constexpr std::size_t max_value_bytes = 256 * 1024 * 1024;

bytes additional_data(std::string_view kind, bytes_view key) {
  proto::transcript t("shuttle/v1/mailbox");
  t.add(kind).add(key);
  return t.data();
}

bytes as_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }

template <std::size_t N>
std::string b64(const fixed<N>& v) {
  return proto::base64url_encode(v);
}

result<json::value> parse_object(const std::string& text) {
  auto v = proto::parse_strict_json(text, max_value_bytes, 8);
  if (!v || !v->is_object()) return make_error(errc::keystore_corrupt, "a mailbox entry is damaged");
  return std::move(*v);
}

error damaged() { return make_error(errc::keystore_corrupt, "the mailbox is damaged or belongs to another key"); }

}  // namespace

result<mailbox> mailbox::open(const std::filesystem::path& file, const identity_key& me) {
  mailbox m;
  m.key_ = secret_bytes(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  crypto_kdf_derive_from_key(m.key_.data(), m.key_.size(), 1, kdf_context, me.seed().data());
  m.file_key_ = secret_bytes(crypto_secretstream_xchacha20poly1305_KEYBYTES);
  crypto_kdf_derive_from_key(m.file_key_.data(), m.file_key_.size(), 2, kdf_context, me.seed().data());
  m.kept_dir_ = (file.has_parent_path() ? file.parent_path() : std::filesystem::path(".")) / "kept";
  try {
    const bool existed = std::filesystem::exists(file);
    m.db_ = std::make_unique<SQLite::Database>(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    if (!existed) std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    m.db_->exec("PRAGMA secure_delete = ON");
    m.db_->exec("PRAGMA journal_mode = DELETE");
    m.db_->exec("CREATE TABLE IF NOT EXISTS entries (kind TEXT NOT NULL, key BLOB NOT NULL, nonce BLOB NOT NULL, "
                "value BLOB NOT NULL, PRIMARY KEY (kind, key))");
  } catch (const SQLite::Exception& e) {
    return make_error(errc::invalid_argument, std::string("cannot open the mailbox: ") + e.what());
  }
  return m;
}

mailbox::mailbox(mailbox&&) noexcept = default;
mailbox& mailbox::operator=(mailbox&&) noexcept = default;
mailbox::~mailbox() = default;

result<void> mailbox::put(std::string_view kind, bytes_view key, std::string_view value) {
  fixed<crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  const bytes ad = additional_data(kind, key);
  bytes box(value.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long n = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(box.data(), &n, reinterpret_cast<const byte*>(value.data()), value.size(),
                                             ad.data(), ad.size(), nullptr, nonce.data(), key_.data());
  try {
    SQLite::Statement q(*db_, "INSERT OR REPLACE INTO entries (kind, key, nonce, value) VALUES (?, ?, ?, ?)");
    q.bind(1, std::string(kind));
    q.bind(2, key.data(), static_cast<int>(key.size()));
    q.bind(3, nonce.data(), static_cast<int>(nonce.size()));
    q.bind(4, box.data(), static_cast<int>(box.size()));
    q.exec();
  } catch (const SQLite::Exception& e) {
    return make_error(errc::invalid_argument, std::string("cannot write the mailbox: ") + e.what());
  }
  return {};
}

namespace {

result<std::string> open_value(const SQLite::Column& nonce, const SQLite::Column& value, std::string_view kind,
                               bytes_view key, const secret_bytes& k) {
  if (nonce.getBytes() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
      value.getBytes() < static_cast<int>(crypto_aead_xchacha20poly1305_ietf_ABYTES)) {
    return damaged();
  }
  const bytes ad = additional_data(kind, key);
  std::string out(static_cast<std::size_t>(value.getBytes()) - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long n = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<byte*>(out.data()), &n, nullptr,
                                                 static_cast<const byte*>(value.getBlob()),
                                                 static_cast<unsigned long long>(value.getBytes()), ad.data(), ad.size(),
                                                 static_cast<const byte*>(nonce.getBlob()), k.data()) != 0) {
    return damaged();
  }
  return out;
}

}  // namespace

result<std::optional<std::string>> mailbox::get(std::string_view kind, bytes_view key) {
  SQLite::Statement q(*db_, "SELECT nonce, value FROM entries WHERE kind = ? AND key = ?");
  q.bind(1, std::string(kind));
  q.bind(2, key.data(), static_cast<int>(key.size()));
  if (!q.executeStep()) return std::optional<std::string>();
  auto v = open_value(q.getColumn(0), q.getColumn(1), kind, key, key_);
  if (!v) return v.error();
  return std::optional<std::string>(std::move(*v));
}

result<std::vector<std::string>> mailbox::all(std::string_view kind) {
  SQLite::Statement q(*db_, "SELECT key, nonce, value FROM entries WHERE kind = ? ORDER BY rowid");
  q.bind(1, std::string(kind));
  std::vector<std::string> out;
  while (q.executeStep()) {
    const auto k = q.getColumn(0);
    const auto* p = static_cast<const byte*>(k.getBlob());
    const bytes key(p, p + k.getBytes());
    auto v = open_value(q.getColumn(1), q.getColumn(2), kind, key, key_);
    if (!v) return v.error();
    out.push_back(std::move(*v));
  }
  return out;
}

result<void> mailbox::set(std::string_view name, std::string_view value) { return put("setting", as_bytes(name), value); }
result<std::optional<std::string>> mailbox::setting(std::string_view name) { return get("setting", as_bytes(name)); }
result<void> mailbox::unset(std::string_view name) {
  SQLite::Statement q(*db_, "DELETE FROM entries WHERE kind = 'setting' AND key = ?");
  const bytes key = as_bytes(name);
  q.bind(1, key.data(), static_cast<int>(key.size()));
  q.exec();
  return {};
}

namespace {

json::object to_object(const case_entry& c) {
  return {{"case", b64(c.case_id)}, {"role", proto::to_string(c.role)}, {"pinned", b64(c.pinned)}};
}

result<case_entry> case_of(const std::string& text) {
  auto v = parse_object(text);
  if (!v) return v.error();
  case_entry c;
  proto::object_reader r(*v, "case");
  r("case", c.case_id);
  r("role", c.role);
  r("pinned", c.pinned);
  if (auto ok = r.finish(); !ok) return damaged();
  return c;
}

std::optional<std::string> text_field(const json::value& v, std::string_view name) {
  if (const auto* f = v.as_object().if_contains(name); f && f->is_string()) return std::string(f->as_string());
  return std::nullopt;
}

result<kept_letter> letter_of(const std::string& text) {
  auto v = parse_object(text);
  if (!v) return v.error();
  const auto& o = v->as_object();
  kept_letter l;
  const json::value* received = o.if_contains("received_at");
  const json::value* message = o.if_contains("message");
  const json::value* case_id = o.if_contains("case");
  const json::value* sender = o.if_contains("sender");
  if (!received || !message || !case_id || !sender || !proto::read_value(*received, l.received_at, "received_at") ||
      !proto::read_value(*message, l.message, "message") || !proto::read_value(*case_id, l.case_id, "case") ||
      !proto::read_value(*sender, l.sender, "sender")) {
    return damaged();
  }
  auto document_text = text_field(*v, "document");
  if (!document_text) return damaged();
  auto raw = proto::base64url_decode(*document_text);
  if (!raw) return damaged();
  auto doc = parse_document(*raw);
  if (!doc) return damaged();
  l.content = std::move(*doc);
  l.content_note = text_field(*v, "note");
  // Sizes of the attachments whose bytes are in the letter's own file.
  if (const auto* sizes = o.if_contains("attachment_sizes")) {
    const auto* list = sizes->if_array();
    if (!list || list->size() != l.content.attachments.size()) return damaged();
    l.attachments_in_file = true;
    for (std::size_t i = 0; i < list->size(); ++i) {
      std::uint64_t n = 0;
      if (!proto::read_value((*list)[i], n, "attachment_sizes") || n > proto::max_ciphertext_bytes) return damaged();
      l.content.attachments[i].data.resize(static_cast<std::size_t>(n));  // filled by read_attachments
    }
  }
  return l;
}

}  // namespace

result<void> mailbox::put_case(const case_entry& c) {
  return put("case", bytes(c.case_id.begin(), c.case_id.end()), json::serialize(to_object(c)));
}

result<std::vector<case_entry>> mailbox::cases() {
  auto texts = all("case");
  if (!texts) return texts.error();
  std::vector<case_entry> out;
  for (const auto& t : *texts) {
    auto c = case_of(t);
    if (!c) return c.error();
    out.push_back(*c);
  }
  return out;
}

result<std::optional<case_entry>> mailbox::find_case(const proto::id& case_id) {
  auto t = get("case", bytes(case_id.begin(), case_id.end()));
  if (!t) return t.error();
  if (!*t) return std::optional<case_entry>();
  auto c = case_of(**t);
  if (!c) return c.error();
  return std::optional<case_entry>(*c);
}

result<void> mailbox::keep(const proto::id& message, const proto::id& case_id, const proto::public_key& sender,
                           std::uint64_t received_at, const std::optional<std::string>& content_note,
                           const document& content) {
  // The document's frames without the attachments' bytes; those go to their file.
  document head;
  head.content_type = content.content_type;
  head.body = content.body;
  json::array sizes;
  for (const auto& a : content.attachments) {
    head.attachments.push_back({a.name, a.content_type, {}});
    sizes.push_back(a.data.size());
  }
  auto doc = serialize(head);
  if (!doc) return doc.error();
  if (!content.attachments.empty()) {
    if (auto ok = write_attachments(message, content); !ok) return ok;
  }
  json::object o{{"message", b64(message)},
                 {"case", b64(case_id)},
                 {"sender", b64(sender)},
                 {"received_at", received_at},
                 {"document", proto::base64url_encode(*doc)}};
  if (content_note) o["note"] = *content_note;
  if (!sizes.empty()) o["attachment_sizes"] = std::move(sizes);
  return put("letter", bytes(message.begin(), message.end()), json::serialize(o));
}

result<std::optional<kept_letter>> mailbox::letter(const proto::id& message) {
  auto t = get("letter", bytes(message.begin(), message.end()));
  if (!t) return t.error();
  if (!*t) return std::optional<kept_letter>();
  auto l = letter_of(**t);
  if (!l) return l.error();
  if (auto ok = read_attachments(*l); !ok) return ok.error();
  return std::optional<kept_letter>(std::move(*l));
}
result<std::vector<kept_letter>> mailbox::letters(const proto::id& case_id, bool with_attachments) {
  auto texts = all("letter");
  if (!texts) return texts.error();
  std::vector<kept_letter> out;
  for (const auto& t : *texts) {
    auto l = letter_of(t);
    if (!l) return l.error();
    if (l->case_id != case_id) continue;
    if (with_attachments) {
      if (auto ok = read_attachments(*l); !ok) return ok.error();
    } else {
      for (auto& a : l->content.attachments) bytes().swap(a.data);
    }
    out.push_back(std::move(*l));
  }
  return out;
}

result<bool> mailbox::forget(const proto::id& message) {
  std::error_code ec;
  std::filesystem::remove(attachments_file(message), ec);
  SQLite::Statement q(*db_, "DELETE FROM entries WHERE kind = 'letter' AND key = ?");
  q.bind(1, message.data(), static_cast<int>(message.size()));
  return q.exec() > 0;
}

// ------------------------------------------------------------------ kept attachments
//
// One file per kept letter: a secretstream header, then the attachments'
// bytes one after the other, in chunks of 64 KiB, the letter's id as the
// additional data of every chunk and the last one tagged final.

namespace {
constexpr std::size_t kept_chunk_bytes = 64 * 1024;
}

std::filesystem::path mailbox::attachments_file(const proto::id& message) const {
  return kept_dir_ / (b64(message) + ".attachments");
}

result<void> mailbox::write_attachments(const proto::id& message, const document& content) {
  const auto failed = make_error(errc::invalid_argument, "cannot keep the letter's attachments on this device");
  std::error_code ec;
  std::filesystem::create_directories(kept_dir_, ec);
  std::filesystem::permissions(kept_dir_, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
  const auto path = attachments_file(message);
  const auto partial = std::filesystem::path(path.string() + ".partial");
  std::ofstream out(partial, std::ios::binary | std::ios::trunc);
  std::filesystem::permissions(partial, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace, ec);
  if (!out) return failed;
  crypto_secretstream_xchacha20poly1305_state st;
  std::array<byte, crypto_secretstream_xchacha20poly1305_HEADERBYTES> header{};
  crypto_secretstream_xchacha20poly1305_init_push(&st, header.data(), file_key_.data());
  out.write(reinterpret_cast<const char*>(header.data()), header.size());
  std::uint64_t total = 0;
  for (const auto& a : content.attachments) total += a.data.size();
  bytes chunk, sealed(kept_chunk_bytes + crypto_secretstream_xchacha20poly1305_ABYTES);
  chunk.reserve(kept_chunk_bytes);
  std::uint64_t written = 0;
  auto flush = [&](bool last) {
    unsigned long long n = 0;
    crypto_secretstream_xchacha20poly1305_push(&st, sealed.data(), &n, chunk.data(), chunk.size(), message.data(),
                                               message.size(),
                                               last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    out.write(reinterpret_cast<const char*>(sealed.data()), static_cast<std::streamsize>(n));
    sodium_memzero(chunk.data(), chunk.size());
    chunk.clear();
  };
  for (const auto& a : content.attachments) {
    for (std::size_t at = 0; at < a.data.size();) {
      const std::size_t take = std::min(kept_chunk_bytes - chunk.size(), a.data.size() - at);
      chunk.insert(chunk.end(), a.data.begin() + static_cast<std::ptrdiff_t>(at),
                   a.data.begin() + static_cast<std::ptrdiff_t>(at + take));
      at += take;
      written += take;
      if (chunk.size() == kept_chunk_bytes && written < total) flush(false);
    }
  }
  flush(true);
  out.close();
  if (!out) return failed;
  std::filesystem::rename(partial, path, ec);
  if (ec) return failed;
  return {};
}

result<void> mailbox::read_attachments(kept_letter& l) {
  if (!l.attachments_in_file) return {};  // kept before they had a file of their own
  std::uint64_t total = 0;
  for (const auto& a : l.content.attachments) total += a.data.size();
  std::ifstream in(attachments_file(l.message), std::ios::binary);
  if (!in) return make_error(errc::keystore_corrupt, "a kept letter's attachments are missing from this device");
  std::array<byte, crypto_secretstream_xchacha20poly1305_HEADERBYTES> header{};
  in.read(reinterpret_cast<char*>(header.data()), header.size());
  crypto_secretstream_xchacha20poly1305_state st;
  if (!in || crypto_secretstream_xchacha20poly1305_init_pull(&st, header.data(), file_key_.data()) != 0) return damaged();
  bytes sealed(kept_chunk_bytes + crypto_secretstream_xchacha20poly1305_ABYTES), chunk(kept_chunk_bytes);
  std::size_t index = 0, offset = 0;
  std::uint64_t read_total = 0;
  bool final = false;
  while (!final) {
    const std::uint64_t left = total - read_total;
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, kept_chunk_bytes)) +
                             crypto_secretstream_xchacha20poly1305_ABYTES;
    in.read(reinterpret_cast<char*>(sealed.data()), static_cast<std::streamsize>(want));
    if (static_cast<std::size_t>(in.gcount()) != want) return damaged();
    unsigned long long n = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&st, chunk.data(), &n, &tag, sealed.data(), want, l.message.data(),
                                                   l.message.size()) != 0) {
      return damaged();
    }
    final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    read_total += n;
    if (final != (read_total == total)) return damaged();
    for (std::size_t at = 0; at < n;) {
      while (index < l.content.attachments.size() && offset == l.content.attachments[index].data.size()) {
        ++index;
        offset = 0;
      }
      if (index == l.content.attachments.size()) return damaged();
      auto& data = l.content.attachments[index].data;
      const std::size_t take = std::min<std::size_t>(n - at, data.size() - offset);
      std::copy_n(chunk.begin() + static_cast<std::ptrdiff_t>(at), take, data.begin() + static_cast<std::ptrdiff_t>(offset));
      at += take;
      offset += take;
    }
  }
  sodium_memzero(chunk.data(), chunk.size());
  return {};
}

}  // namespace shuttle::client
