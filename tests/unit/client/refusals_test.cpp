// The refusal catalogue as client-lib reads it (proto/refusals.json): each
// code's sentence in English and Norwegian, and nothing for a code it lacks.
#include "client-lib/refusals.hpp"

#include <gtest/gtest.h>

namespace shuttle::client {
namespace {

TEST(Refusals, EachCodeHasItsSentenceInBothLanguages) {
  EXPECT_EQ(refusal_sentence("case_closed"), "This case has been closed. Nothing more can be sent in it.");
  EXPECT_EQ(refusal_sentence("case_closed", language::nb), "Denne saken er avsluttet. Ingenting mer kan sendes i den.");
  EXPECT_EQ(refusal_sentence("a_code_from_a_newer_relay"), std::nullopt);
}

}  // namespace
}  // namespace shuttle::client
