// The account: its profile (enrolment, opening, the session), the live
// events, and the ids people type. account_parts.hpp names the other files.
#include "client-lib/account_parts.hpp"
#include "client-lib/enrolment.hpp"
#include "client-lib/profile_file.hpp"
#include "client-lib/referral.hpp"
#include "client-lib/statements.hpp"
#include "proto/fingerprint.hpp"
#include "proto/invitation_code.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>
#include <chrono>
#include <thread>

namespace shuttle::client {

using namespace account_detail;

std::string_view status_words(std::string_view state, bool mine) {
  if (state == "in_review") return "in review";
  if (state == "returned") return "returned with a note";
  if (state == "released") return mine ? "available to them" : "available";
  if (state == "delivered") return "delivered";
  if (state == "opened") return "opened";
  if (state == "declined") return "declined";
  if (state == "revoked") return "revoked";
  if (state == "withdrawn") return "withdrawn";
  if (state == "kept") return "kept on this device";
  if (state == "lost_in_restore") return "did not reach the service (it was restored from an earlier copy)";
  if (state == "lost") return "not known to the service";
  return state;
}

account::account(std::filesystem::path dir, keystore keys, secret_bytes passphrase, mailbox box,
                 relay_connection relay)
    : dir_(std::move(dir)),
      keys_(std::move(keys)),
      passphrase_(std::move(passphrase)),
      box_(std::move(box)),
      relay_(std::move(relay)) {}

account::account(account&&) noexcept = default;
account& account::operator=(account&&) noexcept = default;
account::~account() = default;

std::string account::safety_number() const { return proto::safety_number(identity()); }

result<void> account::save_keys() {
  const std::string_view pass(reinterpret_cast<const char*>(passphrase_.data()), passphrase_.size());
  return keys_.save(keystore_path(dir_), pass);
}

// ------------------------------------------------------------------ profile

result<account> account::enrol(const std::filesystem::path& dir, std::string_view code_text,
                               std::string_view passphrase, const std::optional<std::string>& relay_override,
                               const std::optional<std::string>& display_name, const consent_chooser& agree) {
  auto code = proto::parse_invitation_code(code_text);
  if (!code) return code.error();
  const std::string relay_text = relay_override.value_or(code->relay);
  if (relay_text.empty()) return make_error(errc::invalid_argument, "the invitation names no relay; give its address");
  auto address = relay_address::parse(relay_text, code->relay_certificate_sha256);
  if (!address) return address.error();

  const bool existing = std::filesystem::exists(keystore_path(dir));
  keystore keys = keystore::create();
  if (existing) {
    auto opened = keystore::load(keystore_path(dir), passphrase);
    if (!opened) return opened.error();
    keys = std::move(*opened);
  }
  relay_connection relay(*address);

  // The relay must present exactly the invitation the code names, signed by the pinned inviter.
  auto presented = relay.post("/v1/invitations/open", json::object{{"invitation", b64(code->invitation_id)},
                                                                     {"secret", b64(code->secret)}});
  if (!presented) return presented.error();
  auto inv = parse_open_invitation_answer(*presented);
  if (!inv) return make_error(errc::facilitator_mismatch, "the relay presented no valid invitation");
  if (auto ok = check_invitation(*code, *inv); !ok) return ok.error();

  const bool account_level = code->case_id == proto::null_case;
  std::optional<proto::display_name> name;
  if (account_level) {
    // Colleagues see a facilitator by name in the queue and beside their notes.
    if (!display_name || !proto::is_display_name(*display_name)) {
      return make_error(errc::invalid_argument,
                        "A facilitator account needs a name your colleagues will recognise (1 to 64 characters).");
    }
    name = proto::display_name{*display_name};
  }
  // The service's consent text, read and agreed to before anything is sent (SPEC 5.16).
  auto offers = parse_consent_offers(*presented);
  if (!offers) return offers.error();
  std::optional<agreed_consent> agreed;
  std::optional<proto::consent> consent;
  if (!offers->empty()) {
    const auto chosen = agree ? agree(*offers) : std::nullopt;
    if (!chosen || *chosen >= offers->size()) {
      return make_error(errc::invalid_argument,
                        "You have not joined: this service asks everyone who takes part to read its consent text and "
                        "agree to it first.");
    }
    const auto& offer = (*offers)[*chosen];
    proto::consent k;
    k.header = header_for(code->case_id);
    k.text_hash = offer.text_hash;
    auto signed_consent = sign(std::move(k), keys.identity());
    if (!signed_consent) return signed_consent.error();
    consent = std::move(*signed_consent);
    agreed = agreed_consent{offer.language, offer.text, offer.text_hash, unix_now()};
  }
  auto enrolment = make_enrolment(keys.identity(), *code, name);
  if (!enrolment) return enrolment.error();
  json::object body{{"enrolment", as_json(*enrolment)}, {"secret", b64(code->secret)}};
  if (consent) body["consent"] = as_json(*consent);
  if (!account_level) {
    auto k = make_key_statement(keys.identity(), code->case_id, keys.case_key_for(code->case_id));
    if (!k) return k.error();
    body["keys"] = as_json(*k);
  }

  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
  // The keys are on disk before the relay learns of them, so a crash cannot lose an enrolled account.
  if (auto ok = keys.save(keystore_path(dir), passphrase); !ok) return ok.error();
  auto enrolled = relay.post("/v1/enrol", body);
  if (!enrolled) {
    if (!existing) {
      std::filesystem::remove(keystore_path(dir));
      std::filesystem::remove(mailbox_path(dir));
    }
    return enrolled.error();
  }
  auto box = mailbox::open(mailbox_path(dir), keys.identity());
  if (!box) return box.error();
  if (auto ok = box->set("relay", address->text()); !ok) return ok.error();
  if (address->pin) {
    if (auto ok = box->set("pin", b64(*address->pin)); !ok) return ok.error();
  }
  if (account_level) {
    // The operator's invitation is signed by the relay key: pin it.
    if (auto ok = box->set("relay_key", b64(inv->header.signer)); !ok) return ok.error();
  } else {
    if (auto ok = box->put_case({code->case_id, code->role, inv->header.signer}); !ok) return ok.error();
  }
  if (agreed) {
    if (auto ok = keep_consent(*box, code->case_id, *agreed); !ok) return ok.error();
  }
  account a(dir, std::move(keys), secret_bytes::copy_of({reinterpret_cast<const byte*>(passphrase.data()),
                                                          passphrase.size()}),
            std::move(*box), std::move(relay));
  if (auto ok = a.login(); !ok) return ok.error();
  return a;
}

result<account> account::open(const std::filesystem::path& dir, std::string_view passphrase) {
  if (!std::filesystem::exists(keystore_path(dir))) {
    return make_error(errc::not_logged_in, "There is no Shuttle profile in " + dir.string() + ". Please enrol first.");
  }
  auto keys = keystore::load(keystore_path(dir), passphrase);
  if (!keys) return keys.error();
  auto box = mailbox::open(mailbox_path(dir), keys->identity());
  if (!box) return box.error();
  auto relay_text = box->setting("relay");
  if (!relay_text) return relay_text.error();
  if (!*relay_text) return make_error(errc::not_logged_in, "This profile has no relay. Please enrol first.");
  std::optional<proto::hash> pin;
  if (auto p = box->setting("pin"); p && *p) {
    auto raw = proto::base64url_decode(**p);
    if (!raw || raw->size() != 32) return make_error(errc::keystore_corrupt, "the stored certificate pin is damaged");
    pin.emplace();
    std::copy(raw->begin(), raw->end(), pin->begin());
  }
  auto address = relay_address::parse(**relay_text, pin);
  if (!address) return address.error();
  relay_connection relay(*address);
  if (auto t = box->setting("token"); t && *t) relay.set_token(**t);
  account a(dir, std::move(*keys),
            secret_bytes::copy_of({reinterpret_cast<const byte*>(passphrase.data()), passphrase.size()}),
            std::move(*box), std::move(relay));
  if (auto f = a.box_.setting("facilitator"); f && *f) a.facilitator_ = **f == "1";
  return a;
}

result<std::string> account::export_profile() {
  std::ifstream in(keystore_path(dir_), std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return make_error(errc::keystore_corrupt, "the keystore of this profile cannot be read");
  profile_file p;
  p.keystore_text = text.str();
  p.relay = relay_.address().text();
  p.relay_certificate_sha256 = relay_.address().pin;
  auto known = box_.setting("relay_key");
  if (!known) return known.error();
  if (!*known) {
    if (auto ok = login(); !ok) return ok.error();  // the relay key is pinned at the first login
    known = box_.setting("relay_key");
    if (!known) return known.error();
  }
  auto raw = proto::base64url_decode(known->value_or(""));
  if (!raw || raw->size() != p.relay_key.size()) return make_error(errc::keystore_corrupt, "the pinned relay key is damaged");
  std::copy(raw->begin(), raw->end(), p.relay_key.begin());
  auto cases = box_.cases();
  if (!cases) return cases.error();
  p.cases = std::move(*cases);
  sign_profile(p, keys_.identity());
  return serialize_profile_file(p);
}

result<account> account::import_profile(const std::filesystem::path& dir, std::string_view file_text,
                                        std::string_view passphrase, const std::optional<std::string>& relay_override,
                                        const std::optional<proto::hash>& pin) {
  if (std::filesystem::exists(keystore_path(dir))) {
    return make_error(errc::invalid_argument, "There is already a Shuttle profile in " + dir.string() +
                                                  "; import into another directory (--profile).");
  }
  auto p = parse_profile_file(file_text);
  if (!p) return make_error(errc::invalid_argument, "That file is not a Shuttle keys file (" + p.error().message() + ").");
  auto keys = keystore::open(p->keystore_text, passphrase);
  if (!keys) return keys.error();
  if (auto ok = check_profile(*p, keys->identity().public_key()); !ok) {
    return make_error(errc::invalid_argument, "That keys file was changed after it was saved; nothing was imported.");
  }
  const std::string relay_text = relay_override.value_or(p->relay.value_or(""));
  if (relay_text.empty()) return make_error(errc::invalid_argument, "the file names no relay; give its address");
  auto address = relay_address::parse(relay_text, pin ? pin : p->relay_certificate_sha256);
  if (!address) return address.error();
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
  const auto undo = [&dir] {
    std::filesystem::remove(keystore_path(dir));
    std::filesystem::remove(mailbox_path(dir));
  };
  {
    // The keystore as it came, sealed under the same passphrase (0600, like every file of a profile).
    const int fd = ::open(keystore_path(dir).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return make_error(errc::invalid_argument, "cannot write " + keystore_path(dir).string());
    const bool written = ::write(fd, p->keystore_text.data(), p->keystore_text.size()) ==
                         static_cast<ssize_t>(p->keystore_text.size());
    if (::close(fd) != 0 || !written) {
      undo();
      return make_error(errc::invalid_argument, "cannot write " + keystore_path(dir).string());
    }
  }
  auto box = mailbox::open(mailbox_path(dir), keys->identity());
  const auto fail = [&](error e) -> result<account> {
    undo();
    return e;
  };
  if (!box) return fail(box.error());
  if (auto ok = box->set("relay", address->text()); !ok) return fail(ok.error());
  if (address->pin) {
    if (auto ok = box->set("pin", b64(*address->pin)); !ok) return fail(ok.error());
  }
  if (auto ok = box->set("relay_key", b64(p->relay_key)); !ok) return fail(ok.error());
  for (const auto& c : p->cases) {
    if (auto ok = box->put_case(c); !ok) return fail(ok.error());
  }
  relay_connection relay(*address);
  account a(dir, std::move(*keys), secret_bytes::copy_of({reinterpret_cast<const byte*>(passphrase.data()),
                                                          passphrase.size()}),
            std::move(*box), std::move(relay));
  // The relay must be the one the keys know (login refuses another relay key).
  if (auto ok = a.login(); !ok) return fail(ok.error());
  return a;
}

result<void> account::login() {
  auto answer = relay_.post("/v1/login/challenge", json::object{{"identity", b64(identity())}});
  if (!answer) return answer.error();
  auto ch = parse_challenge_answer(*answer);
  if (!ch) return ch.error();
  const auto* challenge = &ch->challenge;
  const auto* relay_key = &ch->relay_key;
  // The relay's key is pinned at the first login (or by the operator's invitation).
  auto known = box_.setting("relay_key");
  if (!known) return known.error();
  if (*known && **known != b64(*relay_key)) {
    return make_error(errc::tls_failure, "the relay presents another key than the one this profile knows");
  }
  if (!*known) {
    if (auto ok = box_.set("relay_key", b64(*relay_key)); !ok) return ok.error();
  }
  auto r = relay_.post("/v1/login", json::object{{"identity", b64(identity())},
                                                  {"challenge", b64(*challenge)},
                                                  {"signature", b64(sign_login(keys_.identity(), *challenge, *relay_key))}});
  if (!r) return r.error();
  auto session = parse_login_answer(*r);
  if (!session) return session.error();
  relay_.set_token(session->token);
  facilitator_ = session->facilitator;
  if (auto ok = box_.set("token", relay_.token()); !ok) return ok.error();
  if (auto ok = box_.set("facilitator", facilitator_ ? "1" : "0"); !ok) return ok.error();
  // A facilitator's referral key is published once from each profile
  // (ensure_referral_key publishes it again if the relay lost it).
  if (!facilitator_) return {};
  auto published = box_.setting("referral_key");
  if (!published) return published.error();
  const std::string mine = b64(referral_key_of(keys_.identity()).public_key());
  if (*published && **published == mine) return {};
  // A relay that cannot take it now (an older one, storage full) does not
  // stop the login: `referrals` and `enter_referral` publish it first.
  if (!publish_referral_key()) return {};
  return box_.set("referral_key", mine);
}

result<void> account::logout() {
  if (!relay_.token().empty()) {
    auto r = relay_.post("/v1/logout", json::object{});
    if (!r && r.error().code != errc::not_logged_in) return r.error();
  }
  relay_.set_token("");
  return box_.unset("token");
}

error account::missing(const proto::id& case_id, error e) {
  if (e.code != errc::not_found) return e;
  auto list = cases();
  if (list) {
    for (const auto& c : *list) {
      if (c.case_id == case_id && c.participant_state == "withdrawn") {
        return make_error(errc::withdrawn, "You have withdrawn from this case.");
      }
    }
  }
  return e;
}

result<void> account::check_keys(const case_view& v, proto::role role, std::string_view who) {
  for (const auto& p : v.people) {
    if (p.role != role || p.state != "active" || p.me || p.attested) continue;
    if (p.key_changed) {
      return make_error(errc::key_changed, std::string(who) + "'s keys changed since they were checked; compare "
                                                              "safety numbers again and attest");
    }
    return make_error(errc::not_attested, std::string(who) + " has no attested key yet");
  }
  return {};
}

result<case_entry> account::case_of(const proto::id& case_id) {
  auto c = box_.find_case(case_id);
  if (!c) return c.error();
  if (!*c) return make_error(errc::not_found, "This profile does not take part in that case.");
  return **c;
}

// ------------------------------------------------------------------ events

result<void> account::watch(const std::function<void(const event&)>& on_event, const std::function<bool()>& keep_going) {
  auto last_text = box_.setting("last_event");
  if (!last_text) return last_text.error();
  std::uint64_t last = 0;
  if (*last_text) {
    const auto& t = **last_text;
    if (auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), last); ec != std::errc() || end != t.data() + t.size()) {
      last = 0;  // a damaged setting: catch up from the first event kept
    }
  }
  auto pause = std::chrono::seconds(1);
  // An event that is not understood ends the watch with an error, rather
  // than being skipped unnoticed.
  std::optional<error> refusal;
  auto going = [&] { return !refusal && keep_going(); };
  while (going()) {
    if (relay_.token().empty()) {
      if (auto ok = login(); !ok) return ok.error();
    }
    auto streamed = relay_.stream_events(last, [&](std::string_view text) {
      auto parsed = parse_event(text);
      if (!parsed) {
        refusal = parsed.error();
        return;
      }
      const event& e = *parsed;
      last = e.seq;
      (void)box_.set("last_event", std::to_string(last));
      if (e.kind == "revoked" && e.message) (void)box_.forget(*e.message);
      on_event(e);
      pause = std::chrono::seconds(1);
    }, going);
    if (refusal) return *refusal;
    if (!streamed) {
      if (streamed.error().code == errc::tls_failure) return streamed.error();
      if (streamed.error().code == errc::not_logged_in) {
        if (auto ok = login(); !ok) return ok.error();
        continue;
      }
    }
    // The stream ended (the relay restarted, the network dropped): catch up after a pause.
    for (auto waited = std::chrono::milliseconds(0); waited < pause && going(); waited += std::chrono::milliseconds(100)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    pause = std::min(pause * 2, std::chrono::seconds(30));
  }
  return {};
}

// ------------------------------------------------------------------ ids people type

namespace {

template <class Ids>
result<proto::id> by_prefix(std::string_view text, const Ids& ids, std::string_view what) {
  if (auto raw = proto::base64url_decode(text); raw && raw->size() == proto::id_bytes) {
    proto::id out{};
    std::copy(raw->begin(), raw->end(), out.begin());
    return out;
  }
  std::optional<proto::id> found;
  for (const auto& id : ids) {
    if (!text.empty() && b64(id).starts_with(text)) {
      if (found) return make_error(errc::invalid_argument, "more than one " + std::string(what) + " starts with " + std::string(text));
      found = id;
    }
  }
  if (!found) return make_error(errc::not_found, "No " + std::string(what) + " starts with " + std::string(text) + ".");
  return *found;
}

}  // namespace

result<proto::id> account::resolve_case(std::string_view text) {
  auto known = box_.cases();
  if (!known) return known.error();
  std::vector<proto::id> ids;
  for (const auto& c : *known) ids.push_back(c.case_id);
  return by_prefix(text, ids, "case");
}

result<proto::id> account::resolve_message(const proto::id& case_id, std::string_view text) {
  if (auto raw = proto::base64url_decode(text); raw && raw->size() == proto::id_bytes) return by_prefix(text, std::vector<proto::id>{}, "message");
  auto list = messages(case_id);
  if (!list) return list.error();
  std::vector<proto::id> ids;
  for (const auto& m : *list) ids.push_back(m.message);
  return by_prefix(text, ids, "message");
}

}  // namespace shuttle::client
