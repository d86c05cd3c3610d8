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
#include "proto/referral.hpp"
#include "proto/statements.hpp"
#include "server/domain/event_hub.hpp"
#include "server/domain/event_tickets.hpp"
#include "server/domain/login_challenges.hpp"
#include "server/domain/outcome.hpp"
#include "server/limits.hpp"
#include "server/relay_identity.hpp"
#include "server/store/storage.hpp"

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace shuttle::relay {

// Who is asking, as established by the router (api/router.cpp).
struct caller {
  account_record account;
  proto::hash token_hash{};
  std::optional<participant_record> participant;  // for routes under /v1/cases/{case}
};

// The service's consent text in one language (SPEC 5.16), as configured.
struct consent_text {
  std::string language;  // a tag such as "en" or "nb"
  std::string text;      // UTF-8
  proto::hash hash{};    // proto::consent_text_hash(language, text)
};

struct service_options {
  std::uint64_t session_idle_seconds = std::chrono::seconds(session_idle_lifetime).count();
  std::uint64_t session_lifetime_seconds = std::chrono::seconds(session_absolute_lifetime).count();
  std::uint64_t claim_seconds = std::chrono::seconds(review_claim_lifetime).count();
  // The service's name as people see it beside the relay's key ("Restorative
  // Justice Service Oslo"); empty: none is shown.
  std::string name;
  // What each party and supporter reads and agrees to before enrolling;
  // empty: the service asks for no consent in Shuttle.
  std::vector<consent_text> consent_texts;
};

// The answer for a write the store did not keep (storage full or failing,
// the queue full, a bug), in words for people.
failure failure_of(write_problem p);

class relay_service {
 public:
  // Runs once a write is durable or refused, on a thread of the store.
  using completion = std::function<void(outcome)>;
  using clock = std::function<std::uint64_t()>;

  relay_service(storage& store, const relay_identity& relay, event_hub& hub, clock now,
                service_options options = {});

  const proto::public_key& relay_key() const { return relay_.public_key(); }
  // The storage as last seen, for /healthz and /metrics.
  storage_health storage_state() const { return store_.health(); }
  write_stages& write_timings() { return store_.timings(); }
  std::size_t write_queue_depth() const { return store_.queue_depth(); }
  // The caller's participation in a case (the router's check for every
  // route under /v1/cases/{case}).
  std::optional<participant_record> participation(const proto::id& case_id, const proto::id& account);
  event_hub& hub() { return hub_; }
  // For a relay that serves: live subscribers hear of what every relay on
  // a shared database commits (PostgreSQL's change feed). Without a shared
  // store, the hub hears of this relay's own writes, as before.
  void follow_changes();
  std::uint64_t now() const { return now_(); }

  // -- anonymous
  // The signed invitation behind a code, for the client to check the pinned
  // inviter before enrolling. Unknown id and wrong secret look the same.
  outcome open_invitation(const proto::id& invitation, const proto::invitation_secret& secret);
  // A party or supporter of a service with a consent text enrols with its
  // consent to the current text (SPEC 5.16).
  void enrol(proto::enrolment e, proto::invitation_secret secret, std::optional<proto::key_statement> keys,
             std::optional<proto::consent> consent, completion done);
  outcome login_challenge(const proto::public_key& identity);
  void login(const proto::public_key& identity, const proto::login_challenge& challenge, const proto::signature& sig,
             completion done);

  // -- referrals (SPEC 5.20, 6.8), from people with no account
  // The facilitators' referral keys, each signed by its facilitator.
  outcome referral_keys();
  // A referral sealed to every current referral key; `entered_by`: the
  // facilitator who entered it on someone's behalf.
  void refer(const proto::id& referral, const proto::hash& secret_hash, bytes ciphertext,
             std::vector<std::pair<proto::public_key, bytes>> wraps, std::optional<account_record> entered_by,
             completion done);
  // Where a referral is, for the person holding its receipt code. Unknown
  // id and wrong secret look the same.
  outcome referral_status(const proto::id& referral, const proto::referral_secret& secret);

  // -- sessions
  // The account behind a bearer token, if the session is live. Refreshes the
  // session's idle timer at most once a minute (a write, not awaited).
  std::optional<caller> authenticate(std::string_view token);
  void logout(const caller& c, completion done);
  // A one-time ticket for a browser's event stream (SPEC 16.4), and its
  // redemption: the session behind it, if the ticket and the session hold.
  outcome event_ticket(const caller& c);
  std::optional<caller> redeem_event_ticket(std::string_view ticket);

  // -- an account
  outcome me(const caller& c);
  // The service's current consent texts (SPEC 5.16).
  outcome consent_texts() const;
  outcome my_cases(const caller& c);
  void open_case(const caller& c, proto::case_open open, proto::key_statement keys, completion done);
  // A facilitator publishes its referral key (replacing its last).
  void publish_referral_key(const caller& c, proto::referral_key k, completion done);
  // The open referrals, each with the caller's wrap, oldest first.
  outcome referrals(const caller& c);
  // A facilitator says where a referral is (contacted, closed), and which
  // case was opened from it; closing deletes what it said.
  void set_referral_state(const caller& c, const proto::id& referral, proto::referral_state state,
                          std::optional<proto::id> case_id, completion done);

  // -- a case (the router has checked that the caller is an active participant)
  outcome case_detail(const caller& c);
  void invite(const caller& c, proto::invitation inv, completion done);
  void publish_key(const caller& c, proto::key_statement k, completion done);
  void attest(const caller& c, proto::attestation a, completion done);
  // Refused while a check-in is open (scheduled, or released and not
  // answered) unless `open_checkins_too` (SPEC 5.19).
  void close_case(const caller& c, proto::close s, bool open_checkins_too, completion done);
  void withdraw(const caller& c, proto::withdraw w, completion done);
  // A party or supporter agrees to the service's current consent text again
  // (it changed since they enrolled, SPEC 5.16).
  void consent(const caller& c, proto::consent s, completion done);
  // A party lets one of its attested supporters read its letters from now
  // on, or ends that (server/domain/case_settings.cpp).
  void grant(const caller& c, proto::grant g, completion done);
  // A facilitator seals the case's label to each facilitator (reader
  // identity key, sealed box), replacing the previous label.
  void set_label(const caller& c, std::vector<std::pair<proto::public_key, bytes>> boxes, completion done);
  // A facilitator seals a writing aid to one or both parties (purpose
  // "names": what the identifying-details check looks for; "prompts": the
  // guided writing questions), replacing theirs (SPEC 7).
  void set_writing_aids(const caller& c, std::string purpose, std::vector<std::pair<proto::public_key, bytes>> boxes,
                        completion done);
  // A facilitator sets the case's quiet hours (nothing: none).
  void set_quiet_hours(const caller& c, std::optional<quiet_hours> q, completion done);
  // A facilitator moves the case to a stage of the process (SPEC 5.14).
  void set_stage(const caller& c, proto::stage_statement s, completion done);
  // The person harmed pauses the case, or resumes it (SPEC 5.15): while it
  // is paused, approvals are taken and nothing is released.
  void pause(const caller& c, proto::pause p, completion done);
  // The outcome agreement in force, its signatures and marks (SPEC 5.17,
  // 5.18; server/domain/agreements.cpp); a party or facilitator signs it; a
  // facilitator marks an item of a binding one.
  outcome agreement(const caller& c);
  void sign_agreement(const caller& c, proto::agreement_signature s, completion done);
  void mark_agreement(const caller& c, proto::agreement_mark s, completion done);

  // -- messages (message ids come from the path; the router checked the case)
  // Submits a signed envelope with its ciphertext into the review queue; a
  // revision names the returned message of the sender's that it revises; a
  // check-in comes with the statement that schedules it (SPEC 5.19).
  void submit_message(const caller& c, proto::envelope e, bytes ciphertext, std::optional<proto::revision> revision,
                      std::optional<proto::checkin> checkin, completion done);
  // The case's messages the caller may see: facilitators all, a sender its
  // own, a recipient those released to its role. Content-free.
  outcome list_messages(const caller& c);
  // One message with its statements and ciphertext, for whoever may read it.
  // A recipient's first fetch records `delivered` (a write, hence the completion).
  void fetch_message(const caller& c, const proto::id& message, completion done);
  // The message's ciphertext, for whoever may fetch it (same answers as the
  // fetch for a message gone), into `out`; records nothing. A client fetches
  // the message first (which records delivery), then this.
  outcome fetch_ciphertext(const caller& c, const proto::id& message, std::string& out);
  void claim(const caller& c, const proto::id& message, completion done);
  // Lets go of the caller's own claim (nothing to do when it holds none);
  // another facilitator's claim is refused (claimed).
  void unclaim(const caller& c, const proto::id& message, completion done);
  void approve(const caller& c, const proto::id& message, proto::approval a, completion done);
  void return_message(const caller& c, const proto::id& message, proto::return_statement r, completion done);
  void revoke(const caller& c, const proto::id& message, proto::revoke r, completion done);
  void receipt(const caller& c, const proto::id& message, completion done);
  void decline(const caller& c, const proto::id& message, completion done);
  // A facilitator passes a recipient's decline on to the letter's writer,
  // with an optional note sealed to the writer. Until then the writer sees
  // the letter as released. Idempotent.
  void tell_declined(const caller& c, const proto::id& message, std::optional<bytes> note, completion done);
  // Everything waiting for review in the caller's cases, oldest first.
  outcome review_queue(const caller& c);
  // The case's audit chain with a freshly signed checkpoint of its head.
  void audit_export(const caller& c, completion done);

  // -- live events
  // Whether a session still exists and has not reached its absolute end (an
  // open event stream counts as use, so idleness does not end it).
  bool session_alive(const proto::hash& token_hash);
  std::vector<event_record> events_after(const proto::id& account, std::uint64_t seq, std::size_t limit);

  // -- maintenance (called by the relay's maintenance thread and subcommands)
  // Releases approved messages whose release time has come.
  void release_due();
  // Signs a checkpoint of every audit chain that grew since its last one.
  // Blocks until written; false when the write failed, in which case the
  // chains stay due and the next call tries them again.
  bool checkpoint_chains();
  // Marks every chain whose head no checkpoint signs as due (called once at
  // start, so heads left unsigned by a failure before a restart get signed).
  void find_unsigned_chains();
  // Removes the ciphertexts, envelopes and reviews of cases closed at least
  // `retention_seconds` ago; keeps states and the audit trail. Blocks;
  // returns how many cases were purged.
  result<std::size_t> purge(std::uint64_t retention_seconds);
  // Records that a maintenance job the relay does not run itself (the
  // backup) finished now: the alerts watch when it last did.
  result<void> record_done(const std::string& name);

  // -- the operator
  // A facilitator account invitation signed by the relay key, stored, and
  // returned as a code. Blocks until durable. `relay` and `pin` go into the code.
  result<std::string> invite_facilitator(const std::string& relay, const std::optional<proto::hash>& pin,
                                         std::uint64_t lifetime_seconds);

 private:
  // Why a consent names no current consent text, if it does not (409 consent_outdated).
  std::optional<failure> current_consent(const proto::consent& s) const;
  // The current text a hash names, if any.
  const consent_text* consent_text_of(const proto::hash& h) const;

  using job = std::function<outcome(writer&, effects&)>;
  // Queues a write; once it is durable, its events go to live subscribers
  // and ended sessions lose their subscriptions, then `done` runs.
  void write(job j, completion done, write_class c = write_class::ordinary);
  // One signed statement about an open case, the caller's own: checked,
  // answered as before when it is a resubmit, and its answer remembered.
  // `body(w, fx, s, its JSON, now)` decides in the writer's transaction
  // (defined in server/domain/rules.hpp, where the domain uses it).
  template <class S, class Body>
  void case_statement(const caller& c, S s, completion done, Body body);

  storage& store_;
  const relay_identity& relay_;
  event_hub& hub_;
  std::mutex dirty_mutex_;
  std::set<proto::id> dirty_chains_;  // guarded by dirty_mutex_
  clock now_;
  service_options options_;
  login_challenges challenges_;
  event_tickets tickets_;
};

}  // namespace shuttle::relay
