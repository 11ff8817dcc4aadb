# Turns the migration files NNN_name.sql of INPUT_DIR into a C++ source defining
# hadrian::storage::sqlite::embedded_migrations(), so that the SQL ships inside the binary.
#   cmake -DINPUT_DIR=<migrations dir> -DOUTPUT=<generated .cpp> -P embed_migrations.cmake
# The output is rewritten only when its text changes (no needless rebuilds).

get_filename_component(INPUT_DIR "${INPUT_DIR}" ABSOLUTE)
file(GLOB names RELATIVE "${INPUT_DIR}" "${INPUT_DIR}/*.sql")
list(SORT names)
if(NOT names)
  message(FATAL_ERROR "no migrations in ${INPUT_DIR}")
endif()

set(entries "")
foreach(name IN LISTS names)
  if(NOT name MATCHES "^([0-9]+)_([A-Za-z0-9_]+)\\.sql$")
    message(FATAL_ERROR "migration ${name}: the name must be NNN_name.sql")
  endif()
  set(label "${CMAKE_MATCH_2}")
  string(REGEX REPLACE "^0+([0-9])" "\\1" version "${CMAKE_MATCH_1}")
  file(READ "${INPUT_DIR}/${name}" sql)
  string(FIND "${sql}" ")hadrian_sql\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "migration ${name} contains the raw string delimiter")
  endif()
  string(APPEND entries "    {${version}, \"${label}\",\n     R\"hadrian_sql(${sql})hadrian_sql\"},\n")
endforeach()

set(text "// Generated from the migration files by embed_migrations.cmake; do not edit.
#include \"storage/sqlite/migrations.hpp\"

namespace hadrian::storage::sqlite {

namespace {

constexpr migration all_migrations[] = {
${entries}};

}  // namespace

std::span<const migration> embedded_migrations() { return all_migrations; }

}  // namespace hadrian::storage::sqlite
")

if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
  if(old STREQUAL text)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${text}")
