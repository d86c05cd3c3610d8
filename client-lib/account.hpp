// The client library's API: one person's account on one relay, for all three
// roles. It is the only place where private keys and plaintext exist; the
// relay only ever receives signed statements, ciphertexts and wraps.
//
// A profile is a directory holding the keystore (keystore.json, encrypted
// under the passphrase) and the mailbox (mailbox.db, encrypted under a key
// derived from the identity key): the cases known, the facilitator key each
// invitation pinned, the relay, the session token, and the letters received.
//
// Trust: every letter, key and approval the relay hands over is checked
// against the case's roster, which grows only from the pinned facilitator's
// signatures (client-lib/review.hpp). Nothing the relay says without such a
// signature is used.
//
// Failures are typed `shuttle::error`s: not_attested (a key no facilitator
// vouched for, including your own before the safety-number check),
// facilitator_mismatch (the relay presented another facilitator than the
// invitation pins), key_changed, relay_unreachable, tls_failure,
// wrong_passphrase, withdrawn, case_closed, not_found, not_logged_in,
// relay_refused (any other refusal; the detail names the relay's code).
//
// Ownership and threads: an account owns its connection, keys and mailbox;
// it is movable, not copyable, and is used from one thread at a time.
// Sessions are renewed by logging in again when the relay says one ended.
#pragma once

#include "client-lib/document.hpp"
#include "client-lib/keystore.hpp"
#include "client-lib/mailbox.hpp"
#include "client-lib/relay_answers.hpp"
#include "client-lib/relay_connection.hpp"
#include "client-lib/review.hpp"
#include "proto/agreement.hpp"
#include "proto/checkin.hpp"
#include "proto/audit.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace shuttle::client {


// A referral as a facilitator sees it (SPEC 6.8): what the person wrote,
// once opened with this facilitator's referral key.
struct referral_entry {
  proto::id referral{};
  std::uint64_t received_at = 0;
  proto::referral_state state = proto::referral_state::received;
  std::optional<proto::referral_document> document;  // none: not sealed to this facilitator's key
  bool entered = false;                       // a facilitator entered it on someone's behalf
  std::optional<std::string> entered_by_name;
  std::optional<proto::id> case_id;           // the case opened from it
};

struct person {
  proto::public_key identity{};
  proto::role role = proto::role::harmed;
  std::string state;              // active, withdrawn
  bool attested = false;          // in this client's roster with its current key
  bool key_changed = false;       // attested once, but its current key is another
  bool me = false;
  std::string safety_number;      // of the identity key
  std::optional<std::string> name;  // a facilitator's display name
  bool reads = false;             // a supporter: its party lets it read
  bool consented = false;                       // signed a consent to the service's text (SPEC 5.16)
  bool consent_current = false;                 // ... to the current one
  std::optional<std::string> consent_language;  // ... in this language
};

// The consent text this device agreed to for a case, kept to be read again.
struct agreed_consent {
  std::string language;
  std::string text;
  proto::hash text_hash{};
  std::uint64_t at = 0;
};
// Given the service's consent texts, the one the person read and agreed to
// (its index), or nothing: the person does not agree, and nothing is sent.
using consent_chooser = std::function<std::optional<std::size_t>(const std::vector<consent_offer>&)>;

struct case_view {
  case_summary summary;  // with the stage and the pause as their statements show them
  std::vector<person> people;
  std::optional<quiet_hours_setting> quiet_hours;
};


// The outcome agreement in force, opened and checked as SPEC 9 says
// ("Outcome agreement"): only signatures and marks that count are here.
struct agreement_view {
  proto::id message{};
  std::uint64_t submitted_at = 0;
  proto::agreement_document document;
  std::string body;    // exactly as sealed (what the hash covers)
  proto::hash hash{};  // computed here from the document opened
  struct signer {
    person who;  // from the case's people (role, name, safety number)
    bool same_text = true;  // signed the hash computed here; else another text
  };
  std::vector<signer> signatures;
  struct mark {
    std::uint64_t item = 0;  // 1, 2, ...
    bool done = false;
    person by;
  };
  std::vector<mark> marks;         // the newest mark of each item, in item order
  std::size_t ignored_marks = 0;   // marks naming an item the document lacks
  std::vector<person> waiting_for;  // active parties and facilitators who have not signed yet
  bool signed_by_me = false;
  // The statements behind `signatures` and `marks` (every mark that counts), for the export.
  std::vector<proto::agreement_signature> signature_statements;
  std::vector<proto::agreement_mark> mark_statements;
  bool bound = false;  // the relay says so and the signatures that count show it
  std::optional<std::uint64_t> bound_at;
  std::vector<person> people;  // the case's people as this view found them (for the export)
};

// A check-in (SPEC 5.19) as its facilitators, or its party, see it.
struct checkin_view {
  proto::id message{};
  proto::role to = proto::role::harmed;
  std::optional<std::uint64_t> due_at;       // when it reaches the party (known to the facilitators until then)
  std::optional<std::uint64_t> released_at;  // when it did
  std::string state;                         // scheduled, open (reached the party, not answered), answered
  std::optional<proto::id> answer;           // the note that answered it
};

// A letter opened by its reader.
struct opened_letter {
  message_summary summary;
  document content;
  std::optional<std::string> content_note;  // the facilitators' notes to the recipient, in one text
  std::vector<facilitator_note> content_notes;  // each approver's note, with who wrote it
  // Read from this device's mailbox, because the relay no longer holds it
  // for this person (they withdrew, the case closed or was purged).
  bool kept_on_this_device = false;
  std::optional<note> returned;              // why it came back (for its sender)
  std::optional<std::string> declined_note;  // a facilitator's words about a decline (for its sender)
};


// A file of the profile (transfer/, mode 0600) for a letter's ciphertext on
// its way out or in; removed when it goes out of scope.
class scratch_file {
 public:
  static result<scratch_file> create(const std::filesystem::path& profile);
  scratch_file(scratch_file&& o) noexcept;
  scratch_file& operator=(scratch_file&&) = delete;
  ~scratch_file();
  result<void> append(bytes_view data);
  result<void> close();
  const std::filesystem::path& path() const { return path_; }

 private:
  scratch_file() = default;
  std::filesystem::path path_;
  int fd_ = -1;
};

class account {
 public:
  // Enrols with an invitation code: creates the profile in `dir` (or, when
  // it already holds one, joins the case with the existing account). Checks
  // the invitation the relay presents against the code before sending
  // anything (facilitator_mismatch). `relay` overrides the code's relay
  // address (needed when the code names none).
  // A facilitator account (an operator's code) needs `display_name`.
  // A service with a consent text asks `agree` which text the person read
  // and agreed to; without a choice nothing is sent (consent_required).
  static result<account> enrol(const std::filesystem::path& dir, std::string_view code,
                               std::string_view passphrase, const std::optional<std::string>& relay = std::nullopt,
                               const std::optional<std::string>& display_name = std::nullopt,
                               const consent_chooser& agree = {});
  // Opens an existing profile (wrong_passphrase, not_logged_in when there is none).
  static result<account> open(const std::filesystem::path& dir, std::string_view passphrase);
  // Moving keys between clients (SPEC 11.1): the keystore file as sealed,
  // the pinned relay key and each case's root of trust, signed by the
  // identity key. Importing makes a new profile in `dir` (none may be
  // there) once the passphrase opens the file's keystore and the signature
  // is the identity's own; `relay_override` and `pin` name the relay when
  // the file does not, or differently.
  result<std::string> export_profile();
  static result<account> import_profile(const std::filesystem::path& dir, std::string_view file_text,
                                        std::string_view passphrase, const std::optional<std::string>& relay_override,
                                        const std::optional<proto::hash>& pin);

  account(account&&) noexcept;
  account& operator=(account&&) noexcept;
  ~account();

  const proto::public_key& identity() const { return keys_.identity().public_key(); }
  std::string safety_number() const;
  const relay_address& relay() const { return relay_.address(); }
  bool is_facilitator() const { return facilitator_; }

  result<void> login();
  result<void> logout();

  // -- cases
  result<std::vector<case_summary>> cases();
  result<case_view> show_case(const proto::id& case_id);
  // A facilitator opens a case (two_person: two distinct approvals per letter).
  result<proto::id> open_case(bool two_person);
  // A facilitator invites someone into a case; the code is handed over in person.
  result<std::string> invite(const proto::id& case_id, proto::role role, std::uint64_t lifetime_seconds = 7 * 24 * 3600);
  // A facilitator attests a participant after comparing its safety number.
  result<void> attest(const proto::id& case_id, const proto::public_key& participant);
  // Refused while a check-in is open (checkins_open) unless `open_checkins_too`.
  result<void> close_case(const proto::id& case_id, bool open_checkins_too = false);
  // A facilitator labels a case for the facilitators alone (sealed to each).
  result<void> set_label(const proto::id& case_id, std::string_view text);
  // A facilitator sets quiet hours ("HH:MM", in an IANA time zone); start
  // equal to end removes them.
  result<void> set_quiet_hours(const proto::id& case_id, std::string_view time_zone, std::string_view start,
                               std::string_view end);
  // A party lets an attested supporter of its side read the letters it sends
  // and receives from now on (`reads`), or ends that.
  result<void> grant(const proto::id& case_id, const proto::public_key& supporter, bool reads);
  // A facilitator seals a writing aid to a party (SPEC 7): `names` (one per
  // line: what the check for identifying details looks for in that party's
  // letters) or `prompts` (one per line: guided writing questions).
  result<void> set_writing_aid(const proto::id& case_id, proto::role party, std::string_view purpose,
                               std::string_view text);
  // A party's writing aid of one purpose, opened (nothing when none was set).
  result<std::optional<std::string>> writing_aid(const proto::id& case_id, std::string_view purpose);
  // The service's current consent texts (none: it asks for none).
  result<std::vector<consent_offer>> consent_texts();
  // The text this device agreed to for the case, if it keeps one.
  result<std::optional<agreed_consent>> agreed(const proto::id& case_id);
  // Agrees to the service's current text again (it changed since enrolling).
  result<void> consent_again(const proto::id& case_id, const consent_offer& text);
  // -- referrals (SPEC 5.20, 6.8), for facilitators
  // Publishes this facilitator's referral key unless the relay lists it
  // (done at login too), so requests from people with no account reach it.
  result<void> ensure_referral_key();
  // The open referrals, each opened with this facilitator's key where it can be.
  result<std::vector<referral_entry>> referrals();
  // Says where a referral is (contacted, closed; closing deletes what it said
  // from the relay), and the case opened from it.
  result<void> set_referral_state(const proto::id& referral, proto::referral_state state,
                                  std::optional<proto::id> case_id = std::nullopt);
  // A referral entered on someone's behalf (a third party's, by phone):
  // sealed like any, recorded as entered by this facilitator.
  result<proto::referral_code> enter_referral(const proto::referral_document& d);
  // -- the outcome agreement (SPEC 5.17, 5.18, 6.6)
  // A facilitator writes the agreement (a new version supersedes the last).
  result<proto::id> draft_agreement(const proto::id& case_id, const proto::agreement_document& d);
  // The agreement in force, opened and checked; nothing when there is none.
  result<std::optional<agreement_view>> agreement(const proto::id& case_id);
  // Signs the agreement in force: the hash of the document this device
  // opened and showed. Answers whether it binds now.
  result<bool> sign_agreement(const proto::id& case_id);
  // A facilitator marks an item (1, 2, ...) of the binding agreement.
  result<void> mark_agreement_item(const proto::id& case_id, std::uint64_t item, bool done);
  // The binding agreement as a document anyone verifies offline (SPEC 10).
  result<std::string> export_agreement(const proto::id& case_id);
  // -- aftercare check-ins (SPEC 5.19)
  // A facilitator schedules a question for one party at `due_at`, with the
  // support services they can turn to; it reaches them then (quiet hours and
  // a pause holding it), and the case stays open until it is answered.
  result<proto::id> schedule_checkin(const proto::id& case_id, proto::role party, std::uint64_t due_at,
                                     const proto::checkin_document& d);
  // The case's check-ins: all of them for a facilitator, those that reached you for a party.
  result<std::vector<checkin_view>> checkins(const proto::id& case_id);
  // A party answers a check-in that reached them (a note to the facilitators).
  result<proto::id> answer_checkin(const proto::id& case_id, const proto::id& checkin, std::string_view text);
  // A facilitator moves the case to a stage of the process (SPEC 5.14).
  result<void> set_stage(const proto::id& case_id, proto::case_stage stage);
  // The person harmed pauses the case (nothing is released) or resumes it.
  result<void> pause(const proto::id& case_id, bool paused);
  // Publishes a new case key (a new device, a key believed exposed). Letters
  // wrapped for the old key no longer open here, and nothing is sent to you
  // until a facilitator compares your safety number and attests again.
  result<void> rekey(const proto::id& case_id);
  // Withdraws from a case (a party); its unreleased letters are revoked, and
  // the released ones too with `revoke_released`. The case key is deleted.
  result<std::uint64_t> withdraw(const proto::id& case_id, bool revoke_released);

  // -- letters
  // Sends a letter into review, or a note: to the facilitators (a
  // facilitator's internal note, a party's or supporter's words to them),
  // or from a facilitator to one party (`to`: not reviewed, released at once).
  struct draft {
    document content;
    proto::message_kind kind = proto::message_kind::letter;
    std::optional<proto::role> to;     // a facilitator's note to this party (harmed or responsible)
    std::optional<proto::id> revises;  // a returned letter of yours
    std::optional<proto::id> answers;  // the letter this replies to (sent as kind reply), or a check-in a note answers
    std::optional<std::uint64_t> due_at;  // a check-in's time (kind checkin, SPEC 5.19)
  };
  result<proto::id> send(const proto::id& case_id, const draft& d);
  // The case's messages you may see, and the letters this device sent that
  // the relay no longer knows (state "lost_in_restore" after the relay was
  // restored from an earlier copy, else "lost"), by when they were sent.
  result<std::vector<message_summary>> messages(const proto::id& case_id);
  // Sends a lost letter of yours again: the same content as a new letter
  // (a new id and signature); the lost copy is then forgotten here.
  result<proto::id> resend(const proto::id& case_id, const proto::id& message);
  // Fetches and opens a message you may read: your own, one in review (a
  // facilitator), or one released to you (kept in the mailbox; the relay
  // records delivery). `receipt` tells the sender you opened it.
  // A letter received or written stays readable from this device after its
  // reader withdrew or the case closed or was purged; a letter its writer
  // revoked, or that this reader declined, is deleted from the device instead.
  result<opened_letter> read(const proto::id& case_id, const proto::id& message, bool receipt = false);
  result<void> decline(const proto::id& case_id, const proto::id& message);
  // Takes a letter back; answers whether it had already been delivered.
  result<revoke_answer> revoke(const proto::id& case_id, const proto::id& message);
  // A facilitator tells a letter's writer that its recipient declined it,
  // with an optional note sealed to the writer.
  result<void> tell_declined(const proto::id& case_id, const proto::id& message, std::string_view note_text);
  // Deletes kept letters their senders revoked; returns how many.
  result<std::size_t> sync(const proto::id& case_id);
  result<std::vector<kept_letter>> kept(const proto::id& case_id);

  // -- review (facilitators)
  // Letters waiting for review, oldest first; with `later`, the approved
  // ones waiting for their release time instead, soonest first.
  result<std::vector<message_summary>> queue(bool later = false);
  result<void> claim(const proto::id& case_id, const proto::id& message);
  result<void> unclaim(const proto::id& case_id, const proto::id& message);
  struct approval_choice {
    std::optional<std::string> content_note;
    std::optional<std::uint64_t> release_at;
  };
  // Approves; answers the state afterwards (released, or in_review while a
  // second approval or the release time is awaited).
  result<approve_answer> approve(const proto::id& case_id, const proto::id& message, const approval_choice& choice = {});
  result<void> return_letter(const proto::id& case_id, const proto::id& message, return_reason reason,
                             std::string_view note_text);
  // The case's audit trail, verified against the relay's key before it is returned.
  result<proto::audit_export> audit(const proto::id& case_id);
  result<proto::public_key> relay_key();

  // -- live events
  // Calls `on_event` for each event as it comes, reconnecting (and catching
  // up from the last one seen) until `keep_going` says stop. Returns when
  // stopped, or with an error the account cannot recover from (not_logged_in
  // after a failed login, tls_failure).
  result<void> watch(const std::function<void(const event&)>& on_event, const std::function<bool()>& keep_going);

  // Called as a large letter goes out ("sending") or comes in ("receiving"),
  // with bytes done of the total, so a person sees it move.
  void on_progress(std::function<void(std::string_view what, std::uint64_t done, std::uint64_t total)> f) {
    progress_ = std::move(f);
  }

  // Turns a unique prefix of a case or message id (as people type them) into the id.
  result<proto::id> resolve_case(std::string_view text);
  result<proto::id> resolve_message(const proto::id& case_id, std::string_view text);

 private:
  account(std::filesystem::path dir, keystore keys, secret_bytes passphrase, mailbox box, relay_connection relay);
  template <class F>
  auto authenticated(F&& f) -> decltype(f());
  // A case as the relay lists it, with the roster built from it: one fetch
  // serves every check of an operation.
  struct case_snapshot {
    case_detail detail;
    client::roster trust;
  };
  result<case_snapshot> snapshot(const proto::id& case_id);
  // A case label sealed to this facilitator, opened; nothing if it does not open.
  std::optional<std::string> open_label(const proto::id& case_id, const proto::sealed_note& box) const;
  result<roster> roster_of(const proto::id& case_id);
  static result<roster> roster_from(const proto::id& case_id, const proto::public_key& pinned,
                                    const case_detail& detail);
  result<case_detail> detail_of(const proto::id& case_id);
  result<case_view> view_of(const proto::id& case_id, const case_snapshot& snap);
  result<case_entry> case_of(const proto::id& case_id);
  result<void> save_keys();
  // Posts this facilitator's signed referral key (the session just made).
  result<void> publish_referral_key();
  result<fetched_message> fetch(const proto::id& case_id, const proto::id& message);
  // The message's ciphertext, from the relay into `into`.
  result<void> download(const proto::id& case_id, const proto::id& message, const proto::envelope& e,
                        scratch_file& into);
  void report(std::string_view what, std::uint64_t done, std::uint64_t total);
  // A message a facilitator is about to approve or return, with the roster to check it by.
  struct under_review {
    proto::envelope envelope;
    case_snapshot current;
  };
  result<under_review> review_of(const proto::id& case_id, const proto::id& message);
  // invalid_argument unless this facilitator read this letter (as it is now) on this device.
  result<void> require_read(const proto::id& case_id, const proto::envelope& e);
  // A case route answered not_found: withdrawn if the relay lists the case as left.
  error missing(const proto::id& case_id, error e);
  // not_attested or key_changed when a participant's current key is not the attested one.
  result<void> check_keys(const case_view& v, proto::role role, std::string_view who);

  std::filesystem::path dir_;
  keystore keys_;
  secret_bytes passphrase_;
  mailbox box_;
  relay_connection relay_;
  bool facilitator_ = false;
  std::function<void(std::string_view, std::uint64_t, std::uint64_t)> progress_;
};

// Words people read for a message state: "in review", "returned with a
// note", "available" ("available to them" for its writer), "delivered",
// "opened", "declined", "revoked".
std::string_view status_words(std::string_view state, bool mine = false);

// The profile's files.
inline std::filesystem::path keystore_path(const std::filesystem::path& dir) { return dir / "keystore.json"; }
inline std::filesystem::path mailbox_path(const std::filesystem::path& dir) { return dir / "mailbox.db"; }

}  // namespace shuttle::client
