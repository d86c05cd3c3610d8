// The client's parsers of relay answers and events (client-lib/relay_answers.hpp):
// whatever a relay sends, they give a value or an error, never a crash.
#include "client-lib/relay_answers.hpp"
#include "proto/limits.hpp"
#include "proto/strict_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace shuttle;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)client::parse_event(text);
  auto v = proto::parse_strict_json(text, 1024 * 1024, proto::max_body_json_depth);
  if (!v) return 0;
  const proto::public_key me{};
  (void)client::parse_open_invitation_answer(*v);
  (void)client::parse_challenge_answer(*v);
  (void)client::parse_login_answer(*v);
  (void)client::parse_case_list(*v);
  (void)client::parse_case_detail(*v);
  (void)client::parse_message_summary(*v, me);
  (void)client::parse_message_list(*v, "messages", me);
  (void)client::parse_message_list(*v, "queue", me);
  (void)client::parse_case_messages(*v, me);
  (void)client::parse_fetched_message(*v, me);
  (void)client::parse_revoke_answer(*v);
  (void)client::parse_agreement_answer(*v);
  (void)client::parse_referral_keys_answer(*v);
  (void)client::parse_referral_status_answer(*v);
  (void)client::parse_referrals_answer(*v);
  (void)client::parse_withdraw_answer(*v);
  (void)client::parse_approve_answer(*v);
  (void)client::parse_state_answer(*v, "declined");
  return 0;
}
