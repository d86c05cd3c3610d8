// The relay's limits and timeouts, in one place, with units in their names.
// Operators may lower some through configuration (config.hpp); none is
// unbounded. proto/SPEC.md "HTTP API" lists the per-route body limits.
#pragma once

#include "proto/limits.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace shuttle::relay {

using namespace std::chrono_literals;

// HTTP.
inline constexpr std::size_t max_header_bytes = 8 * 1024;
// What a connection's read buffer holds at most. A chunk-size line with its
// extensions, and a chunked body's trailer section, must each fit in it
// (Beast parses each whole from the buffer and counts neither against the
// header limit), so neither can grow the relay's memory.
inline constexpr std::size_t read_buffer_bytes = max_header_bytes + 8 * 1024;
inline constexpr std::size_t small_body_bytes = 16 * 1024;       // login, logout, most statements
inline constexpr std::size_t statement_body_bytes = 72 * 1024;   // a statement plus its envelope
inline constexpr std::chrono::seconds handshake_timeout = 10s;
inline constexpr std::chrono::seconds idle_timeout = 60s;        // for the whole header of the next request
inline constexpr std::chrono::seconds read_timeout = 30s;        // for the body, once the header came
inline constexpr std::chrono::seconds write_timeout = 30s;
inline constexpr std::chrono::seconds linger_time = 2s;        // draining a refused request's body
inline constexpr std::size_t linger_bytes = 1024 * 1024;
inline constexpr std::chrono::seconds shutdown_grace = 10s;      // in-flight requests at SIGTERM
inline constexpr std::size_t default_max_connections = 1024;
inline constexpr std::size_t default_max_connections_per_address = 64;
inline constexpr std::size_t default_max_event_streams_per_account = 8;
// An event stream's subscriber that does not read: at most this many events
// wait for it, and one write may take at most write_timeout; past either it
// is closed and catches up with Last-Event-ID when it comes back.
inline constexpr std::size_t max_pending_events = 256;

// Sessions.
inline constexpr std::chrono::seconds login_challenge_lifetime = 60s;
inline constexpr std::chrono::seconds session_idle_lifetime = 30min;
inline constexpr std::chrono::hours session_absolute_lifetime = 12h;

// Review and delivery.
inline constexpr std::chrono::seconds review_claim_lifetime = 15min;  // a claim lapses after this
inline constexpr std::size_t max_queue_items = 500;                   // in one queue answer
inline constexpr std::size_t max_message_ciphertext_bytes = proto::relay_ciphertext_bytes;  // the format allows 128 MiB
inline constexpr std::size_t message_body_bytes = max_message_ciphertext_bytes / 3 * 4 + 128 * 1024;
inline constexpr std::size_t max_events_replayed = 1000;              // per reconnection
inline constexpr std::chrono::seconds checkpoint_interval = 60s;
inline constexpr std::chrono::seconds checkpoint_retry = 5s;  // after a checkpoint that failed

// Rate limits: a burst, then a steady rate per minute.
inline constexpr double address_burst = 20;       // enrolment, invitation look-ups, login
inline constexpr double address_per_minute = 20;
inline constexpr double account_write_burst = 60;
inline constexpr double account_writes_per_minute = 120;

// Storage.
// Free space kept for essential writes (revoke, withdraw, login...): below
// it, new letters and other ordinary writes are refused (storage_full).
inline constexpr std::uint64_t default_storage_reserve_bytes = 64ull * 1024 * 1024;
inline constexpr std::size_t max_group_commit = 512;  // writes in one transaction
inline constexpr std::size_t max_write_queue = 10'000;  // beyond it, writes are refused (503)

}  // namespace shuttle::relay
