// The words of an enum on the wire, indexed by the enum's value (every enum
// written as a word is contiguous from 0).
//
//   constexpr enum_words<role, 2> role_words{{"facilitator", "harmed"}};
//   role_words.word(role::harmed) == "harmed"
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace shuttle::proto {

template <class E, std::size_t N>
struct enum_words {
  std::array<std::string_view, N> words;

  constexpr std::string_view word(E value) const {
    const auto i = static_cast<std::size_t>(value);
    return i < N ? words[i] : std::string_view("?");
  }
  constexpr bool parse(std::string_view w, E& out) const {
    for (std::size_t i = 0; i < N; ++i) {
      if (words[i] == w) {
        out = static_cast<E>(i);
        return true;
      }
    }
    return false;
  }
};

}  // namespace shuttle::proto
