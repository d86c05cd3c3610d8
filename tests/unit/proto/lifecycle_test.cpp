#include "proto/lifecycle.hpp"

#include <gtest/gtest.h>

namespace shuttle::proto {
namespace {

using m = message_state;

TEST(MessageLifecycle, AllowsExactlyTheDesignedTransitions) {
  const std::vector<std::pair<m, m>> allowed{
      {m::in_review, m::released}, {m::in_review, m::returned}, {m::in_review, m::revoked},
      {m::released, m::delivered}, {m::released, m::declined},  {m::released, m::revoked},
      {m::delivered, m::opened},   {m::delivered, m::declined}, {m::delivered, m::revoked},
      {m::opened, m::revoked},     {m::returned, m::revoked},   {m::declined, m::revoked},
  };
  const std::vector<m> all{m::in_review, m::returned, m::released, m::delivered, m::opened, m::declined, m::revoked};
  for (m from : all) {
    for (m to : all) {
      const bool expected = std::find(allowed.begin(), allowed.end(), std::make_pair(from, to)) != allowed.end();
      EXPECT_EQ(can_transition(from, to), expected) << to_string(from) << " -> " << to_string(to);
    }
  }
}

TEST(MessageLifecycle, NothingLeavesRevoked) {
  EXPECT_FALSE(can_transition(m::revoked, m::released));
  EXPECT_FALSE(can_transition(m::revoked, m::in_review));
}

TEST(MessageLifecycle, ReturnedLettersAreNeverReleased) {
  EXPECT_FALSE(can_transition(m::returned, m::released));
  EXPECT_FALSE(is_released(m::returned));
  EXPECT_FALSE(is_released(m::in_review));
}

TEST(ParticipantLifecycle, WithdrawalIsFinal) {
  using p = participant_state;
  EXPECT_TRUE(can_transition(p::invited, p::active));
  EXPECT_TRUE(can_transition(p::active, p::withdrawn));
  EXPECT_FALSE(can_transition(p::withdrawn, p::active));
  EXPECT_FALSE(can_transition(p::invited, p::withdrawn));
}

TEST(CaseLifecycle, ClosingIsFinal) {
  EXPECT_TRUE(can_transition(case_state::open, case_state::closed));
  EXPECT_FALSE(can_transition(case_state::closed, case_state::open));
}

TEST(MessageLifecycle, WordsRoundTrip) {
  for (m s : {m::in_review, m::returned, m::released, m::delivered, m::opened, m::declined, m::revoked}) {
    m back{};
    ASSERT_TRUE(parse_enum(to_string(s), back));
    EXPECT_EQ(back, s);
  }
}

}  // namespace
}  // namespace shuttle::proto
