#include "client-lib/letter.hpp"

#include "proto/codec.hpp"
#include "proto/letter_format.hpp"
#include "proto/limits.hpp"
#include "tests/unit/client/case_fixture.hpp"

#include <gtest/gtest.h>

namespace shuttle::client {
namespace {

using testing::case_fixture;
constexpr std::size_t full_chunk = proto::chunk_plaintext_bytes + proto::chunk_overhead_bytes;

// Decrypts the ciphertext the way a reader with the letter key does.
result<document> open_with_sender_key(const case_fixture& c, const sealed_letter& l) {
  auto key = unwrap_for(l.envelope.wraps, l.envelope.header.statement_id, c.harmed, c.harmed_c);
  if (!key) return key.error();
  return decrypt_letter(l.envelope, l.ciphertext, *key);
}

TEST(Letter, RoundTripsForEveryReader) {
  case_fixture c;
  const document doc = document::text("A letter.");
  const auto l = c.letter_from_harmed(doc);
  EXPECT_EQ(l.envelope.wraps.size(), 3u);  // the sender and two facilitators
  EXPECT_EQ(l.envelope.wraps[0].reader, c.harmed.public_key());
  EXPECT_TRUE(proto::verify_signature(l.envelope));
  EXPECT_EQ(*open_with_sender_key(c, l), doc);
  for (const auto* f : {&c.f1, &c.f2}) {
    const auto& fc = f == &c.f1 ? c.f1c : c.f2c;
    auto key = unwrap_for(l.envelope.wraps, l.envelope.header.statement_id, *f, fc);
    ASSERT_TRUE(key);
    EXPECT_EQ(*decrypt_letter(l.envelope, l.ciphertext, *key), doc);
  }
}

TEST(Letter, TheRecipientHasNoWrapInTheEnvelope) {
  case_fixture c;
  const auto l = c.letter_from_harmed(document::text("A letter."));
  auto key = unwrap_for(l.envelope.wraps, l.envelope.header.statement_id, c.responsible, c.responsible_c);
  EXPECT_EQ(key.error().code, errc::no_wrap_for_reader);
  // Nor does any wrap open with the recipient's case key.
  for (const auto& w : l.envelope.wraps) {
    EXPECT_EQ(unwrap_letter_key(w.box, l.envelope.header.statement_id, c.responsible_c).error().code,
              errc::decrypt_failed);
  }
}

TEST(Letter, PadsToPadmeSizes) {
  case_fixture c;
  for (std::size_t n : {0u, 1u, 1000u, 100'000u}) {
    const auto l = c.letter_from_harmed(document::text(std::string(n, 'a')));
    const auto doc_size = serialize(document::text(std::string(n, 'a')))->size();
    EXPECT_EQ(l.envelope.ciphertext_size, proto::ciphertext_size_for(padded_size(doc_size))) << n;
    EXPECT_EQ(l.ciphertext.size(), l.envelope.ciphertext_size);
  }
}

TEST(Letter, AWrapMovedToAnotherMessageFails) {
  case_fixture c;
  const auto a = c.letter_from_harmed(document::text("first"));
  const auto b = c.letter_from_harmed(document::text("second"));
  auto moved = unwrap_letter_key(a.envelope.wraps[0].box, b.envelope.header.statement_id, c.harmed_c);
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, errc::wrap_mismatch);
}

TEST(Letter, EverySingleByteTamperOfTheCiphertextIsRejected) {
  case_fixture c;
  const auto l = c.letter_from_harmed(document::text("Short enough to try every byte."));
  auto key = *unwrap_for(l.envelope.wraps, l.envelope.header.statement_id, c.harmed, c.harmed_c);
  for (std::size_t i = 0; i < l.ciphertext.size(); ++i) {
    bytes changed = l.ciphertext;
    changed[i] ^= 0x01;
    EXPECT_EQ(decrypt_letter(l.envelope, changed, key).error().code, errc::hash_mismatch) << i;
    // Even with a hash that matches (a sender signing garbage), the chunk fails authentication.
    proto::envelope resigned = l.envelope;
    resigned.ciphertext_hash = proto::blake2b_256(changed);
    EXPECT_EQ(decrypt_letter(resigned, changed, key).error().code, errc::decrypt_failed) << i;
  }
}

TEST(Letter, EverySingleByteTamperOfTheStreamHeaderOrContextIsRejected) {
  case_fixture c;
  const auto l = c.letter_from_harmed(document::text("bound to its header"));
  auto key = *unwrap_for(l.envelope.wraps, l.envelope.header.statement_id, c.harmed, c.harmed_c);
  for (std::size_t i = 0; i < l.envelope.stream.size(); ++i) {
    proto::envelope e = l.envelope;
    e.stream[i] ^= 0x01;
    EXPECT_FALSE(decrypt_letter(e, l.ciphertext, key)) << i;
    EXPECT_FALSE(proto::verify_signature(e)) << i;
  }
  // The chunks' additional data binds the letter's facts: another kind or recipient fails.
  proto::envelope e = l.envelope;
  e.kind = proto::message_kind::agreement;
  EXPECT_EQ(decrypt_letter(e, l.ciphertext, key).error().code, errc::decrypt_failed);
  e = l.envelope;
  e.to = proto::role::harmed;
  EXPECT_EQ(decrypt_letter(e, l.ciphertext, key).error().code, errc::decrypt_failed);
}

TEST(Letter, EverySingleByteTamperOfAWrapIsRejected) {
  case_fixture c;
  const auto l = c.letter_from_harmed(document::text("wrapped"));
  for (std::size_t i = 0; i < proto::wrap_bytes; ++i) {
    proto::wrap_box box = l.envelope.wraps[0].box;
    box[i] ^= 0x01;
    EXPECT_EQ(unwrap_letter_key(box, l.envelope.header.statement_id, c.harmed_c).error().code, errc::decrypt_failed)
        << i;
  }
}

// The stream layer, below hashes and signatures: what a malicious sender could craft.
struct raw_stream {
  secret_bytes key = secret_bytes::random(proto::letter_key_bytes);
  letter_context context{new_id(), new_id(), {}, proto::message_kind::letter, proto::role::responsible};
  proto::stream_header header{};
  bytes ciphertext;

  explicit raw_stream(std::size_t document_size) {
    chunk_sealer sealer(key, context, document_size,
                        [this](bytes_view c) { ciphertext.insert(ciphertext.end(), c.begin(), c.end()); });
    header = sealer.stream_header();
    const bytes doc(document_size, 0x42);
    EXPECT_TRUE(sealer.write(doc));
    EXPECT_TRUE(sealer.finish());
  }

  result<proto::hash> open(bytes_view c, std::size_t piece = 1000) const {
    chunk_opener opener(key, context, header, [](bytes_view) {});
    while (!c.empty()) {
      const auto n = std::min(piece, c.size());
      if (auto ok = opener.write(c.first(n)); !ok) return ok.error();
      c = c.subspan(n);
    }
    return opener.finish();
  }
};

TEST(Stream, OpensInAnyPieceSize) {
  raw_stream s(200'000);
  EXPECT_GT(s.ciphertext.size(), 3 * full_chunk);
  for (std::size_t piece : {1u, 17u, 65'553u, 100'000u, 1'000'000u}) {
    auto h = s.open(s.ciphertext, piece);
    ASSERT_TRUE(h) << piece;
    EXPECT_EQ(*h, proto::blake2b_256(s.ciphertext));
  }
}

TEST(Stream, ACutAtAChunkBoundaryIsTruncated) {
  raw_stream s(200'000);
  for (std::size_t chunks = 1; chunks * full_chunk < s.ciphertext.size(); ++chunks) {
    auto r = s.open(bytes_view(s.ciphertext).first(chunks * full_chunk));
    ASSERT_FALSE(r) << chunks;
    EXPECT_EQ(r.error().code, errc::truncated) << chunks;
  }
  EXPECT_EQ(s.open({}).error().code, errc::truncated);
}

TEST(Stream, ACutInsideAChunkFails) {
  raw_stream s(100'000);
  for (std::size_t cut : {1u, 100u, 65'552u, 65'560u}) {
    EXPECT_FALSE(s.open(bytes_view(s.ciphertext).first(s.ciphertext.size() - cut))) << cut;
  }
}

TEST(Stream, DataAfterTheFinalChunkIsRejected) {
  // A final chunk of full size: more data after it is trailing data.
  raw_stream exact(proto::chunk_plaintext_bytes - 8);
  ASSERT_EQ(exact.ciphertext.size(), full_chunk);
  bytes longer = exact.ciphertext;
  longer.push_back(0);
  EXPECT_EQ(exact.open(longer).error().code, errc::trailing_data);
  // A short final chunk followed by more bytes no longer authenticates.
  raw_stream s(1000);
  longer = s.ciphertext;
  longer.insert(longer.end(), 20, 0);
  EXPECT_FALSE(s.open(longer));
}

TEST(Stream, ReorderedChunksFail) {
  raw_stream s(200'000);
  bytes swapped = s.ciphertext;
  std::swap_ranges(swapped.begin(), swapped.begin() + full_chunk, swapped.begin() + full_chunk);
  EXPECT_EQ(s.open(swapped).error().code, errc::decrypt_failed);
}

TEST(Stream, TheSealerRefusesAWrongAnnouncedSize) {
  secret_bytes key = secret_bytes::random(32);
  chunk_sealer sealer(key, {}, 10, [](bytes_view) {});
  EXPECT_TRUE(sealer.write(bytes(5, 1)));
  EXPECT_EQ(sealer.write(bytes(6, 1)).error().code, errc::invalid_argument);
  EXPECT_EQ(sealer.finish().error().code, errc::invalid_argument);
}

}  // namespace
}  // namespace shuttle::client
