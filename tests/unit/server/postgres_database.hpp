// A throwaway PostgreSQL database for the tests that run a store on one
// (the test command starts the server with pg_virtualenv), and a store
// that owns its database.
#pragma once

#include "server/store/postgres_store.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <string>

namespace shuttle::relay {

// A fresh database on the PostgreSQL server the test command started
// (pg_virtualenv sets PGHOST, PGUSER and PGPASSWORD), dropped afterwards.
class postgres_database {
 public:
  static std::string conninfo(const std::string& name) {
    return "host=127.0.0.1 dbname=" + name + " connect_timeout=5";
  }
  explicit postgres_database(std::string name) : name_(std::move(name)) { admin("CREATE DATABASE " + name_); }
  ~postgres_database() { admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  const std::string& name() const { return name_; }

 private:
  static void admin(const std::string& sql) {
    PGconn* c = PQconnectdb(conninfo("postgres").c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      ADD_FAILURE() << "no PostgreSQL server to test against (the test command runs these under pg_virtualenv): "
                    << PQerrorMessage(c);
    } else {
      PGresult* r = PQexec(c, sql.c_str());
      if (PQresultStatus(r) != PGRES_COMMAND_OK) ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
      PQclear(r);
    }
    PQfinish(c);
  }
  std::string name_;
};

// The store with its database: the database goes after the store.
class postgres_with_database final : public storage {
 public:
  explicit postgres_with_database(const std::string& name)
      : db_(name), store_(postgres_database::conninfo(name), 2, 2) {}
  void submit(job j, completion done, write_class c) override { store_.submit(std::move(j), std::move(done), c); }
  void set_free_space_reserve(std::uint64_t b) override { store_.set_free_space_reserve(b); }
  storage_health health() const override { return store_.health(); }
  std::size_t queue_depth() const override { return store_.queue_depth(); }
  int schema_version() const override { return store_.schema_version(); }
  void stop() override { store_.stop(); }

 private:
  reader& acquire_reader() override { return borrow_from(store_); }
  void release_reader(reader& r) override { give_back_to(store_, r); }
  postgres_database db_;
  postgres_store store_;
};

}  // namespace shuttle::relay
