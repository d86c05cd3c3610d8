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
