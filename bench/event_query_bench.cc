// Event query latency: one patient with 2,000 events among many patients' events; the
// newest 100, the next page by cursor, and one event type, through Store::ListEvents as the
// hub's chart fan-out will call it. The events are made the real way: HL7 v2 lab results
// (OUL^R22) mapped and stored through RecordWriter.
//
// Usage: event_query_bench STORE_URL [EVENTS_OF_THE_PATIENT] [OTHER_PATIENTS] [QUERIES]
// Prints one JSON object with p50/p99/max latencies in microseconds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "edge/record_writer.h"
#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;
using renkei::store::Store;

// A lab result message for `patient` on day `n` (counting back from 2026-10-31).
renkei::store::VersionInput LabResult(const std::string& patient, int n) {
  const int year = 2026 - n / 336, month = 12 - (n / 28) % 12, day = 1 + n % 28;
  const std::string date = fmt::format("{:04d}{:02d}{:02d}", year, month, day);
  const std::string order = fmt::format("{:015d}", n);
  const std::string text = fmt::format(
      "MSH|^~\\&|HIS|H|GW|R|{0}103000||OUL^R22^OUL_R22|{1}|P|2.5\r"
      "PID|1||{2}^^^^PI||山田^太郎^^^^^L^I\r"
      "SPM|1|||023^血清^JC10|||||||||||||{0}0900\r"
      "OBR|1|{1}||E001^生化学^99O03|||{0}0900\r"
      "ORC|SC|{1}||||||||||||||01^内科^99XY1\r"
      "OBX|1|NM|3D045000001906202^HbA1c^JC10||{3}.{4}|%^%^ISO+|4.6-6.2|{5}|||F\r"
      "OBX|2|NM|3A010000002327101^総蛋白^JC10||7.2|g/dL^g/dL^ISO+|6.7-8.3|N|||F\r",
      date, order, patient, 5 + n % 4, n % 10, n % 4 >= 2 ? "H" : "N");
  renkei::store::VersionInput v;
  v.key = {patient, date, "OML-11", order};
  v.timestamp = date + "103000000";
  v.department = "01";
  v.path = fmt::format("{}/{}/OML-11/{}", patient, date, order);
  v.message_type = "OUL^R22";
  v.raw = text;
  v.decoded = text;
  return v;
}

struct Latency {
  double p50, p99, max;
};

template <typename F>
Latency Measure(int n, F&& query) {
  std::vector<double> us;
  us.reserve(n);
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    query();
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100], us.back()};
}

nlohmann::json Json(const Latency& l) { return {{"p50_us", l.p50}, {"p99_us", l.p99}, {"max_us", l.max}}; }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: event_query_bench STORE_URL [EVENTS] [OTHER_PATIENTS] [QUERIES]\n";
    return 2;
  }
  const int events = argc > 2 ? std::atoi(argv[2]) : 2000;
  const int others = argc > 3 ? std::atoi(argv[3]) : 50;
  const int queries = argc > 4 ? std::atoi(argv[4]) : 2000;
  auto store = Store::Open(argv[1]);
  if (!store.ok()) {
    std::cerr << store.status().ToString() << "\n";
    return 1;
  }
  renkei::edge::RecordWriter writer(**store, "1234567890");
  const auto load_start = Clock::now();
  auto put_all = [&](const std::string& patient, int n) {
    if (!(*store)->Begin().ok()) std::abort();
    for (int i = 0; i < n; ++i) {
      auto put = writer.Put(LabResult(patient, i), nullptr, std::nullopt);
      if (!put.ok()) {
        std::cerr << put.status().ToString() << "\n";
        std::exit(1);
      }
    }
    if (!(*store)->Commit().ok()) std::abort();
  };
  put_all("0000001", events);
  for (int p = 0; p < others; ++p) put_all(fmt::format("9{:06d}", p), events);
  const double load_s = std::chrono::duration<double>(Clock::now() - load_start).count();

  renkei::store::EventQuery newest{.patient_id = "0000001", .limit = 100};
  auto first = (*store)->ListEvents(newest);
  if (!first.ok() || first->events.size() != 100 || first->next_cursor.empty()) {
    std::cerr << "unexpected first page\n";
    return 1;
  }
  renkei::store::EventQuery second = newest;
  second.cursor = first->next_cursor;
  renkei::store::EventQuery typed = newest;
  typed.types = {renkei::fhir::EventType::kLabResult};
  typed.from_date = "2024-01-01";
  auto check = [](const auto& page) {
    if (!page.ok() || page->events.empty()) std::abort();
  };
  const Latency l1 = Measure(queries, [&] { check((*store)->ListEvents(newest)); });
  const Latency l2 = Measure(queries, [&] { check((*store)->ListEvents(second)); });
  const Latency l3 = Measure(queries, [&] { check((*store)->ListEvents(typed)); });
  nlohmann::json out = {{"store", std::string(argv[1]).substr(0, 10)},
                        {"events_of_patient", events},
                        {"events_in_store", events * (others + 1)},
                        {"load_seconds", load_s},
                        {"resources_written_per_second", writer.resources() / load_s},
                        {"newest_100", Json(l1)},
                        {"second_page_by_cursor", Json(l2)},
                        {"type_and_date_filter", Json(l3)}};
  std::cout << out.dump() << "\n";
  return 0;
}
