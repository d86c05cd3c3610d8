// A store that keeps everything in the process's memory, for the domain's
// unit tests: it keeps the promises of storage.hpp and repository.hpp that
// the conformance suite checks (tests/unit/server/storage_conformance_test.cpp)
// and the rules the SQLite and PostgreSQL schemas enforce (unique keys, the
// rows a row refers to), without a database. It is not durable: the relay
// never opens one, and nothing outside tests links it.
//
// Writes run one at a time on a writer thread of the store, each on a copy of
// the committed tables that replaces them only when the job keeps what it
// wrote; a job that throws or undoes leaves the committed tables untouched.
// A read takes the committed tables as they are when it starts and sees no
// later write (a snapshot, like a read transaction).
#pragma once

#include "server/store/storage.hpp"
#include "server/store/write_queue.hpp"

#include <memory>
#include <mutex>
#include <thread>

namespace shuttle::relay {

class memory_store final : public storage {
 public:
  memory_store();
  // Finishes every queued write.
  ~memory_store() override;
  memory_store(const memory_store&) = delete;
  memory_store& operator=(const memory_store&) = delete;

  void submit(job j, completion done, write_class c = write_class::ordinary) override;
  // Memory is not the relay's disk: no reserve applies.
  void set_free_space_reserve(std::uint64_t) override {}
  storage_health health() const override;
  std::size_t queue_depth() const override;
  int schema_version() const override { return 0; }  // no schema: nothing is migrated
  void stop() override;

  struct tables;

 private:
  reader& acquire_reader() override;
  void release_reader(reader& r) override;
  void writer_loop();

  mutable std::mutex committed_mutex_;
  std::shared_ptr<const tables> committed_;  // guarded by committed_mutex_

  struct queued {
    job j;
    completion done;
  };
  write_queue<queued> queue_;
  std::thread writer_thread_;
};

}  // namespace shuttle::relay
