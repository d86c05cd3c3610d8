// Every size limit of the wire format, in one place, with units in the names.
// proto/SPEC.md "Limits" lists the same numbers; change both together.
#pragma once

#include <cstddef>
#include <cstdint>

namespace shuttle::proto {

// JSON texts.
inline constexpr std::size_t max_statement_json_bytes = 64 * 1024;
inline constexpr std::size_t max_json_depth = 4;  // statement > wraps > wrap > value
// An HTTP body or answer, which carries statements inside objects and lists.
inline constexpr std::size_t max_body_json_depth = 8;
inline constexpr std::size_t max_audit_export_json_bytes = 64 * 1024 * 1024;
inline constexpr std::size_t max_audit_export_entries = 200'000;
inline constexpr std::size_t max_invitation_code_chars = 512;
inline constexpr std::size_t max_keystore_file_bytes = 1024 * 1024;

// Integers on the wire stay exact in every JSON implementation.
inline constexpr std::uint64_t max_json_integer = (std::uint64_t{1} << 53) - 1;

// Sizes of binary fields, in bytes.
inline constexpr std::size_t id_bytes = 16;
inline constexpr std::size_t public_key_bytes = 32;  // Ed25519 and X25519 alike
inline constexpr std::size_t hash_bytes = 32;        // BLAKE2b-256
inline constexpr std::size_t signature_bytes = 64;
inline constexpr std::size_t stream_header_bytes = 24;  // secretstream header
inline constexpr std::size_t letter_key_bytes = 32;
inline constexpr std::size_t seal_overhead_bytes = 48;  // crypto_box_SEALBYTES
inline constexpr std::size_t wrap_bytes = seal_overhead_bytes + letter_key_bytes + id_bytes;

// Lists.
inline constexpr std::size_t max_wraps = 16;
inline constexpr std::size_t max_facilitators_per_case = 8;

// Notes (return notes, content notes, internal notes): plaintext before padding.
inline constexpr std::size_t max_note_text_bytes = 8 * 1024;
inline constexpr std::size_t min_sealed_note_bytes = seal_overhead_bytes + 1;
inline constexpr std::size_t max_sealed_note_bytes = 16 * 1024;

// Letters.
inline constexpr std::size_t chunk_plaintext_bytes = 64 * 1024;
inline constexpr std::size_t chunk_overhead_bytes = 17;  // secretstream ABYTES
inline constexpr std::uint64_t max_ciphertext_bytes = 128ull * 1024 * 1024;
// What a relay takes (SPEC section 16.2, M): one limit for the relay and for
// clients, which refuse a larger letter before sending anything.
inline constexpr std::uint64_t relay_ciphertext_bytes = 16ull * 1024 * 1024;
inline constexpr std::size_t max_attachments = 16;
inline constexpr std::size_t max_name_bytes = 255;  // attachment names, content types

// A facilitator's display name (SPEC 5.3) and a case label (SPEC 7).
inline constexpr std::size_t max_display_name_bytes = 64;
inline constexpr std::size_t max_label_text_bytes = 200;

// An outcome agreement (SPEC 6.6): its items, each field's text, the body.
inline constexpr std::uint64_t max_agreement_items = 64;
inline constexpr std::size_t max_agreement_field_bytes = 2000;
inline constexpr std::size_t max_agreement_body_bytes = 512 * 1024;
// An agreement export (SPEC 10): the agreement, its statements and the case's audit export.
inline constexpr std::size_t max_agreement_export_json_bytes = 72 * 1024 * 1024;
inline constexpr std::size_t max_agreement_statements = 4096;

}  // namespace shuttle::proto
