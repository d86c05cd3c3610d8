#include "proto/checkin.hpp"

#include "proto/json_fields.hpp"
#include "proto/limits.hpp"
#include "proto/strict_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace shuttle::proto {

namespace json = boost::json;

std::string checkin_body(const checkin_document& d) {
  json::array support;
  for (const auto& s : d.support) support.emplace_back(s);
  json::object o;
  o["v"] = 1;
  o["question"] = d.question;
  o["support"] = std::move(support);
  return json::serialize(o);
}

result<checkin_document> parse_checkin_body(std::string_view body) {
  auto value = parse_strict_json(body, 64 * 1024);
  if (!value) return value.error();
  object_reader r(*value, "");
  if (const json::value* v = r.find("v"); !v || !v->is_int64() || v->get_int64() != 1) {
    return make_error(v ? errc::unsupported_version : errc::missing_field, "v");
  }
  checkin_document d;
  const json::value* q = r.find("question");
  auto question = read_person_text(q, max_checkin_question_bytes, "question");
  if (!question) return question.error();
  d.question = std::move(*question);
  const json::value* s = r.find("support");
  if (!s) return make_error(errc::missing_field, "support");
  const auto* list = s->if_array();
  if (!list) return make_error(errc::wrong_type, "support");
  if (list->size() > max_checkin_support) return make_error(errc::bad_value, "support");
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto line = read_person_text(&(*list)[i], max_checkin_support_bytes, "support[" + std::to_string(i) + "]");
    if (!line) return line.error();
    d.support.push_back(std::move(*line));
  }
  if (auto done = r.finish(); !done) return done.error();
  return d;
}

}  // namespace shuttle::proto
