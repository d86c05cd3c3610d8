#include "proto/strict_json.hpp"

#include <gtest/gtest.h>

namespace shuttle::proto {
namespace {

TEST(StrictJson, ParsesAnObject) {
  auto v = parse_strict_json(R"({"a":1,"b":[true,null,"x"]})", 1024);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->at("a").as_int64(), 1);
}

TEST(StrictJson, RefusesDuplicateKeysAtAnyDepth) {
  auto top = parse_strict_json(R"({"a":1,"a":2})", 1024);
  ASSERT_FALSE(top);
  EXPECT_EQ(top.error(), make_error(errc::duplicate_field, "a"));
  auto nested = parse_strict_json(R"({"w":[{"k":1,"k":1}]})", 1024);
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().code, errc::duplicate_field);
  // The same key in sibling objects is fine.
  EXPECT_TRUE(parse_strict_json(R"({"w":[{"k":1},{"k":1}]})", 1024));
}

// Keys compare by their value, however they were spelled, and a parent's
// keys are not confused with a child's. A long object is checked as a whole.
TEST(StrictJson, DuplicateKeysAreFoundBySpellingInLongObjectsAndAcrossNesting) {
  auto escaped = parse_strict_json(R"({"a\u0062":1,"ab":2})", 1024);
  ASSERT_FALSE(escaped);
  EXPECT_EQ(escaped.error(), make_error(errc::duplicate_field, "ab"));
  EXPECT_TRUE(parse_strict_json(R"({"k":{"k":{"k":1}},"j":{"k":2}})", 1024));

  std::string many = "{";
  for (int i = 0; i < 5000; ++i) many += "\"key" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  EXPECT_TRUE(parse_strict_json(many + "\"last\":0}", 1 << 20));
  auto repeated = parse_strict_json(many + "\"key2500\":0}", 1 << 20);
  ASSERT_FALSE(repeated);
  EXPECT_EQ(repeated.error(), make_error(errc::duplicate_field, "key2500"));
}

TEST(StrictJson, RefusesOversizeInputBeforeParsing) {
  const std::string text = R"({"a":"xxxxxxxx"})";
  EXPECT_TRUE(parse_strict_json(text, text.size()));
  auto r = parse_strict_json(text, text.size() - 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::too_large);
}

TEST(StrictJson, RefusesDeepNesting) {
  EXPECT_TRUE(parse_strict_json("[[[[1]]]]", 1024, 4));
  auto r = parse_strict_json("[[[[[1]]]]]", 1024, 4);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::malformed_json);
}

TEST(StrictJson, RefusesWhatRfc8259Refuses) {
  for (std::string_view bad : {"", "{", "{\"a\":1,}", "{\"a\":1} x", "// c\n{}", "{'a':1}", "{\"a\":\"\xff\"}",
                               "NaN", "{\"a\":01}"}) {
    auto r = parse_strict_json(bad, 1024);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, errc::malformed_json) << bad;
  }
}

}  // namespace
}  // namespace shuttle::proto
