// The notifications relays on one PostgreSQL database send each other
// (server/store/change_payload.hpp): what one writes the others read back
// exactly, and a payload a relay never sends changes nothing.
#include "server/store/change_payload.hpp"

#include <gtest/gtest.h>

namespace shuttle::relay {
namespace {

event_record an_event() {
  event_record e;
  e.seq = 42;
  e.account = proto::id{1, 2, 3};
  e.case_id = proto::id{4, 5, 6};
  e.event = "released";
  e.message = proto::id{7, 8, 9};
  e.at = 1'790'000'000;
  return e;
}

TEST(ChangePayload, WhatOneRelaySendsTheOthersReadExactly) {
  const auto e = an_event();
  const auto read = decode_change(event_payload(e));
  ASSERT_TRUE(read && read->event);
  EXPECT_EQ(read->event->seq, e.seq);
  EXPECT_EQ(read->event->account, e.account);
  EXPECT_EQ(read->event->case_id, e.case_id);
  EXPECT_EQ(read->event->event, e.event);
  EXPECT_EQ(read->event->message, e.message);
  EXPECT_EQ(read->event->at, e.at);
  const proto::hash token{9, 9};
  EXPECT_EQ(decode_change(ended_session_payload(token))->ended_session, token);
  EXPECT_EQ(decode_change(ended_account_payload(e.account))->ended_account, e.account);
}

TEST(ChangePayload, APayloadNoRelaySendsChangesNothing) {
  const std::string good = event_payload(an_event());
  const auto replaced = [&](std::string_view from, std::string_view to) {
    std::string p = good;
    p.replace(p.find(from), from.size(), to);
    return p;
  };
  for (const std::string& bad :
       {replaced("42", "-1"), replaced("42", "+42"), replaced("42", "042"), replaced("42", " 42"), replaced("42", "99999999999999999999999"),
        replaced("released", "RELEASED"), replaced("released", "released\"}"), replaced("released", ""),
        replaced("1790000000", "1790000000 extra"), good.substr(0, good.size() - 1) + "x", good + " ",
        std::string("s 00"), std::string("a ") + std::string(32, 'G'), std::string(""), std::string("e")}) {
    EXPECT_FALSE(decode_change(bad)) << bad;
  }
}

}  // namespace
}  // namespace shuttle::relay
