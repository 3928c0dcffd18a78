// HL7 parse throughput on the SS-MIX2 sample messages, on one core.
//
//   hl7_parse_bench SAMPLE_ROOT OUT.json [SECONDS]
//
// Prints messages per second for: parse (index segments and fields), parse + visit every
// component (what a full-tree parser like simple-hl7 does), and decode ISO-2022-JP + parse.
// Writes the decoded messages to OUT.json so that bench/simple_hl7_bench.js parses the
// very same messages.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hl7/charset.h"
#include "hl7/message.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

template <typename Fn>
double MessagesPerSecond(const std::vector<std::string>& inputs, double seconds, Fn fn) {
  size_t n = 0;
  size_t sink = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    for (const std::string& in : inputs) sink += fn(in);
    n += inputs.size();
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  if (sink == 42) std::cerr << "";  // keep the work observable
  return n / elapsed;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: hl7_parse_bench SAMPLE_ROOT OUT.json [SECONDS]\n";
    return 2;
  }
  const double seconds = argc > 3 ? std::stod(argv[3]) : 3.0;
  std::vector<std::string> raw, text;
  for (const auto& e : fs::recursive_directory_iterator(argv[1])) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto decoded = renkei::hl7::DecodeMessageText(ss.str());
    if (!decoded.ok() || !renkei::hl7::Parse(*decoded).ok()) continue;  // the benchmark uses good messages
    raw.push_back(ss.str());
    text.push_back(*decoded);
  }
  size_t bytes = 0;
  for (const auto& t : text) bytes += t.size();
  nlohmann::json dump = text;
  std::ofstream(argv[2]) << dump.dump();

  const double parse = MessagesPerSecond(text, seconds, [](const std::string& t) {
    auto m = renkei::hl7::Parse(t);
    return m->segment_count();
  });
  // Every repetition, component and subcomponent of every field, split in one pass, each value
  // available as a view (unescaped into a string only where it holds an escape sequence).
  const double full = MessagesPerSecond(text, seconds, [](const std::string& t) {
    auto m = renkei::hl7::Parse(t);
    const auto& d = m->delimiters();
    size_t n = 0;
    for (size_t s = 0; s < m->segment_count(); ++s) {
      auto seg = m->segment(s);
      for (int f = 1; f <= seg.field_count(); ++f) {
        std::string_view field = seg.Field(f);
        size_t start = 0;
        for (size_t i = 0; i <= field.size(); ++i) {
          if (i == field.size() || field[i] == d.repetition || field[i] == d.component || field[i] == d.subcomponent) {
            std::string_view value = field.substr(start, i - start);
            n += value.find(d.escape) == std::string_view::npos ? value.size()
                                                                : renkei::hl7::Unescape(value, d).size();
            start = i + 1;
          }
        }
      }
    }
    return n;
  });
  const double decode = MessagesPerSecond(raw, seconds, [](const std::string& r) {
    auto t = renkei::hl7::DecodeMessageText(r);
    auto m = renkei::hl7::Parse(std::move(t).value());
    return m->segment_count();
  });
  const double avg = static_cast<double>(bytes) / text.size();
  nlohmann::json out = {{"messages", text.size()},
                        {"average_bytes", avg},
                        {"parse_per_s", parse},
                        {"parse_visit_all_components_per_s", full},
                        {"decode_and_parse_per_s", decode}};
  std::cout << out.dump() << "\n";
  return 0;
}
