#include "proto/lifecycle.hpp"

#include "proto/enum_words.hpp"

namespace shuttle::proto {

bool can_transition(message_state from, message_state to) {
  using s = message_state;
  switch (from) {
    case s::in_review: return to == s::released || to == s::returned || to == s::revoked;
    case s::released: return to == s::delivered || to == s::declined || to == s::revoked;
    case s::delivered: return to == s::opened || to == s::declined || to == s::revoked;
    case s::opened: return to == s::revoked;
    case s::returned: return to == s::revoked;
    case s::declined: return to == s::revoked;
    case s::revoked: return false;
  }
  return false;
}

bool can_transition(participant_state from, participant_state to) {
  using s = participant_state;
  return (from == s::invited && to == s::active) || (from == s::active && to == s::withdrawn);
}

bool can_transition(case_state from, case_state to) {
  return from == case_state::open && to == case_state::closed;
}

bool is_released(message_state s) {
  return s == message_state::released || s == message_state::delivered || s == message_state::opened;
}

namespace {
constexpr enum_words<message_state, 7> message_words{
    {"in_review", "returned", "released", "delivered", "opened", "declined", "revoked"}};
}  // namespace

std::string_view to_string(message_state s) { return message_words.word(s); }
bool parse_enum(std::string_view word, message_state& out) { return message_words.parse(word, out); }

std::string_view to_string(participant_state s) {
  switch (s) {
    case participant_state::invited: return "invited";
    case participant_state::active: return "active";
    case participant_state::withdrawn: return "withdrawn";
  }
  return "?";
}

std::string_view to_string(case_state s) { return s == case_state::open ? "open" : "closed"; }

}  // namespace shuttle::proto
