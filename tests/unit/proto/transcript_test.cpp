#include "proto/transcript.hpp"

#include <gtest/gtest.h>

namespace shuttle::proto {
namespace {

TEST(Transcript, FramesTheDomainAndEveryField) {
  transcript t("d");
  t.add(std::string_view("ab")).add_u64(1).add_bool(true).add_absent();
  const bytes expected{0, 0, 0, 1, 'd', 0, 0, 0, 2, 'a', 'b', 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0};
  EXPECT_EQ(t.data(), expected);
}

TEST(Transcript, MovingBytesBetweenFieldsChangesTheTranscript) {
  transcript a("d");
  a.add(std::string_view("ab")).add(std::string_view("c"));
  transcript b("d");
  b.add(std::string_view("a")).add(std::string_view("bc"));
  EXPECT_NE(a.data(), b.data());
}

TEST(FrameReader, ReadsBackWhatWasFramed) {
  transcript t("d");
  t.add(std::string_view("xyz")).add_u64(42);
  frame_reader r(t.data());
  EXPECT_EQ(as_chars(*r.next()), "d");
  EXPECT_EQ(as_chars(*r.next_exact(3)), "xyz");
  EXPECT_EQ(*r.next_u64(), 42u);
  EXPECT_TRUE(r.at_end());
  EXPECT_FALSE(r.next());
}

TEST(FrameReader, RefusesALengthThatOverrunsTheData) {
  const bytes data{0, 0, 0, 5, 'a', 'b'};
  frame_reader r(data);
  EXPECT_FALSE(r.next());
  const bytes huge{0xff, 0xff, 0xff, 0xff, 'a'};
  frame_reader r2(huge);
  EXPECT_FALSE(r2.next());
}

TEST(FrameReader, NextExactRefusesOtherSizes) {
  transcript t("d");
  frame_reader r(t.data());
  EXPECT_FALSE(r.next_exact(2));
}

}  // namespace
}  // namespace shuttle::proto
