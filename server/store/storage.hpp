// The storage the domain needs, as one interface every store implements
// (store/sqlite_store.hpp; tests/unit/server/storage_conformance_test.cpp
// holds each store to it). The domain names only this, never a concrete
// store; nothing here knows the domain's answers or failures: a write job
// returns a verdict, the store says whether it kept it, and the domain
// builds the answer.
#pragma once

#include "server/store/repository.hpp"
#include "server/store/write_stages.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace shuttle::relay {

// Which writes go on when the storage is nearly full. Below the free-space
// reserve only essential writes are taken (revoking, withdrawing, logging in
// and out, declining, closing), so a person can always take a letter back.
enum class write_class { ordinary, essential };

// What a write job decided once it ran: keep what it wrote, or undo it (a
// rule refused; the job remembers why for its caller).
enum class verdict { keep, undo };

// Why a store did not run or keep a write. `none`: the job ran and its
// verdict took effect, durably (kept and committed, or undone).
enum class write_problem {
  none,
  busy,      // the write queue is full, or the store is stopping: nothing ran
  full,      // no space left (or an ordinary write under the reserve): nothing kept
  failing,   // the storage fails (an I/O error, the database unreachable): nothing kept
  internal,  // the job threw (a bug): nothing of it kept
};

// Thrown by a read when the database cannot be reached (a PostgreSQL server
// down or restarting): the relay answers 503 and the store reconnects on a
// later use. Writes report the same as `failing`.
struct storage_unreachable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The storage as the relay last saw it, for /healthz and /metrics.
struct storage_health {
  std::string_view problem;  // "" when writes succeed; "full", "low" or "failing"
  std::uint64_t free_bytes = 0;
  std::uint64_t failures = 0;  // writes refused or failed for storage since start
  bool feed_up = true;  // the change feed of a shared store holds its connection (a store of one relay has none)
};

// A change another relay on the same database made (or this one: a store
// that shares changes reports its own too), for live subscribers.
struct change {
  std::optional<event_record> event;        // a committed event
  std::optional<proto::id> ended_account;   // every session of the account ended (withdrawal)
  std::optional<proto::hash> ended_session; // one session ended (logout)
  bool catch_up = false;  // changes may have been missed (the feed reconnected): read them back by sequence
};

class storage {
 public:
  using job = std::function<verdict(writer&)>;
  using completion = std::function<void(write_problem)>;

  virtual ~storage() = default;

  // Queues a write. The job runs inside a transaction of its own (which the
  // store may commit together with other jobs'); a job that throws or
  // returns `undo` leaves nothing behind and touches no other job. `done`
  // runs once the outcome is durable, on a thread of the store: it must only
  // hand the result over. Refused at once with `busy` when the queue is full
  // or the store stopping, and an ordinary write with `full` under the
  // free-space reserve.
  virtual void submit(job j, completion done, write_class c = write_class::ordinary) = 0;

  // Runs `f` with a reader on the calling thread; it sees committed writes only.
  template <class F>
  auto read(F&& f) {
    lease held(*this);
    return f(held.r);
  }

  // Free bytes to keep for essential writes (0: no reserve). A store whose
  // disk is not the relay's (PostgreSQL) takes no reserve: its server's disk
  // is the operator's to watch.
  virtual void set_free_space_reserve(std::uint64_t bytes) = 0;
  virtual storage_health health() const = 0;
  virtual std::size_t queue_depth() const = 0;
  virtual int schema_version() const = 0;
  // Stops accepting writes and finishes those queued (destructors call it).
  virtual void stop() = 0;

  // Whether several relays may share this store: then every committed
  // event and ended session reaches every relay through watch_changes(), in
  // commit order, this relay's own included.
  virtual bool shares_changes() const { return false; }
  // Starts reporting changes to `on_change`, on a thread of the store (it
  // must only hand them over). Nothing for a store of one relay.
  virtual void watch_changes(std::function<void(const change&)> on_change) { (void)on_change; }

  // Where writes spend their time (write_stages.hpp): the store records the
  // stages it runs, the route the ones around them.
  write_stages& timings() { return timings_; }

 protected:
  // A reader for one read; waits while all are in use.
  virtual reader& acquire_reader() = 0;
  virtual void release_reader(reader& r) = 0;
  // For a store that wraps another.
  static reader& borrow_from(storage& s) { return s.acquire_reader(); }
  static void give_back_to(storage& s, reader& r) { s.release_reader(r); }

 private:
  write_stages timings_;
  struct lease {
    storage& s;
    reader& r;
    explicit lease(storage& st) : s(st), r(st.acquire_reader()) {}
    ~lease() { s.release_reader(r); }
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
  };
};

}  // namespace shuttle::relay
