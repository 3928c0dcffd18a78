# Compiles the portal's files under WEB_DIR into OUTPUT, a C++ source defining
# renkei::portal::EmbeddedFiles() (assets.h): each file's path relative to WEB_DIR, its bytes and
# their SHA-256. Run as  cmake -DWEB_DIR=dir -DOUTPUT=file.cc -P embed_assets.cmake
# Only the kinds of file a page uses are taken (ServedKind in assets.cc says which); the rest
# (notes, editor backups) is left out.
file(GLOB_RECURSE files RELATIVE "${WEB_DIR}" "${WEB_DIR}/*")
list(SORT files)
set(arrays "")
set(table "")
set(n 0)
foreach(f IN LISTS files)
  if(NOT f MATCHES "\\.(html|js|mjs|css|svg|png|ico|json|woff2|txt)$")
    continue()
  endif()
  file(READ "${WEB_DIR}/${f}" hex HEX)
  file(SHA256 "${WEB_DIR}/${f}" sha)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  if(size EQUAL 0)
    set(bytes "0")
  else()
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  endif()
  string(APPEND arrays "const unsigned char kFile${n}[] = {${bytes}};\n")
  string(APPEND table "    {\"${f}\", {reinterpret_cast<const char*>(kFile${n}), ${size}}, \"${sha}\"},\n")
  math(EXPR n "${n} + 1")
endforeach()
if(n EQUAL 0)
  message(FATAL_ERROR "no portal files under ${WEB_DIR}")
endif()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${WEB_DIR} by src/portal/embed_assets.cmake; do not edit.\n"
  "#include \"portal/assets.h\"\n\nnamespace renkei::portal {\nnamespace {\n\n${arrays}\n"
  "const EmbeddedFile kFiles[] = {\n${table}};\n\n}  // namespace\n\n"
  "std::span<const EmbeddedFile> EmbeddedFiles() { return kFiles; }\n\n}  // namespace renkei::portal\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
