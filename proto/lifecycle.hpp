// The state machines of messages, participants and cases (proto/SPEC.md
// "Lifecycles"). The relay consults them before every transition; clients
// use the same words to show where a letter is.
#pragma once

#include <string_view>

namespace shuttle::proto {

enum class message_state { in_review, returned, released, delivered, opened, declined, revoked };
enum class participant_state { invited, active, withdrawn };
enum class case_state { open, closed };

// Whether `from -> to` is a transition of the machine. Staying put is not one.
bool can_transition(message_state from, message_state to);
bool can_transition(participant_state from, participant_state to);
bool can_transition(case_state from, case_state to);

// Whether the recipient may hold the letter key in this state.
bool is_released(message_state s);

std::string_view to_string(message_state s);
std::string_view to_string(participant_state s);
std::string_view to_string(case_state s);
bool parse_enum(std::string_view word, message_state& out);

}  // namespace shuttle::proto
