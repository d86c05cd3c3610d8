#include "server/store/postgres_tools.hpp"

#include <libpq-fe.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace shuttle::relay {

namespace {

// This process's environment (whose PG* settings libpq reads too, as the
// relay does), with the settings of `conninfo` (a postgresql:// address or
// key=value words) in place of any it names, as libpq names them.
std::vector<std::string> environment_for(const std::string& conninfo) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options(PQconninfoParse(conninfo.c_str(), &error),
                                                                          &PQconninfoFree);
  if (!options) {
    const std::string words = error ? error : "it does not parse";
    PQfreemem(error);
    throw std::runtime_error("the database address is not one PostgreSQL takes: " + words);
  }
  std::vector<std::string> given;
  for (const PQconninfoOption* o = options.get(); o->keyword; ++o) {
    if (o->val && *o->val && o->envvar) given.push_back(std::string(o->envvar) + "=" + o->val);
  }
  const auto named_in = [&](const char* entry) {
    for (const auto& g : given) {
      const auto name = g.substr(0, g.find('=') + 1);
      if (std::strncmp(entry, name.c_str(), name.size()) == 0) return true;
    }
    return false;
  };
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    if (!named_in(*e)) env.emplace_back(*e);
  }
  env.insert(env.end(), given.begin(), given.end());
  return env;
}

// Runs `program` with `args` and `env` (environment_for's, the connection
// in it); throws when it does not end well.
void run_with_connection(const std::string& program, const std::vector<std::string>& args,
                         const std::vector<std::string>& env) {
  std::vector<char*> argv{const_cast<char*>(program.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = 0;
  if (const int failed = ::posix_spawnp(&pid, program.c_str(), nullptr, nullptr, argv.data(), envp.data())) {
    throw std::runtime_error("cannot run " + program + " (" + std::strerror(failed) +
                             "): install PostgreSQL's client programs (apt-get install postgresql-client)");
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("lost track of " + program);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(program + " did not finish (its words are above); nothing was changed by this command");
  }
}

}  // namespace

void dump_postgres(const std::string& conninfo, const std::filesystem::path& file) {
  run_with_connection("pg_dump", {"--format=custom", "--no-password", "--file=" + file.string()},
                      environment_for(conninfo));
}

bool postgres_is_empty(const std::string& conninfo) {
  std::unique_ptr<PGconn, void (*)(PGconn*)> c(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (PQstatus(c.get()) != CONNECTION_OK) {
    throw std::runtime_error(std::string("the PostgreSQL database cannot be reached: ") + PQerrorMessage(c.get()));
  }
  std::unique_ptr<PGresult, void (*)(PGresult*)> r(
      PQexec(c.get(), "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"), &PQclear);
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    throw std::runtime_error(std::string("cannot look into the PostgreSQL database: ") + PQerrorMessage(c.get()));
  }
  return std::string(PQgetvalue(r.get(), 0, 0)) == "0";
}

void restore_postgres(const std::string& conninfo, const std::filesystem::path& file) {
  // pg_restore takes the database from --dbname only; PGDATABASE names it without putting it on the command line.
  const auto env = environment_for(conninfo);
  std::string dbname;
  for (const auto& e : env) {
    if (e.starts_with("PGDATABASE=")) dbname = e.substr(std::strlen("PGDATABASE="));
  }
  if (dbname.empty()) throw std::runtime_error("the database address names no database");
  run_with_connection("pg_restore", {"--no-owner", "--exit-on-error", "--single-transaction", "--no-password",
                                     "--dbname=" + dbname, file.string()},
                      env);
}

}  // namespace shuttle::relay
