// The account's letters: sending (sealed here, streamed), downloading into
// a scratch file, reading against the roster, declining, revoking, and the
// copies kept on this device.
#include "client-lib/account_parts.hpp"
#include "client-lib/letter.hpp"
#include "client-lib/refusals.hpp"
#include "client-lib/statements.hpp"
#include "proto/fingerprint.hpp"
#include "proto/letter_format.hpp"
#include "proto/limits.hpp"

#include <cstdio>

#include <fcntl.h>
#include <unistd.h>

namespace shuttle::client {

using namespace account_detail;

// ------------------------------------------------------------------ letters

result<proto::id> account::send(const proto::id& case_id, const draft& d) {
  // Too large for the relay: said at once, before anything is sent.
  const std::uint64_t sealed_size = proto::ciphertext_size_for(padded_size(serialized_size(d.content)));
  if (sealed_size > proto::relay_ciphertext_bytes) {
    auto mib = [](std::uint64_t n) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1024.0 * 1024.0));
      return std::string(buf);
    };
    return make_error(errc::invalid_argument,
                      "This letter with its attachments comes to " + mib(sealed_size) + " once sealed; the relay takes " +
                          "letters up to " + mib(proto::relay_ciphertext_bytes) +
                          ". Nothing was sent. Please leave out or shrink an attachment.");
  }
  auto entry = case_of(case_id);
  if (!entry) return entry.error();
  auto snap = snapshot(case_id);
  if (!snap) return snap.error();
  const roster* r = &snap->trust;
  const bool note = d.kind == proto::message_kind::note;
  const bool agreement = d.kind == proto::message_kind::agreement;
  const bool supporter = party_of(entry->role).has_value();
  if (agreement && entry->role != proto::role::facilitator) {
    return make_error(errc::invalid_argument, "The facilitators write the agreement; you can ask them for changes.");
  }
  const bool checks_in = d.kind == proto::message_kind::checkin;
  const bool to_party = (note || checks_in) && d.to && *d.to != proto::role::facilitator;
  if (checks_in && (!to_party || !d.due_at)) {
    return make_error(errc::invalid_argument, "A check-in goes to one party, at a time you give.");
  }
  if (to_party && entry->role != proto::role::facilitator) {
    return make_error(errc::invalid_argument, "Your note goes to your facilitators; only they write to a party.");
  }
  if (to_party && *d.to != proto::role::harmed && *d.to != proto::role::responsible) {
    return make_error(errc::invalid_argument, "A facilitator's note goes to the harmed or the responsible party.");
  }
  if (!note && !agreement && !checks_in && entry->role == proto::role::facilitator) {
    return make_error(errc::invalid_argument, "Facilitators write internal notes, not letters.");
  }
  if (!note && supporter) {
    return make_error(errc::invalid_argument,
                      "A supporter writes to the facilitators (--to facilitators), not to the other party.");
  }
  if (!note && !r->is_facilitator(identity())) {
    if (auto me = r->find(identity()); !me) {
      return make_error(errc::not_attested,
                        "your keys have not been attested yet: your facilitator compares safety numbers with you first");
    }
  }
  // Every active facilitator must be known with its attested, current key.
  auto view = view_of(case_id, *snap);
  if (!view) return view.error();
  if (auto ok = check_keys(*view, proto::role::facilitator, "a facilitator of this case"); !ok) return ok.error();
  letter_draft ld;
  ld.header = header_for(case_id);
  ld.kind = d.kind;
  if (to_party) {
    ld.to = *d.to;
    // Every active participant in that role, with the keys a facilitator checked.
    if (auto ok = check_keys(*view, *d.to, "the " + std::string(proto::to_string(*d.to)) + " party"); !ok) {
      return ok.error();
    }
    bool someone = false;
    for (const auto& p : view->people) someone |= p.role == *d.to && p.state == "active";
    if (!someone) return make_error(errc::withdrawn, "No one in that role takes part in the case now.");
  } else if (note) {
    ld.to = proto::role::facilitator;
  } else if (agreement) {
    // For both parties, each with the keys a facilitator checked (SPEC 5.6).
    ld.to = proto::role::facilitator;
    for (const proto::role party : {proto::role::harmed, proto::role::responsible}) {
      if (auto ok = check_keys(*view, party, "the " + std::string(proto::to_string(party)) + " party"); !ok) {
        return ok.error();
      }
      bool someone = false;
      for (const auto& p : view->people) someone |= p.role == party && p.state == "active";
      if (!someone) return make_error(errc::withdrawn, "Both parties take part before an agreement is written.");
    }
  } else {
    auto to = other_party(entry->role);
    if (!to) return to.error();
    ld.to = *to;
    bool someone = false;
    for (const auto& p : view->people) someone |= p.role == *to && p.state == "active";
    for (const auto& p : view->people) {
      if (p.role == *to && p.state == "withdrawn" && !someone) {
        return make_error(errc::withdrawn, "The other party has left the process. Nothing more can be sent.");
      }
    }
  }
  if (d.answers) {
    // A letter that answers one is a reply; a note answers a check-in.
    if (!note) ld.kind = proto::message_kind::reply;
    ld.answers = d.answers;
  }
  const auto* mine = keys_.find_case_key(case_id);
  if (!mine) return make_error(errc::withdrawn, "This profile no longer holds a key for that case.");
  // The facilitators read every letter; the supporters this writer lets read, its letters.
  auto readers = r->facilitator_readers();
  if (to_party || agreement) {
    for (const auto& p : view->people) {
      const bool reads = agreement ? p.role == proto::role::harmed || p.role == proto::role::responsible : p.role == *d.to;
      if (!reads || p.state != "active") continue;
      auto keys = r->find(p.identity);
      if (!keys) return keys.error();
      readers.push_back({p.identity, keys->case_key});
    }
  }
  if (!note && !agreement && !checks_in) {
    for (const auto& s : r->supporters_of(identity())) readers.push_back(s);
  }
  // Sealed a chunk at a time into a file of this profile, then uploaded from
  // it: the letter is never held twice in memory, however large.
  auto sealed_file = scratch_file::create(dir_);
  if (!sealed_file) return sealed_file.error();
  result<void> stored;
  letter_builder builder(keys_.identity(), *mine, ld, readers, serialized_size(d.content),
                         [&](bytes_view c) { if (stored) stored = sealed_file->append(c); });
  result<void> sealing;
  if (auto ok = serialize_to(d.content, [&](bytes_view piece) { if (sealing) sealing = builder.write(piece); }); !ok) {
    return ok.error();
  }
  if (!sealing) return sealing.error();
  auto envelope = builder.finish();
  if (!envelope) return envelope.error();
  if (!stored) return stored.error();
  if (auto ok = sealed_file->close(); !ok) return ok.error();
  auto payload = ciphertext_source::file(sealed_file->path());
  if (!payload) return payload.error();
  const std::string prefix = "{\"envelope\":" + json::serialize(as_json(*envelope)) + ",\"ciphertext\":\"";
  // A revision names the letter it revises beside the envelope, where the
  // relay shows it only to this writer and the facilitators.
  std::string suffix = "\"}";
  if (d.revises) {
    auto revision = revision_of(keys_.identity(), case_id, envelope->header.statement_id, *d.revises);
    if (!revision) return revision.error();
    suffix = "\",\"revision\":" + json::serialize(as_json(*revision)) + "}";
  }
  if (checks_in) {
    // Its time, signed beside the envelope: the relay releases it then (SPEC 5.19).
    proto::checkin schedule;
    schedule.header = header_for(case_id);
    schedule.message_id = envelope->header.statement_id;
    schedule.due_at = *d.due_at;
    auto signed_schedule = sign(std::move(schedule), keys_.identity());
    if (!signed_schedule) return signed_schedule.error();
    suffix = "\",\"checkin\":" + json::serialize(as_json(*signed_schedule)) + "}";
  }
  auto answer = authenticated([&] {
    return relay_.post_streamed(case_path(case_id, "/messages"), prefix, *payload, suffix,
                                [this](std::uint64_t done, std::uint64_t total) { report("sending", done, total); });
  });
  if (!answer) return answer.error();
  // What a person wrote stays readable on their own device (not notes, which
  // belong to the case's facilitators together).
  if (!note && !agreement && !checks_in) {
    if (auto ok = box_.keep(envelope->header.statement_id, case_id, identity(), unix_now(), std::nullopt, d.content);
        !ok) {
      return ok.error();
    }
  }
  return envelope->header.statement_id;
}

result<scratch_file> scratch_file::create(const std::filesystem::path& profile) {
  const auto dir = profile / "transfer";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
  scratch_file f;
  f.path_ = dir / (proto::base64url_encode(proto::random_id()) + ".part");
  f.fd_ = ::open(f.path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (f.fd_ < 0) return make_error(errc::invalid_argument, "cannot write in " + dir.string());
  return f;
}

scratch_file::scratch_file(scratch_file&& o) noexcept
    : path_(std::exchange(o.path_, {})), fd_(std::exchange(o.fd_, -1)) {}

scratch_file::~scratch_file() {
  if (fd_ >= 0) ::close(fd_);
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove(path_, ec);
}

result<void> scratch_file::append(bytes_view data) {
  while (!data.empty()) {
    const auto n = ::write(fd_, data.data(), data.size());
    if (n <= 0) return make_error(errc::invalid_argument, "cannot write " + path_.string() + " (is the disk full?)");
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return {};
}

result<void> scratch_file::close() {
  const int fd = std::exchange(fd_, -1);
  if (fd >= 0 && ::close(fd) != 0) return make_error(errc::invalid_argument, "cannot write " + path_.string());
  return {};
}

void account::report(std::string_view what, std::uint64_t done, std::uint64_t total) {
  if (progress_) progress_(what, done, total);
}

result<void> account::download(const proto::id& case_id, const proto::id& message, const proto::envelope& e,
                               scratch_file& into) {
  return authenticated([&]() -> result<void> {
    return relay_.get_streamed(
        message_path(case_id, message, "/ciphertext"), e.ciphertext_size, [&](bytes_view piece) { return into.append(piece); },
        [this](std::uint64_t done, std::uint64_t total) { report("receiving", done, total); });
  });
}

result<std::vector<message_summary>> account::messages(const proto::id& case_id) {
  auto r = authenticated([&] { return relay_.get(case_path(case_id, "/messages")); });
  if (!r) return missing(case_id, r.error());
  auto answer = parse_case_messages(*r, identity());
  if (!answer) return answer.error();
  auto& list = answer->messages;
  // A letter this device sent, which the relay acknowledged, is listed in
  // every state until its case is gone; one the relay does not list was lost
  // there, by a restore from an earlier copy when the relay says so.
  auto kept = box_.letters(case_id);
  if (!kept) return kept.error();
  for (const auto& k : *kept) {
    if (k.sender != identity()) continue;
    if (std::any_of(list.begin(), list.end(), [&](const message_summary& m) { return m.message == k.message; })) continue;
    message_summary lost;
    lost.message = k.message;
    lost.case_id = case_id;
    lost.sender = k.sender;
    lost.state = answer->restored_at ? "lost_in_restore" : "lost";
    lost.submitted_at = k.received_at;
    lost.mine = true;
    if (auto c = case_of(case_id); c) {
      if (auto to = other_party(c->role); to) lost.to = *to;
    }
    list.push_back(std::move(lost));
  }
  std::stable_sort(list.begin(), list.end(), [](const message_summary& a, const message_summary& b) {
    return a.submitted_at.value_or(0) < b.submitted_at.value_or(0);
  });
  return list;
}

result<proto::id> account::resend(const proto::id& case_id, const proto::id& message) {
  auto kept = box_.letter(message);
  if (!kept) return kept.error();
  if (!*kept || (*kept)->case_id != case_id || (*kept)->sender != identity()) {
    return make_error(errc::not_found, "This device holds no letter of yours with that id in this case.");
  }
  auto list = messages(case_id);
  if (!list) return list.error();
  const auto it = std::find_if(list->begin(), list->end(), [&](const message_summary& m) { return m.message == message; });
  if (it == list->end() || (it->state != "lost" && it->state != "lost_in_restore")) {
    return make_error(errc::invalid_argument, "The service has this letter; there is nothing to send again.");
  }
  draft d;
  d.content = std::move((*kept)->content);  // with its attachments' bytes
  auto sent = send(case_id, d);
  if (!sent) return sent.error();
  if (auto gone = box_.forget(message); !gone) return gone.error();
  return sent;
}

result<fetched_message> account::fetch(const proto::id& case_id, const proto::id& message) {
  auto r = authenticated([&] { return relay_.get(message_path(case_id, message)); });
  if (!r && r.error().code == errc::relay_refused && relay_.last_refusal() && relay_.last_refusal()->status == 410) {
    // Taken back, declined or purged: gone, in the catalogue's words.
    const auto& gone = *relay_.last_refusal();
    return make_error(errc::not_found, refusal_sentence(gone.code).value_or(gone.message));
  }
  if (!r) return r.error();
  auto got = parse_fetched_message(*r, identity());
  // A relay that answers with another message than the one asked for is refused.
  if (got && (got->summary.message != message || got->envelope.header.statement_id != message ||
              got->envelope.header.case_id != case_id)) {
    return make_error(errc::relay_refused, "the relay answered with another message than the one asked for");
  }
  return got;
}

namespace {

// How a reader knows a facilitator: by the name given at enrolment, or by
// the first digits of the safety number.
std::string facilitator_name(const case_detail& detail, const proto::public_key& who) {
  for (const auto& p : detail.participants) {
    if (p.identity == who && p.name) return *p.name;
  }
  return "facilitator " + proto::safety_number(who).substr(0, 5);
}

}  // namespace

result<opened_letter> account::read(const proto::id& case_id, const proto::id& message, bool receipt) {
  auto entry = case_of(case_id);
  if (!entry) return entry.error();
  auto got = fetch(case_id, message);
  if (!got) {
    const auto refusal = relay_.last_refusal();
    const bool gone = refusal && refusal->status == 410;
    if (gone && (refusal->code == "revoked" || refusal->code == "declined")) {
      // Taken back by its writer, or declined by this reader: it leaves this device too.
      (void)box_.forget(message);
      return got.error();
    }
    const auto code = got.error().code;
    if (code == errc::withdrawn || code == errc::not_found || code == errc::case_closed || gone) {
      auto kept = box_.letter(message);
      if (kept && *kept && (*kept)->case_id == case_id) {
        opened_letter out;
        out.summary.message = message;
        out.summary.case_id = case_id;
        out.summary.sender = (*kept)->sender;
        out.summary.mine = (*kept)->sender == identity();
        out.summary.state = "kept";
        out.content = std::move((*kept)->content);
        out.content_note = (*kept)->content_note;
        out.kept_on_this_device = true;
        return out;
      }
    }
    return got.error();
  }
  auto snap = snapshot(case_id);
  if (!snap) return snap.error();
  const roster* r = &snap->trust;
  const auto* e = &got->envelope;
  // The ciphertext goes from the relay to a file of this profile, a piece at a time.
  auto downloaded = scratch_file::create(dir_);
  if (!downloaded) return downloaded.error();
  if (auto ok = download(case_id, message, *e, *downloaded); !ok) return ok.error();
  if (auto ok = downloaded->close(); !ok) return ok.error();
  auto source = ciphertext_source::file(downloaded->path());
  if (!source) return source.error();
  const ciphertext_source* ciphertext = &*source;
  const auto* mine = keys_.find_case_key(case_id);
  if (!mine) return make_error(errc::withdrawn, "This profile no longer holds a key for that case.");

  opened_letter out;
  out.summary = got->summary;
  if (entry->role == proto::role::facilitator) {
    auto doc = open_for_review(*r, *e, *ciphertext, keys_.identity(), *mine);
    if (!doc) return doc.error();
    out.content = std::move(*doc);
    // Read for review on this device, with this exact content: approve and return need it.
    if (auto ok = box_.set("reviewed/" + b64(message), b64(e->ciphertext_hash)); !ok) return ok.error();
    return out;
  }
  if (e->header.signer == identity()) {
    auto key = unwrap_for(e->wraps, message, keys_.identity(), *mine);
    if (!key) return key.error();
    auto doc = decrypt_letter(*e, *ciphertext, *key);
    if (!doc) return doc.error();
    out.content = std::move(*doc);
    // The writer's own copy stays on this device too.
    if (auto ok = box_.keep(message, case_id, identity(), unix_now(), std::nullopt, out.content); !ok) return ok.error();
    if (got->returned) {
      auto n = open_return(*r, *e, *got->returned, *mine);
      if (!n) return n.error();
      out.returned = std::move(*n);
    }
    if (got->decline_note) {
      auto n = open_note(*got->decline_note, message, "declined", *mine);
      if (!n) return n.error();
      out.declined_note = std::move(n->text);
    }
    return out;
  }
  if (party_of(entry->role) && e->to != *party_of(entry->role)) {
    // A supporter reading a letter its party wrote: the envelope carries its wrap.
    auto doc = open_for_review(*r, *e, *ciphertext, keys_.identity(), *mine);
    if (!doc) return doc.error();
    out.content = std::move(*doc);
    if (auto ok = box_.keep(message, case_id, e->header.signer, unix_now(), std::nullopt, out.content); !ok) {
      return ok.error();
    }
    return out;
  }
  auto delivered = open_delivered(*r, *e, got->approvals, *ciphertext, keys_.identity(), *mine, unix_now());
  if (!delivered) return delivered.error();
  out.content = std::move(delivered->content);
  out.content_notes = delivered->content_notes;
  for (auto& n : out.content_notes) n.by_name = facilitator_name(snap->detail, n.by);
  if (!out.content_notes.empty()) {
    std::string all;
    for (const auto& n : out.content_notes) {
      all += (all.empty() ? "" : "\n\n") + std::string("From ") + facilitator_name(snap->detail, n.by) + ": " + n.text;
    }
    out.content_note = out.content_notes.size() == 1 ? out.content_notes.front().text : all;
  }
  if (auto ok = box_.keep(message, case_id, e->header.signer, unix_now(), out.content_note, out.content); !ok) {
    return ok.error();
  }
  if (receipt) {
    auto ok = authenticated([&] { return relay_.post(message_path(case_id, message, "/receipt"), json::object{}); });
    if (!ok) return ok.error();
    if (auto understood = parse_state_answer(*ok, "opened"); !understood) return understood.error();
    out.summary.state = "opened";
  }
  return out;
}

result<void> account::decline(const proto::id& case_id, const proto::id& message) {
  auto r = authenticated([&] { return relay_.post(message_path(case_id, message, "/decline"), json::object{}); });
  if (!r) return r.error();
  if (auto ok = parse_state_answer(*r, "declined"); !ok) return ok.error();
  (void)box_.forget(message);
  return {};
}

result<revoke_answer> account::revoke(const proto::id& case_id, const proto::id& message) {
  proto::revoke rv;
  rv.header = header_for(case_id);
  rv.message_id = message;
  auto s = sign(rv, keys_.identity());
  if (!s) return s.error();
  auto r = authenticated([&] { return relay_.post(message_path(case_id, message, "/revoke"), json::object{{"revoke", as_json(*s)}}); });
  if (!r) return r.error();
  auto answer = parse_revoke_answer(*r);
  if (!answer) return answer.error();
  (void)box_.forget(message);  // taken back: the writer's own copy goes too
  return answer;
}

result<void> account::tell_declined(const proto::id& case_id, const proto::id& message, std::string_view note_text) {
  json::object body;
  if (!note_text.empty()) {
    auto review = review_of(case_id, message);
    if (!review) return review.error();
    auto writer = review->current.trust.find(review->envelope.header.signer);
    if (!writer) return writer.error();
    note n;
    n.purpose = "declined";
    n.text = std::string(note_text);
    auto sealed = seal_note(n, message, writer->case_key);
    if (!sealed) return sealed.error();
    body["note"] = proto::base64url_encode(sealed->box);
  }
  auto r = authenticated([&] { return relay_.post(message_path(case_id, message, "/tell-declined"), body); });
  if (!r) return r.error();
  return parse_state_answer(*r, "declined");
}

result<std::size_t> account::sync(const proto::id& case_id) {
  auto list = messages(case_id);
  if (!list) return list.error();
  std::size_t deleted = 0;
  for (const auto& m : *list) {
    // Revoked by its writer, or declined by this recipient: the copy goes.
    if (m.state != "revoked" && !(m.state == "declined" && !m.mine)) continue;
    auto gone = box_.forget(m.message);
    if (!gone) return gone.error();
    deleted += *gone ? 1 : 0;
  }
  return deleted;
}

result<std::vector<kept_letter>> account::kept(const proto::id& case_id) { return box_.letters(case_id); }

}  // namespace shuttle::client
