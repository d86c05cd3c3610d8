// What the relay does, without HTTP: enrolment, login, sessions, cases, keys
// and attestations. Every signed statement is parsed and verified with proto
// (the same checks clients make) before it reaches storage; every write runs
// as one job of the store's writer and re-checks its preconditions inside
// the transaction, so concurrent requests cannot race past a rule.
//
// Write operations take a completion that runs once the outcome is durable
// (after COMMIT) or refused; read operations answer at once. All methods may
// be called from any thread.
#pragma once

#include "proto/invitation_code.hpp"
#include "proto/login.hpp"
#include "proto/statements.hpp"
#include "server/domain/outcome.hpp"
#include "server/limits.hpp"
#include "server/relay_identity.hpp"
#include "server/store/sqlite_store.hpp"

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace shuttle::relay {

// Who is asking, as established by the router (api/router.cpp).
struct caller {
  account_record account;
  proto::hash token_hash{};
  std::optional<participant_record> participant;  // for routes under /v1/cases/{case}
};

struct service_options {
  std::uint64_t session_idle_seconds = std::chrono::seconds(session_idle_lifetime).count();
  std::uint64_t session_lifetime_seconds = std::chrono::seconds(session_absolute_lifetime).count();
};

class relay_service {
 public:
  using completion = sqlite_store::completion;
  using clock = std::function<std::uint64_t()>;

  relay_service(sqlite_store& store, const relay_identity& relay, clock now, service_options options = {});

  const proto::public_key& relay_key() const { return relay_.public_key(); }
  sqlite_store& store() { return store_; }

  // -- anonymous
  // The signed invitation behind a code, for the client to check the pinned
  // inviter before enrolling. Unknown id and wrong secret look the same.
  outcome open_invitation(const proto::id& invitation, const proto::invitation_secret& secret);
  void enrol(proto::enrolment e, proto::invitation_secret secret, std::optional<proto::key_statement> keys,
             completion done);
  outcome login_challenge(const proto::public_key& identity);
  void login(const proto::public_key& identity, const proto::login_challenge& challenge, const proto::signature& sig,
             completion done);

  // -- sessions
  // The account behind a bearer token, if the session is live. Refreshes the
  // session's idle timer at most once a minute (a write, not awaited).
  std::optional<caller> authenticate(std::string_view token);
  void logout(const caller& c, completion done);

  // -- an account
  outcome me(const caller& c);
  outcome my_cases(const caller& c);
  void open_case(const caller& c, proto::case_open open, proto::key_statement keys, completion done);

  // -- a case (the router has checked that the caller is an active participant)
  outcome case_detail(const caller& c);
  void invite(const caller& c, proto::invitation inv, completion done);
  void publish_key(const caller& c, proto::key_statement k, completion done);
  void attest(const caller& c, proto::attestation a, completion done);
  void close_case(const caller& c, proto::close s, completion done);
  void withdraw(const caller& c, proto::withdraw w, completion done);

  // -- the operator
  // A facilitator account invitation signed by the relay key, stored, and
  // returned as a code. Blocks until durable. `relay` and `pin` go into the code.
  result<std::string> invite_facilitator(const std::string& relay, const std::optional<proto::hash>& pin,
                                         std::uint64_t lifetime_seconds);

 private:
  struct challenge_entry {
    proto::public_key identity;
    std::uint64_t expires_at;
  };

  sqlite_store& store_;
  const relay_identity& relay_;
  clock now_;
  service_options options_;
  std::mutex challenges_mutex_;
  std::map<proto::login_challenge, challenge_entry> challenges_;  // guarded by challenges_mutex_
};

}  // namespace shuttle::relay
