# Embeds one store's schema migrations into a C++ source file at build time:
#   cmake -DSTORE=sqlite -DSOURCE_DIR=server/store/migrations/sqlite -DOUTPUT=x.cpp -P embed_migrations.cmake
# The files are named 01.sql, 02.sql, ... with no number missing; migration N
# moves the schema from version N-1 to N (server/store/migrations.hpp).
file(GLOB files RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/*")
list(SORT files)
set(entries "")
set(expected 1)
foreach(f IN LISTS files)
  if(NOT f MATCHES "^([0-9][0-9])\\.sql$")
    message(FATAL_ERROR "${SOURCE_DIR}/${f}: a migration is named NN.sql, and nothing else is kept beside them")
  endif()
  string(REGEX REPLACE "^0" "" number "${CMAKE_MATCH_1}")
  if(NOT number EQUAL expected)
    message(FATAL_ERROR "${SOURCE_DIR}: migration ${expected} is missing (found ${f})")
  endif()
  file(READ "${SOURCE_DIR}/${f}" sql)
  if(sql MATCHES "\\)shuttle_sql\"")
    message(FATAL_ERROR "${SOURCE_DIR}/${f} holds the delimiter )shuttle_sql\"")
  endif()
  string(APPEND entries "    // ${f}\n    R\"shuttle_sql(${sql})shuttle_sql\",\n")
  math(EXPR expected "${expected} + 1")
endforeach()
if(expected EQUAL 1)
  message(FATAL_ERROR "${SOURCE_DIR}: no migrations")
endif()
file(WRITE "${OUTPUT}.new" "// Made by cmake/embed_migrations.cmake from server/store/migrations/${STORE}/: edit those files.
#include \"server/store/migrations.hpp\"

namespace shuttle::relay {

namespace {
constexpr std::string_view all[] = {
${entries}};
}  // namespace

std::span<const std::string_view> ${STORE}_migrations() { return all; }

}  // namespace shuttle::relay
")
file(COPY_FILE "${OUTPUT}.new" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.new")
