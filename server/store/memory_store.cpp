#include "server/store/memory_store.hpp"

#include "server/limits.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace shuttle::relay {

namespace {

// What a schema's constraint would refuse: a bug in the domain, as the
// repository says (a duplicate key, a row referring to none).
[[noreturn]] void refuse(const std::string& what) { throw std::logic_error("memory store: " + what); }

// The rows as the schemas keep them: what is joined in on reading (an
// account's identity key, a facilitator's name) is not copied here.
struct case_row {
  case_record c;
  proto::id opened_by{};
  std::optional<std::uint64_t> closed_at;
};

struct participant_row {
  proto::id case_id{};
  proto::id account{};
  proto::role role = proto::role::harmed;
  proto::participant_state state = proto::participant_state::active;
  std::optional<std::string> enrolment;
  std::uint64_t joined_at = 0;
  std::optional<std::uint64_t> left_at;
};

struct key_row {
  proto::id id{};
  proto::id case_id{};
  proto::id account{};
  proto::public_key case_key{};
  std::string statement;
  std::uint64_t created_at = 0;
};

struct attestation_row {
  proto::id id{};
  proto::id case_id{};
  proto::id subject_account{};
  proto::id key_statement{};
  proto::id attested_by{};
  std::string statement;
};

struct message_row {
  message_record m;  // sender, claimed_by and claimed_by_name are joined in on reading
  std::optional<proto::id> claimed_by_account;
  std::optional<std::uint64_t> purged_at;
};

struct review_row {
  proto::id message_id{};
  proto::id facilitator_account{};
  bool approve = true;
  std::optional<std::string> statement;
  std::uint64_t created_at = 0;
};

struct grant_row {
  proto::id case_id{};
  proto::id party_account{};
  proto::public_key supporter{};
  bool reads = false;
  std::string statement;
  std::uint64_t at = 0;
};

using key_pair = std::pair<proto::id, proto::public_key>;

}  // namespace

// Every table, in the order rows were inserted where the stores read them
// in that order (SQLite's rowid). Ciphertexts are shared between copies:
// a write copies the tables, not a 16 MiB letter.
struct memory_store::tables {
  std::map<proto::id, account_record> accounts;
  std::map<proto::hash, session_record> sessions;
  std::map<proto::id, invitation_record> invitations;
  std::map<proto::id, case_row> cases;
  std::vector<participant_row> participants;
  std::vector<key_row> keys;
  std::vector<attestation_row> attestations;
  std::map<proto::id, std::pair<statement_record, proto::id>> statements;
  std::vector<message_row> messages;
  std::map<proto::id, std::shared_ptr<const std::string>> ciphertexts;
  std::vector<review_row> reviews;
  std::map<key_pair, bool> supporter_readers;
  std::map<std::tuple<proto::id, proto::id, proto::public_key>, grant_row> grants;
  std::map<key_pair, bytes> labels;
  std::map<std::tuple<proto::id, proto::public_key, std::string>, bytes> writing_aids;
  std::map<std::pair<proto::id, proto::id>, consent_record> consents;
  std::vector<agreement_statement_record> agreement_statements;
  std::map<proto::id, agreement_bound_record> agreements_bound;
  std::map<proto::id, referral_key_record> referral_keys;
  std::vector<referral_record> referrals;
  std::map<key_pair, bytes> referral_wraps;
  std::vector<proto::audit_entry> audit;
  std::map<std::pair<proto::id, std::uint64_t>, proto::audit_checkpoint> checkpoints;
  std::vector<event_record> events;
  std::uint64_t last_event_seq = 0;
  std::map<proto::login_challenge, std::uint64_t> used_login_challenges;
  std::map<std::string, std::uint64_t> maintenance;
};

namespace {

using tables = memory_store::tables;

template <class Row, class Pred>
std::vector<const Row*> rows_where(const std::vector<Row>& rows, Pred p) {
  std::vector<const Row*> out;
  for (const auto& r : rows) {
    if (p(r)) out.push_back(&r);
  }
  return out;
}

class memory_repository final : public writer {
 public:
  // Reads and writes `t`: the writer's working copy, which the writer owns.
  explicit memory_repository(tables& t) : t_(t) {}
  // Reads a snapshot of the committed tables, keeping it alive while in use.
  explicit memory_repository(std::shared_ptr<tables> snapshot) : held_(std::move(snapshot)), t_(*held_) {}

  std::optional<account_record> account_by_identity(const proto::public_key& identity) override {
    for (const auto& [id, a] : t_.accounts) {
      if (a.identity == identity) return a;
    }
    return std::nullopt;
  }
  std::optional<account_record> account_by_id(const proto::id& id) override { return find(t_.accounts, id); }
  std::optional<session_record> session(const proto::hash& token_hash) override {
    return find(t_.sessions, token_hash);
  }
  std::optional<invitation_record> invitation(const proto::id& id) override { return find(t_.invitations, id); }
  std::optional<case_record> case_by_id(const proto::id& id) override {
    const auto it = t_.cases.find(id);
    if (it == t_.cases.end()) return std::nullopt;
    return it->second.c;
  }
  std::optional<participant_record> participant(const proto::id& case_id, const proto::id& account) override {
    const auto* p = participant_row_of(case_id, account);
    if (!p) return std::nullopt;
    return record_of(*p);
  }
  std::vector<participant_record> participants(const proto::id& case_id) override {
    std::vector<participant_record> out;
    for (const auto* p : rows_where(t_.participants, [&](const participant_row& r) { return r.case_id == case_id; })) {
      out.push_back(record_of(*p));
    }
    put_in_join_order(out);
    return out;
  }
  std::vector<std::pair<case_record, participant_record>> cases_of(const proto::id& account) override {
    std::vector<std::pair<case_record, participant_record>> out;
    for (const auto* p : rows_where(t_.participants, [&](const participant_row& r) { return r.account == account; })) {
      out.emplace_back(t_.cases.at(p->case_id).c, record_of(*p));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.first.created_at < b.first.created_at; });
    return out;
  }
  std::vector<key_record> keys(const proto::id& case_id) override {
    std::vector<key_record> out;
    for (const auto* k : rows_where(t_.keys, [&](const key_row& r) { return r.case_id == case_id; })) {
      out.push_back(record_of(*k));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const key_record& a, const key_record& b) { return a.created_at < b.created_at; });
    return out;
  }
  std::optional<key_record> key(const proto::id& key_statement_id) override {
    for (const auto& k : t_.keys) {
      if (k.id == key_statement_id) return record_of(k);
    }
    return std::nullopt;
  }
  std::vector<attestation_record> attestations(const proto::id& case_id) override {
    std::vector<attestation_record> out;
    for (const auto* a : rows_where(t_.attestations, [&](const attestation_row& r) { return r.case_id == case_id; })) {
      out.push_back({a->id, a->case_id, identity_of(a->subject_account), a->key_statement,
                     identity_of(a->attested_by), a->statement});
    }
    return out;
  }
  std::optional<statement_record> statement(const proto::id& id) override {
    const auto it = t_.statements.find(id);
    if (it == t_.statements.end()) return std::nullopt;
    return it->second.first;
  }

  std::optional<message_record> message(const proto::id& id) override {
    const auto* m = message_row_of(id);
    if (!m) return std::nullopt;
    return record_of(*m);
  }
  std::vector<message_record> messages(const proto::id& case_id) override {
    auto rows = rows_where(t_.messages, [&](const message_row& r) { return r.m.case_id == case_id; });
    std::stable_sort(rows.begin(), rows.end(),
                     [](const message_row* a, const message_row* b) { return a->m.submitted_at < b->m.submitted_at; });
    return records_of(rows, rows.size());
  }
  std::vector<message_record> review_queue(const proto::id& facilitator, std::size_t limit) override {
    auto rows = rows_where(t_.messages, [&](const message_row& r) {
      const auto* p = participant_row_of(r.m.case_id, facilitator);
      return r.m.state == proto::message_state::in_review && r.m.kind != proto::message_kind::note &&
             !r.m.release_at && p && p->role == proto::role::facilitator &&
             p->state == proto::participant_state::active;
    });
    std::stable_sort(rows.begin(), rows.end(),
                     [](const message_row* a, const message_row* b) { return a->m.submitted_at < b->m.submitted_at; });
    return records_of(rows, limit);
  }
  std::vector<message_record> due_for_release(std::uint64_t now) override {
    auto rows = rows_where(t_.messages, [&](const message_row& r) {
      return r.m.state == proto::message_state::in_review && r.m.release_at && *r.m.release_at <= now &&
             !t_.cases.at(r.m.case_id).c.paused;
    });
    std::stable_sort(rows.begin(), rows.end(),
                     [](const message_row* a, const message_row* b) { return *a->m.release_at < *b->m.release_at; });
    return records_of(rows, 1000);
  }
  std::optional<std::string> ciphertext(const proto::id& message_id) override {
    const auto it = t_.ciphertexts.find(message_id);
    if (it == t_.ciphertexts.end()) return std::nullopt;
    return *it->second;
  }
  std::vector<review_record> reviews(const proto::id& message_id) override {
    auto rows = rows_where(t_.reviews, [&](const review_row& r) { return r.message_id == message_id; });
    std::stable_sort(rows.begin(), rows.end(),
                     [](const review_row* a, const review_row* b) { return a->created_at < b->created_at; });
    std::vector<review_record> out;
    for (const auto* r : rows) {
      out.push_back({r->message_id, identity_of(r->facilitator_account), r->approve, r->statement, r->created_at});
    }
    return out;
  }
  std::vector<proto::public_key> supporter_readers(const proto::id& message_id) override {
    std::vector<proto::public_key> out;
    for (auto it = t_.supporter_readers.lower_bound({message_id, {}});
         it != t_.supporter_readers.end() && it->first.first == message_id; ++it) {
      out.push_back(it->first.second);
    }
    return out;
  }
  std::vector<grant_record> grants(const proto::id& case_id) override {
    std::vector<grant_record> out;
    for (const auto& [k, g] : t_.grants) {
      if (g.case_id == case_id) {
        out.push_back({g.case_id, g.party_account, identity_of(g.party_account), g.supporter, g.reads, g.statement, g.at});
      }
    }
    put_in_grant_order(out);
    return out;
  }
  std::optional<bytes> writing_aid(const proto::id& case_id, const proto::public_key& reader_key,
                                   const std::string& purpose) override {
    return find(t_.writing_aids, std::make_tuple(case_id, reader_key, purpose));
  }
  std::vector<consent_record> consents(const proto::id& case_id) override {
    std::vector<consent_record> out;
    for (const auto& [k, c] : t_.consents) {
      if (c.case_id == case_id) out.push_back(c);
    }
    std::stable_sort(out.begin(), out.end(), [](const consent_record& a, const consent_record& b) {
      return std::tie(a.at, a.account) < std::tie(b.at, b.account);
    });
    return out;
  }
  std::vector<agreement_statement_record> agreement_statements(const proto::id& message_id) override {
    std::vector<agreement_statement_record> out;
    for (const auto& s : t_.agreement_statements) {
      if (s.message_id == message_id) out.push_back(s);
    }
    return out;
  }
  std::optional<agreement_bound_record> agreement_bound(const proto::id& message_id) override {
    return find(t_.agreements_bound, message_id);
  }
  std::vector<referral_key_record> referral_keys() override {
    std::vector<referral_key_record> out;
    for (const auto& [account, k] : t_.referral_keys) out.push_back(k);
    return out;
  }
  std::optional<referral_record> referral(const proto::id& id) override {
    for (const auto& r : t_.referrals) {
      if (r.id == id) return r;
    }
    return std::nullopt;
  }
  std::vector<referral_record> open_referrals(std::size_t limit) override {
    auto rows = rows_where(t_.referrals, [](const referral_record& r) { return r.state != "closed"; });
    std::stable_sort(rows.begin(), rows.end(), [](const referral_record* a, const referral_record* b) {
      return std::tie(a->received_at, a->id) < std::tie(b->received_at, b->id);
    });
    std::vector<referral_record> out;
    for (std::size_t i = 0; i < rows.size() && i < limit; ++i) out.push_back(*rows[i]);
    return out;
  }
  std::uint64_t open_referral_count() override {
    return static_cast<std::uint64_t>(
        std::count_if(t_.referrals.begin(), t_.referrals.end(), [](const referral_record& r) { return r.state != "closed"; }));
  }
  std::optional<bytes> referral_wrap(const proto::id& referral, const proto::public_key& reader_key) override {
    return find(t_.referral_wraps, key_pair{referral, reader_key});
  }
  std::optional<bytes> label(const proto::id& case_id, const proto::public_key& reader_key) override {
    return find(t_.labels, key_pair{case_id, reader_key});
  }

  std::optional<proto::audit_entry> audit_head(const proto::id& case_id) override {
    std::optional<proto::audit_entry> head;
    for (const auto& e : t_.audit) {
      if (e.case_id == case_id && (!head || e.seq > head->seq)) head = e;
    }
    return head;
  }
  std::vector<proto::audit_entry> audit_chain(const proto::id& case_id) override {
    std::vector<proto::audit_entry> out;
    for (const auto& e : t_.audit) {
      if (e.case_id == case_id) out.push_back(e);
    }
    return out;
  }
  std::vector<proto::id> audit_chains() override {
    std::vector<proto::id> out;
    for (const auto& [c, head] : heads()) out.push_back(c);
    return out;
  }
  std::optional<proto::audit_checkpoint> latest_checkpoint(const proto::id& case_id) override {
    std::optional<proto::audit_checkpoint> latest;
    for (const auto& [k, c] : t_.checkpoints) {
      if (k.first == case_id) latest = c;  // the map holds them by sequence number, rising
    }
    return latest;
  }
  std::vector<proto::id> unsigned_chains() override {
    std::vector<proto::id> out;
    for (const auto& [c, head] : heads()) {
      if (!t_.checkpoints.contains({c, head})) out.push_back(c);
    }
    return out;
  }

  std::vector<event_record> events_after(const proto::id& account, std::uint64_t seq, std::size_t limit) override {
    std::vector<event_record> out;
    for (const auto& e : t_.events) {
      if (out.size() >= limit) break;
      if (e.account == account && e.seq > seq) out.push_back(e);
    }
    return out;
  }
  std::vector<proto::id> cases_to_purge(std::uint64_t closed_before) override {
    std::vector<proto::id> out;
    for (const auto& [id, c] : t_.cases) {
      if (c.c.state != proto::case_state::closed || !c.closed_at || *c.closed_at > closed_before) continue;
      const bool holds = std::any_of(t_.messages.begin(), t_.messages.end(), [&](const message_row& m) {
        return m.m.case_id == id && !m.purged_at;
      });
      if (holds) out.push_back(id);
    }
    return out;
  }
  std::optional<std::uint64_t> last_done(const std::string& job) override { return find(t_.maintenance, job); }

  // -- writes
  void insert_account(const account_record& a) override {
    if (t_.accounts.contains(a.id) || account_by_identity(a.identity)) refuse("an account of that id or key exists");
    t_.accounts.emplace(a.id, a);
  }
  void insert_session(const session_record& s) override {
    require_account(s.account);
    if (!t_.sessions.emplace(s.token_hash, s).second) refuse("a session of that token exists");
  }
  void touch_session(const proto::hash& token_hash, std::uint64_t now) override {
    if (auto it = t_.sessions.find(token_hash); it != t_.sessions.end()) it->second.last_used_at = now;
  }
  void delete_session(const proto::hash& token_hash) override { t_.sessions.erase(token_hash); }
  void delete_sessions_of(const proto::id& account) override {
    std::erase_if(t_.sessions, [&](const auto& s) { return s.second.account == account; });
  }
  void delete_expired_sessions(std::uint64_t now, std::uint64_t idle_seconds) override {
    std::erase_if(t_.sessions, [&](const auto& s) {
      return s.second.expires_at <= now || s.second.last_used_at + idle_seconds <= now;
    });
  }
  void insert_invitation(const invitation_record& i) override {
    if (i.case_id != proto::null_case) require_case(i.case_id);
    invitation_record row = i;
    row.used_at.reset();
    if (!t_.invitations.emplace(i.id, row).second) refuse("an invitation of that id exists");
  }
  void mark_invitation_used(const proto::id& id, std::uint64_t now) override {
    if (auto it = t_.invitations.find(id); it != t_.invitations.end()) it->second.used_at = now;
  }
  void insert_case(const case_record& c, const proto::id& opened_by) override {
    require_account(opened_by);
    case_row row;
    row.c.id = c.id;
    row.c.approvals_required = c.approvals_required;
    row.c.open_statement = c.open_statement;
    row.c.created_at = c.created_at;
    row.opened_by = opened_by;
    if (!t_.cases.emplace(c.id, row).second) refuse("a case of that id exists");
  }
  void close_case(const proto::id& id, const std::string& statement, std::uint64_t now) override {
    if (auto* c = case_row_of(id)) {
      c->c.state = proto::case_state::closed;
      c->c.close_statement = statement;
      c->closed_at = now;
    }
  }
  void insert_participant(const participant_record& p) override {
    require_case(p.case_id);
    require_account(p.account);
    if (p.state == proto::participant_state::invited) refuse("a participant is stored active or withdrawn");
    if (participant_row_of(p.case_id, p.account)) refuse("the account takes part in the case already");
    t_.participants.push_back({p.case_id, p.account, p.role, p.state, p.enrolment, p.joined_at, std::nullopt});
  }
  void set_participant_state(const proto::id& case_id, const proto::id& account, proto::participant_state s,
                             std::uint64_t now) override {
    if (s == proto::participant_state::invited) refuse("a participant is stored active or withdrawn");
    if (auto* p = participant_row_of(case_id, account)) {
      p->state = s;
      p->left_at = now;
    }
  }
  void insert_key(const key_record& k, const proto::id& account) override {
    require_case(k.case_id);
    require_account(account);
    if (key(k.id)) refuse("a key statement of that id exists");
    t_.keys.push_back({k.id, k.case_id, account, k.case_key, k.statement, k.created_at});
  }
  void insert_attestation(const attestation_record& a, const proto::id& subject_account,
                          const proto::id& attested_by_account) override {
    require_case(a.case_id);
    require_account(subject_account);
    require_account(attested_by_account);
    if (!key(a.key_statement)) refuse("the attested key statement is not stored");
    for (const auto& r : t_.attestations) {
      if (r.id == a.id) refuse("an attestation of that id exists");
    }
    t_.attestations.push_back({a.id, a.case_id, subject_account, a.key_statement, attested_by_account, a.statement});
  }
  void insert_statement(const statement_record& s, const proto::id& case_id) override {
    if (!t_.statements.emplace(s.id, std::make_pair(s, case_id)).second) refuse("a statement of that id exists");
  }

  void insert_message(const message_record& m, const bytes& ciphertext) override {
    require_case(m.case_id);
    require_account(m.sender_account);
    if (message_row_of(m.id)) refuse("a message of that id exists");
    message_row row;
    row.m.id = m.id;
    row.m.case_id = m.case_id;
    row.m.sender_account = m.sender_account;
    row.m.kind = m.kind;
    row.m.to = m.to;
    row.m.supersedes = m.supersedes;
    row.m.answers = m.answers;
    row.m.state = m.state;
    row.m.envelope = m.envelope;
    row.m.ciphertext_size = m.ciphertext_size;
    row.m.ciphertext_hash = m.ciphertext_hash;
    row.m.submitted_at = m.submitted_at;
    row.m.changed_at = m.submitted_at;
    t_.messages.push_back(std::move(row));
    t_.ciphertexts[m.id] = std::make_shared<const std::string>(ciphertext.begin(), ciphertext.end());
  }
  void set_message_state(const proto::id& id, proto::message_state s, std::uint64_t now) override {
    auto* row = message_row_of(id);
    if (!row) return;
    row->m.state = s;
    row->m.changed_at = now;
    row->claimed_by_account.reset();
    row->m.claim_expires_at.reset();
    if (s == proto::message_state::released) {
      row->m.released_at = now;
      row->m.release_at.reset();
    } else if (s == proto::message_state::delivered) {
      row->m.delivered_at = now;
    }
  }
  void set_release_at(const proto::id& id, std::uint64_t at) override {
    if (auto* row = message_row_of(id)) row->m.release_at = at;
  }
  void set_claim(const proto::id& id, const std::optional<proto::id>& account, std::uint64_t expires_at) override {
    if (account) require_account(*account);
    if (auto* row = message_row_of(id)) {
      row->claimed_by_account = account;
      row->m.claim_expires_at = expires_at;
    }
  }
  void insert_review(const proto::id& message_id, const proto::id& facilitator_account, bool approve,
                     const std::string& statement, std::uint64_t now) override {
    if (!message_row_of(message_id)) refuse("a review of a message not stored");
    require_account(facilitator_account);
    for (const auto& r : t_.reviews) {
      if (r.message_id == message_id && r.facilitator_account == facilitator_account) {
        refuse("the facilitator reviewed the message already");
      }
    }
    t_.reviews.push_back({message_id, facilitator_account, approve, statement, now});
  }
  void shred_message(const proto::id& id) override {
    t_.ciphertexts.erase(id);
    if (auto* row = message_row_of(id)) {
      row->m.envelope.reset();
      row->m.decline_note.reset();
    }
    for (auto& r : t_.reviews) {
      if (r.message_id == id) r.statement.reset();
    }
  }
  void tell_declined(const proto::id& id, const std::optional<bytes>& note, std::uint64_t now) override {
    if (auto* row = message_row_of(id)) {
      row->m.decline_told_at = now;
      row->m.decline_note = note;
    }
  }
  void mark_purged(const proto::id& case_id, std::uint64_t now) override {
    for (auto& row : t_.messages) {
      if (row.m.case_id != case_id || row.purged_at) continue;
      shred_message(row.m.id);
      row.purged_at = now;
    }
    std::erase_if(t_.labels, [&](const auto& l) { return l.first.first == case_id; });
    std::erase_if(t_.writing_aids, [&](const auto& w) { return std::get<0>(w.first) == case_id; });
  }
  void insert_supporter_readers(const proto::id& message_id, const std::vector<proto::public_key>& readers) override {
    if (!message_row_of(message_id)) refuse("supporter readers of a message not stored");
    for (const auto& r : readers) t_.supporter_readers.emplace(key_pair{message_id, r}, true);
  }
  void set_grant(const grant_record& g) override {
    require_case(g.case_id);
    require_account(g.party_account);
    t_.grants[{g.case_id, g.party_account, g.supporter}] = {g.case_id, g.party_account, g.supporter, g.reads,
                                                            g.statement, g.at};
  }
  void set_labels(const proto::id& case_id, const std::vector<std::pair<proto::public_key, bytes>>& boxes,
                  std::uint64_t) override {
    require_case(case_id);
    std::erase_if(t_.labels, [&](const auto& l) { return l.first.first == case_id; });
    for (const auto& [reader_key, box] : boxes) {
      if (!t_.labels.emplace(key_pair{case_id, reader_key}, box).second) refuse("two labels for one reader");
    }
  }
  void set_quiet_hours(const proto::id& case_id, const std::optional<quiet_hours>& q) override {
    if (auto* c = case_row_of(case_id)) c->c.quiet = q;
  }
  void set_stage(const proto::id& case_id, proto::case_stage stage, const std::string& statement) override {
    if (auto* c = case_row_of(case_id)) {
      c->c.stage = stage;
      c->c.stage_statement = statement;
    }
  }
  void set_writing_aid(const proto::id& case_id, const proto::public_key& reader_key, const std::string& purpose,
                       const bytes& box, std::uint64_t) override {
    require_case(case_id);
    t_.writing_aids[{case_id, reader_key, purpose}] = box;
  }
  void set_consent(const consent_record& c) override {
    require_case(c.case_id);
    require_account(c.account);
    t_.consents[{c.case_id, c.account}] = c;
  }
  void insert_agreement_statement(const agreement_statement_record& s) override {
    if (!message_row_of(s.message_id)) refuse("an agreement statement of a message not stored");
    t_.agreement_statements.push_back(s);
  }
  void set_agreement_bound(const agreement_bound_record& b) override {
    if (!message_row_of(b.message_id)) refuse("a bound agreement not stored");
    if (!t_.agreements_bound.emplace(b.message_id, b).second) refuse("the agreement bound already");
  }
  void set_referral_key(const referral_key_record& k) override {
    require_account(k.account);
    t_.referral_keys[k.account] = k;
  }
  void insert_referral(const referral_record& r,
                       const std::vector<std::pair<proto::public_key, bytes>>& wraps) override {
    if (referral(r.id)) refuse("a referral of that id exists");
    if (r.entered_by) require_account(*r.entered_by);
    t_.referrals.push_back(r);
    for (const auto& [key, wrap] : wraps) {
      if (!t_.referral_wraps.emplace(key_pair{r.id, key}, wrap).second) refuse("two wraps for one reader");
    }
  }
  void set_referral_state(const proto::id& id, const std::string& state, std::uint64_t at,
                          const std::optional<proto::id>& case_id) override {
    for (auto& r : t_.referrals) {
      if (r.id != id) continue;
      r.state = state;
      r.state_at = at;
      if (case_id) r.case_id = case_id;
      if (state == "closed") r.ciphertext.reset();
    }
    if (state == "closed") std::erase_if(t_.referral_wraps, [&](const auto& w) { return w.first.first == id; });
  }
  void set_paused(const proto::id& case_id, bool paused, const std::string& statement) override {
    if (auto* c = case_row_of(case_id)) {
      c->c.paused = paused;
      c->c.pause_statement = statement;
    }
  }
  void insert_audit(const proto::audit_entry& e) override {
    for (const auto& a : t_.audit) {
      if (a.case_id == e.case_id && a.seq == e.seq) refuse("the chain has an entry of that sequence number");
    }
    t_.audit.push_back(e);
  }
  void insert_checkpoint(const proto::audit_checkpoint& c) override { t_.checkpoints[{c.case_id, c.seq}] = c; }
  std::uint64_t insert_event(const event_record& e) override {
    require_account(e.account);
    event_record row = e;
    row.seq = ++t_.last_event_seq;
    t_.events.push_back(row);
    return row.seq;
  }
  bool use_login_challenge(const proto::login_challenge& c, std::uint64_t expires_at, std::uint64_t now) override {
    std::erase_if(t_.used_login_challenges, [&](const auto& u) { return u.second <= now; });
    return t_.used_login_challenges.emplace(c, expires_at).second;
  }
  // Nothing is logged to disk: a shredded byte leaves with its row.
  void truncate_log_after_commit() override {}
  void record_done(const std::string& job, std::uint64_t at) override { t_.maintenance[job] = at; }

 private:
  template <class Map, class Key>
  static std::optional<typename Map::mapped_type> find(const Map& m, const Key& k) {
    const auto it = m.find(k);
    if (it == m.end()) return std::nullopt;
    return it->second;
  }
  void require_account(const proto::id& id) const {
    if (!t_.accounts.contains(id)) refuse("a row refers to an account not stored");
  }
  void require_case(const proto::id& id) const {
    if (!t_.cases.contains(id)) refuse("a row refers to a case not stored");
  }
  case_row* case_row_of(const proto::id& id) {
    const auto it = t_.cases.find(id);
    return it == t_.cases.end() ? nullptr : &it->second;
  }
  participant_row* participant_row_of(const proto::id& case_id, const proto::id& account) {
    for (auto& p : t_.participants) {
      if (p.case_id == case_id && p.account == account) return &p;
    }
    return nullptr;
  }
  message_row* message_row_of(const proto::id& id) {
    for (auto& m : t_.messages) {
      if (m.m.id == id) return &m;
    }
    return nullptr;
  }
  const proto::public_key& identity_of(const proto::id& account) const { return t_.accounts.at(account).identity; }
  participant_record record_of(const participant_row& p) const {
    const auto& a = t_.accounts.at(p.account);
    return {p.case_id, p.account, a.identity, p.role, p.state, p.enrolment, p.joined_at, a.display_name};
  }
  key_record record_of(const key_row& k) const {
    return {k.id, k.case_id, identity_of(k.account), k.case_key, k.statement, k.created_at};
  }
  message_record record_of(const message_row& row) const {
    message_record m = row.m;
    m.sender = identity_of(m.sender_account);
    m.purged = row.purged_at.has_value();
    if (row.claimed_by_account) {
      const auto& c = t_.accounts.at(*row.claimed_by_account);
      m.claimed_by = c.identity;
      m.claimed_by_name = c.display_name;
    }
    return m;
  }
  std::vector<message_record> records_of(const std::vector<const message_row*>& rows, std::size_t limit) const {
    std::vector<message_record> out;
    for (std::size_t i = 0; i < rows.size() && i < limit; ++i) out.push_back(record_of(*rows[i]));
    return out;
  }
  // Each case with a chain, by id, and its highest sequence number.
  std::map<proto::id, std::uint64_t> heads() const {
    std::map<proto::id, std::uint64_t> out;
    for (const auto& e : t_.audit) {
      auto& head = out[e.case_id];
      head = std::max(head, e.seq);
    }
    return out;
  }

  std::shared_ptr<tables> held_;
  tables& t_;
};

}  // namespace

memory_store::memory_store() : committed_(std::make_shared<const tables>()) {
  writer_thread_ = std::thread([this] { writer_loop(); });
}

memory_store::~memory_store() { stop(); }

reader& memory_store::acquire_reader() {
  std::shared_ptr<const tables> snapshot;
  {
    std::lock_guard lock(committed_mutex_);
    snapshot = committed_;
  }
  // The repository reads through non-const tables; a reader is never handed
  // the writer interface, so the snapshot is not written through it.
  return *new memory_repository(std::const_pointer_cast<tables>(snapshot));
}

void memory_store::release_reader(reader& r) { delete &static_cast<memory_repository&>(r); }

void memory_store::submit(job j, completion done, write_class) {
  queued q{std::move(j), std::move(done)};
  if (!queue_.offer(q)) q.done(write_problem::busy);
}

void memory_store::writer_loop() {
  std::vector<queued> next;
  while (queue_.take(next, 1)) {
    queued q = std::move(next.front());
    next.clear();
    std::shared_ptr<const tables> before;
    {
      std::lock_guard lock(committed_mutex_);
      before = committed_;
    }
    auto working = std::make_shared<tables>(*before);
    write_problem result = write_problem::none;
    try {
      memory_repository repo(*working);
      if (q.j(repo) == verdict::keep) {
        std::lock_guard lock(committed_mutex_);
        committed_ = std::move(working);
      }
    } catch (const std::exception& e) {
      spdlog::error("a write failed and was rolled back: {}", e.what());
      result = write_problem::internal;
    }
    q.done(result);
  }
}

void memory_store::stop() {
  queue_.close();
  if (writer_thread_.joinable()) writer_thread_.join();
}

storage_health memory_store::health() const { return {}; }

std::size_t memory_store::queue_depth() const { return queue_.size(); }

}  // namespace shuttle::relay
