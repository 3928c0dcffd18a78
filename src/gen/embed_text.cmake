# Turns a text file into a C++ source defining `std::string_view renkei::gen::<SYMBOL>()`,
# so that data under data/ is compiled into the binary. Run as
#   cmake -DINPUT=file -DOUTPUT=file.cc -DSYMBOL=Name -P embed_text.cmake
file(READ "${INPUT}" content)
string(FIND "${content}" ")renkei_embed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter")
endif()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by src/gen/embed_text.cmake; do not edit.\n"
  "#include <string_view>\n\nnamespace renkei::gen {\n\n"
  "std::string_view ${SYMBOL}() {\n  static constexpr char kText[] = R\"renkei_embed(${content})renkei_embed\";\n"
  "  return {kText, sizeof(kText) - 1};\n}\n\n}  // namespace renkei::gen\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
