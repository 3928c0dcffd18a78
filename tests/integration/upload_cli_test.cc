// `renkei edge upload` driven through its command line: a clinic's receipt-computer CSV (UTF-8
// and a Shift_JIS copy) and an EMR's FHIR Bundle become records whose events and entities are
// read back with `edge events` and `edge export`; bad files, rows and entries end in the
// quarantine with precise reasons.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "renkei_cli.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using renkei::testing::Result;
using renkei::testing::RunJson;
using renkei::testing::RunRenkei;
using renkei::testing::Slurp;

const fs::path kData = fs::path(RENKEI_SOURCE_DIR) / "tests" / "data" / "upload";

constexpr char kHeader[] =
    "kind,patient_id,date,time,department_code,doctor,kanji_name,kana_name,code,code_system,name,dose,unit,days\n";

class UploadCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = renkei::testing::FreshTestDir("renkei-upload");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `renkei edge ARGS` on this test's store, for facility 1234567890, without logs.
  std::string Edge(const std::string& args, const std::string& store = "edge.db") const {
    return fmt::format("--facility 1234567890 --log-level off edge {} --store sqlite:{}", args, store);
  }
  fs::path Write(const std::string& name, const std::string& bytes) const {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return dir_ / name;
  }
  json Events(const std::string& patient, const std::string& store = "edge.db") const {
    return RunJson(dir_, Edge("events --json --patient " + patient, store))["events"];
  }
  // The events of a patient as "type|title|occurred_at|department".
  std::vector<std::string> Lines(const std::string& patient, const std::string& store = "edge.db") const {
    std::vector<std::string> out;
    for (const json& e : Events(patient, store)) {
      out.push_back(fmt::format("{}|{}|{}|{}", e["type"].get<std::string>(), e["title"].get<std::string>(),
                                e["occurred_at"].get<std::string>(), e["department"].get<std::string>()));
    }
    return out;
  }
  json Export(const std::string& patient) const { return RunJson(dir_, Edge("export --patient " + patient)); }
  size_t Changes() const { return RunJson(dir_, Edge("changes --json"))["changes"].size(); }
  json Quarantine() const { return RunJson(dir_, Edge("quarantine list --json")); }

  fs::path dir_;
};

std::vector<json> OfType(const json& bundle, std::string_view type) {
  std::vector<json> out;
  for (const json& e : bundle["entry"]) {
    if (e["resource"]["resourceType"] == type) out.push_back(e["resource"]);
  }
  return out;
}

std::set<std::string> Ids(const json& bundle) {
  std::set<std::string> out;
  for (const json& e : bundle["entry"]) {
    out.insert(e["resource"]["resourceType"].get<std::string>() + "/" + e["resource"]["id"].get<std::string>());
  }
  return out;
}

TEST_F(UploadCliTest, ReceiptCsvRowsBecomeRecordsWithTheEventsOfSsMix2Records) {
  json s = RunJson(dir_, Edge("upload --json --csv " + (kData / "clinic.csv").string()));
  EXPECT_EQ(s["format"], "csv");
  EXPECT_EQ(s["encoding"], "utf-8");
  EXPECT_EQ(s["rows"], 10);
  EXPECT_EQ(s["created"], 8) << s.dump(2);
  EXPECT_EQ(s["quarantined"], 0);
  EXPECT_EQ(s["items"][4]["lines"], json({6, 7, 8})) << "one prescription order, one record";
  EXPECT_EQ(s["items"][4]["data_type"], "OMP-01");
  EXPECT_EQ(s["items"][4]["order_number"], "000000011000185");

  EXPECT_EQ(Lines("1001"),
            (std::vector<std::string>{
                "prescription|処方: ダーゼン錠（５mg) 1錠 内服・経口・１日３回朝昼夕食後 5日分 他2剤|2024-01-05T09:45:00+09:00|内科",
                "visit|外来受診: 内科|2024-01-05T09:30:00+09:00|内科",
                "diagnosis|病名: 胃炎 [K297]|2024-01-05|内科",
                "diagnosis|病名: 急性上気道炎 [J069]（転帰あり）|2023-11-01|内科",
            }));
  EXPECT_EQ(Events("1001")[0]["practitioner"], "医師 一郎");
  EXPECT_EQ(Lines("1002"),
            (std::vector<std::string>{
                "prescription|処方: =HYPERLINK(\"http://example.com\",\"湿布\") 1枚 1日1回貼付 7日分|2024-01-06T14:10:00+09:00|小児科",
                "visit|外来受診: 小児科|2024-01-06T14:00:00+09:00|小児科",
            })) << "a formula-like cell is kept as text";

  json bundle = Export("1001");
  const auto patients = OfType(bundle, "Patient");
  ASSERT_EQ(patients.size(), 1u);
  EXPECT_EQ(patients[0]["id"], "1001.ADT-00");
  EXPECT_EQ(patients[0]["name"][0]["family"], "山田");
  EXPECT_EQ(patients[0]["name"][1]["extension"][0]["valueCode"], "SYL");
  EXPECT_EQ(patients[0]["address"][0]["text"], "岡山県岡山市北区1-1, 連携ビル2F") << "a quoted comma stays in its field";
  EXPECT_EQ(patients[0]["gender"], "female");
  const auto requests = OfType(bundle, "MedicationRequest");
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0]["subject"]["reference"], "Patient/1001.ADT-00");
  EXPECT_EQ(requests[0]["meta"]["profile"][0], "http://jpfhir.jp/fhir/core/StructureDefinition/JP_MedicationRequest");
  for (const json& r : requests) {
    if (r["medicationCodeableConcept"]["coding"][0]["code"] == "100607002") {
      EXPECT_EQ(r["dispenseRequest"]["quantity"]["value"], 1400) << "daily dose 100 mg for 14 days";
    }
  }
  EXPECT_EQ(OfType(bundle, "Condition").size(), 2u);
  EXPECT_EQ(OfType(bundle, "Encounter").size(), 1u);

  json patients_list = RunJson(dir_, Edge("patients --json"));
  ASSERT_EQ(patients_list.size(), 2u);
  EXPECT_EQ(patients_list[1]["patient_id"], "1002");
  EXPECT_EQ(patients_list[1]["sex"], "M");
  EXPECT_EQ(patients_list[1]["kana_name"]["family"], "スズキ");

  // The same file again: nothing changes, not even the change feed.
  const size_t changes = Changes();
  EXPECT_EQ(changes, 8u + 2u) << "8 records and 2 patients' demographics";
  json again = RunJson(dir_, Edge("upload --json --csv " + (kData / "clinic.csv").string()));
  EXPECT_EQ(again["created"], 0);
  EXPECT_EQ(again["updated"], 0);
  EXPECT_EQ(again["unchanged"], 8);
  EXPECT_EQ(Changes(), changes);
  Result human = RunRenkei(dir_, Edge("upload --csv " + (kData / "clinic.csv").string()));
  EXPECT_EQ(human.exit_code, 0);
  EXPECT_NE(human.out.find("lines 6,7,8"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("unchanged 8"), std::string::npos) << human.out;
}

TEST_F(UploadCliTest, AShiftJisCopyReadsTheSameAsUtf8) {
  ASSERT_EQ(std::system(fmt::format("iconv -f UTF-8 -t CP932 '{}' > '{}'", (kData / "clinic.csv").string(),
                                    (dir_ / "clinic-sjis.csv").string())
                            .c_str()),
            0);
  ASSERT_NE(Slurp(dir_ / "clinic-sjis.csv"), Slurp(kData / "clinic.csv"));
  json s = RunJson(dir_, Edge("upload --json --csv clinic-sjis.csv", "sjis.db"));
  EXPECT_EQ(s["encoding"], "cp932");
  EXPECT_EQ(s["created"], 8);
  RunJson(dir_, Edge("upload --json --csv " + (kData / "clinic.csv").string(), "utf8.db"));
  EXPECT_EQ(Lines("1001", "sjis.db"), Lines("1001", "utf8.db"));
  EXPECT_EQ(Lines("1002", "sjis.db"), Lines("1002", "utf8.db"));
  // Same content in another encoding is the same records: uploading it over the UTF-8 one changes nothing.
  json over = RunJson(dir_, Edge("upload --json --encoding cp932 --csv clinic-sjis.csv", "utf8.db"));
  EXPECT_EQ(over["unchanged"], 8);
  // Read as UTF-8 by force, its Japanese lines are not UTF-8: quarantined, precisely.
  json forced = RunJson(dir_, Edge("upload --json --encoding utf-8 --csv clinic-sjis.csv", "forced.db"), 1);
  EXPECT_EQ(forced["quarantined"], 10);
  EXPECT_EQ(forced["items"][0]["defect"], "encoding");
  EXPECT_NE(forced["items"][0]["reason"].get<std::string>().find("line 2: byte "), std::string::npos) << forced.dump(2);
}

TEST_F(UploadCliTest, FhirBundleResourcesBecomeRecordsWithEventsAndEntities) {
  const std::string upload = "upload --json --fhir " + (kData / "emr-bundle.json").string();
  json response = RunJson(dir_, Edge(upload));
  EXPECT_EQ(response["resourceType"], "Bundle");
  EXPECT_EQ(response["type"], "transaction-response");
  ASSERT_EQ(response["entry"].size(), 14u);
  auto outcome = [](const json& entry) { return entry["response"]["outcome"]["issue"][0]["details"]["coding"][0]["code"]; };
  EXPECT_EQ(response["entry"][0]["response"]["status"], "201 Created");
  EXPECT_EQ(response["entry"][0]["response"]["location"].get<std::string>().find("Patient/2001.ADT-00/_history/"), 0u);
  EXPECT_EQ(outcome(response["entry"][1]), "skipped");
  EXPECT_EQ(response["entry"][1]["response"]["status"], "422 Unprocessable Entity");
  EXPECT_NE(response["entry"][1]["response"]["outcome"]["issue"][0]["diagnostics"].get<std::string>().find("Practitioner"),
            std::string::npos);
  int created = 0;
  for (const json& e : response["entry"]) created += outcome(e) == "created";
  EXPECT_EQ(created, 11);

  EXPECT_EQ(Lines("2001"), (std::vector<std::string>{
                               "document|文書: 診療情報提供書 (referral.pdf)|2024-01-10T11:00:00+09:00|",
                               "administration|処方実施: ロキソニン錠60mg 1錠|2024-01-10T10:40:00+09:00|",
                               "lab_result|検査結果: 生化学|2024-01-10T10:30:00+09:00|",
                               "lab_result|検査結果: グルコース 182 mg/dL (H)|2024-01-10T10:30:00+09:00|",
                               "lab_result|検査結果: 総蛋白 7.2 g/dl|2024-01-10T10:30:00+09:00|",
                               "imaging|放射線検査オーダ: 胸部X線|2024-01-10T10:18:00+09:00|",
                               "prescription|処方: ダーゼン錠（５mg) 1錠 内服・経口・１日３回朝昼夕食後 5日分|2024-01-10T10:15:00+09:00|",
                               "visit|外来受診: 内科|2024-01-10T10:00:00+09:00|内科",
                               "diagnosis|病名: 胃炎 [K297]|2024-01-10|",
                               "allergy|アレルギー: ペニシリン|2020-04-01|",
                           }));
  const json events = Events("2001");
  EXPECT_TRUE(events[3]["abnormal"]);
  EXPECT_FALSE(events[4]["abnormal"]);
  EXPECT_EQ(events[6]["practitioner"], "医師 一郎") << "from the bundled Practitioner";
  EXPECT_EQ(events[6]["data_type"], "FHIR-MedicationRequest");

  json bundle = Export("2001");
  const std::set<std::string> ids = Ids(bundle);
  EXPECT_EQ(ids.size(), 11u) << "every stored resource, no Binary for a document kept elsewhere";
  const json rx = OfType(bundle, "MedicationRequest").at(0);
  EXPECT_EQ(rx["subject"]["reference"], "Patient/2001.ADT-00");
  EXPECT_TRUE(ids.count(rx["encounter"]["reference"].get<std::string>())) << rx["encounter"].dump();
  EXPECT_EQ(rx["medicationReference"]["reference"].get<std::string>().front(), '#');
  EXPECT_EQ(rx["contained"].size(), 2u) << "the bundled Medication and Practitioner";
  for (const json& result : OfType(bundle, "DiagnosticReport").at(0)["result"]) {
    EXPECT_TRUE(ids.count(result["reference"].get<std::string>())) << result.dump();
  }
  const json patient = OfType(bundle, "Patient").at(0);
  EXPECT_EQ(patient["identifier"][0]["value"], "2001");
  json patients = RunJson(dir_, Edge("patients --json"));
  ASSERT_EQ(patients.size(), 1u);
  EXPECT_EQ(patients[0]["kanji_name"]["family"], "佐藤");
  EXPECT_EQ(patients[0]["birth_date"], "19620715");

  json changes = RunJson(dir_, Edge("changes --json"))["changes"];
  std::set<std::string> types;
  for (const json& c : changes) types.insert(c["data_type"].get<std::string>());
  EXPECT_TRUE(types.count("FHIR-Observation"));
  EXPECT_TRUE(types.count("FHIR-Encounter"));
  const size_t before = changes.size();
  json again = RunJson(dir_, Edge(upload));
  for (size_t i = 0; i < again["entry"].size(); ++i) {
    EXPECT_NE(outcome(again["entry"][i]), "created") << i;
    EXPECT_NE(outcome(again["entry"][i]), "updated") << i;
  }
  EXPECT_EQ(Changes(), before);
}

TEST_F(UploadCliTest, BadRowsAreQuarantinedWithLineAndColumnTheRestGoesIn) {
  const std::string bad = std::string(kHeader) +
                          "patient,3001,,,,,木村 一,キムラ ハジメ,,,,,,\n"                       // 2 good
                          "referral,3001,20240105,,,,,,,,,,,\n"                                  // 3 unknown kind
                          "visit,3001,20240230,,01,,,,,,,,,\n"                                   // 4 no such date
                          "visit,3001,20240105\n"                                                // 5 missing columns
                          "visit,3001,20240105,,01,医師 一郎,,,,,,,,\n"                          // 6 good
                          "diagnosis,3001,20240105,,,,,,,,\"=1+2\xff\",,,\n"                      // 7 invalid UTF-8
                          "prescription,3001,20240105,,01,,,,,,\"薬,\"x,1,錠,5\n"                 // 8 text after a quote
                          "prescription,3001,20240105,,01,,,,,,\"open\n,1,錠,5\n";               // 9-10 unclosed quote
  Write("bad.csv", bad);
  Result r = RunRenkei(dir_, Edge("upload --json --csv bad.csv"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("6 rows were quarantined, the rest went in"), std::string::npos) << r.err;
  json s = json::parse(r.out);
  EXPECT_EQ(s["created"], 2);
  EXPECT_EQ(s["quarantined"], 6);
  std::map<int, json> by_line;
  for (const json& i : s["items"]) by_line[i["lines"][0].get<int>()] = i;
  auto reason = [&](int line) { return by_line[line]["reason"].get<std::string>(); };
  EXPECT_EQ(reason(3), "line 3, column 1 (kind): 'referral' is not a kind: patient, visit, diagnosis or prescription");
  EXPECT_EQ(reason(4), "line 4, column 3 (date): '20240230' is not a date (YYYYMMDD, YYYY-MM-DD or YYYY/MM/DD)");
  EXPECT_EQ(reason(5), "line 5: the row has 3 fields but the header has 14 (a missing or extra comma, or a column left out)");
  EXPECT_EQ(reason(7), "line 7: byte 36: invalid UTF-8: invalid byte 0xFF");
  EXPECT_EQ(reason(8), "line 8, column 41: text after the closing quote of a field (a quote inside a quoted field is written twice: \"\")");
  EXPECT_EQ(reason(9), "line 9, column 37: the quoted field that opens here is not closed before the end of the file");
  EXPECT_EQ(by_line[3]["defect"], "invalid_value");
  EXPECT_EQ(by_line[7]["defect"], "encoding");
  EXPECT_EQ(by_line[8]["defect"], "upload_syntax");
  EXPECT_EQ(by_line[2]["outcome"], "created");
  EXPECT_EQ(by_line[6]["outcome"], "created");
  EXPECT_EQ(Lines("3001"), std::vector<std::string>{"visit|外来受診: 内科|2024-01-05|内科"});

  json q = Quarantine();
  ASSERT_EQ(q.size(), 6u);
  std::map<std::string, json> by_path;
  for (const json& e : q) by_path[e["path"].get<std::string>()] = e;
  ASSERT_TRUE(by_path.count("upload/bad.csv#line=9"));
  EXPECT_EQ(by_path["upload/bad.csv#line=7"]["defects"][0]["kind"], "encoding");
  // The quarantine keeps the row's bytes exactly, invalid byte and line break included.
  Result raw = RunRenkei(dir_, Edge(fmt::format("quarantine show {} --raw", by_path["upload/bad.csv#line=7"]["id"].get<int>())));
  EXPECT_EQ(raw.out, "diagnosis,3001,20240105,,,,,,,,\"=1+2\xff\",,,\n");
  Result unclosed = RunRenkei(dir_, Edge(fmt::format("quarantine show {} --raw", by_path["upload/bad.csv#line=9"]["id"].get<int>())));
  EXPECT_EQ(unclosed.out, "prescription,3001,20240105,,01,,,,,,\"open\n,1,錠,5\n") << "the rest of the file, nothing lost";
  Result shown = RunRenkei(dir_, Edge(fmt::format("quarantine show {}", by_path["upload/bad.csv#line=4"]["id"].get<int>())));
  EXPECT_NE(shown.out.find("bad.csv, line 4"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("visit,3001,20240230"), std::string::npos) << shown.out;
  Result replay = RunRenkei(dir_, Edge(fmt::format("quarantine replay {}", by_path["upload/bad.csv#line=4"]["id"].get<int>())));
  EXPECT_EQ(replay.exit_code, 1);
  EXPECT_NE(replay.out.find("upload it again"), std::string::npos) << replay.out;

  // The same bad file again: the same six entries, no new ones.
  RunJson(dir_, Edge("upload --json --csv bad.csv"), 1);
  EXPECT_EQ(Quarantine().size(), 6u);
  // Fixed: every row goes in and every entry is resolved.
  std::string fixed = bad;
  for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"referral,", "visit,"}, {"20240230,,01", "20240229,,01"}, {"visit,3001,20240105\n", "visit,3001,20240105,,02,,,,,,,,,\n"},
           {"\"=1+2\xff\"", "\"=1+2\""}, {"\"薬,\"x", "\"薬,x\""}, {"\"open\n,", "\"open\","}}) {
    fixed.replace(fixed.find(from), from.size(), to);
  }
  Write("bad.csv", fixed);
  json ok = RunJson(dir_, Edge("upload --json --csv bad.csv"));
  EXPECT_EQ(ok["quarantined"], 0) << ok.dump(2);
  EXPECT_EQ(ok["resolved"], 6);
  EXPECT_TRUE(Quarantine().empty());
}

TEST_F(UploadCliTest, InvalidShiftJisIsQuarantinedByLine) {
  Write("sjis.csv", std::string(kHeader) +
                        "patient,4001,,,,,\x8e\x52\x93\x63 \x91\xbe\x98\x59,,,,,,,\n"  // 山田 太郎
                        "visit,4001,20240105,,01,\x88\xe3\x8e\x74\x81,,,,,,,,\n");      // 医師 + a lone lead byte
  json s = RunJson(dir_, Edge("upload --json --encoding cp932 --csv sjis.csv"), 1);
  EXPECT_EQ(s["created"], 1);
  EXPECT_EQ(s["items"][1]["defect"], "encoding");
  EXPECT_EQ(s["items"][1]["reason"], "line 3: byte 28: invalid CP932 sequence 0x81");
  EXPECT_EQ(RunJson(dir_, Edge("patients --json"))[0]["kanji_name"]["family"], "山田");
}

TEST_F(UploadCliTest, OversizedRowsAndFilesFailPrecisely) {
  // A row over the 1 MiB row limit is quarantined, its first 64 KiB kept.
  const std::string long_row = "patient,5001,,,,,長 行," + std::string(2 << 20, 'x') + ",,,,,,\n";
  Write("long.csv", std::string(kHeader) + long_row + "patient,5002,,,,,短 行,,,,,,,\n");
  json s = RunJson(dir_, Edge("upload --json --csv long.csv"), 1);
  EXPECT_EQ(s["created"], 1);
  EXPECT_EQ(s["items"][0]["defect"], "too_large");
  EXPECT_EQ(s["items"][0]["reason"],
            fmt::format("line 2: the row is longer than 1048576 bytes (the first 65536 of {} bytes kept)", long_row.size()));
  EXPECT_EQ(Quarantine()[0]["bytes"], 65536);

  // A 100 MB line makes a file over the upload limit: refused before it is read.
  {
    std::ofstream huge(dir_ / "huge.csv", std::ios::binary);
    huge << kHeader << "patient,5003,,,,,";
    const std::string chunk(1 << 20, 'y');
    for (int i = 0; i < 100; ++i) huge << chunk;
    huge << ",,,,,,,\n";
  }
  Result r = RunRenkei(dir_, Edge("upload --csv huge.csv"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(fmt::format("huge.csv is {} bytes; an upload may have at most 67108864 (--max-bytes)",
                                   fs::file_size(dir_ / "huge.csv"))),
            std::string::npos)
      << r.err;
  Result small = RunRenkei(dir_, Edge("upload --max-bytes 100 --csv long.csv"));
  EXPECT_EQ(small.exit_code, 2);
  EXPECT_NE(small.err.find("an upload may have at most 100"), std::string::npos) << small.err;
}

TEST_F(UploadCliTest, UnusableFilesExitTwoAndAreQuarantinedWhole) {
  Write("columns.csv", "kind,patient_id,birthdate\npatient,1,19800101\n");
  Result r = RunRenkei(dir_, Edge("upload --csv columns.csv"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("columns.csv: line 1, column 3: unknown column 'birthdate'"), std::string::npos) << r.err;
  Write("empty.csv", "");
  Result empty = RunRenkei(dir_, Edge("upload --csv empty.csv"));
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("empty.csv: the file has no header row"), std::string::npos) << empty.err;
  Write("broken.json", "{\"resourceType\": \"Bundle\", \"type\": \"batch\", \"entry\": [");
  Result broken = RunRenkei(dir_, Edge("upload --fhir broken.json"));
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.err.find("broken.json: not JSON: parse error at line 1, column 55: syntax error while parsing value - unexpected end of input"), std::string::npos) << broken.err;
  Write("patient.json", R"({"resourceType": "Patient", "id": "x"})");
  Result patient = RunRenkei(dir_, Edge("upload --fhir patient.json"));
  EXPECT_EQ(patient.exit_code, 2);
  EXPECT_NE(patient.err.find("not a FHIR Bundle: /resourceType is '\"Patient\"'"), std::string::npos) << patient.err;
  Write("deep.json", std::string(100000, '[') + std::string(100000, ']'));
  Result deep = RunRenkei(dir_, Edge("upload --fhir deep.json"));
  EXPECT_EQ(deep.exit_code, 2);
  EXPECT_NE(deep.err.find("nesting deeper than 64 levels at line 1, column 65"), std::string::npos) << deep.err;
  std::set<std::string> paths;
  for (const json& q : Quarantine()) paths.insert(q["path"].get<std::string>());
  EXPECT_EQ(paths, (std::set<std::string>{"upload/columns.csv", "upload/empty.csv", "upload/broken.json",
                                          "upload/patient.json", "upload/deep.json"}));
  Result neither = RunRenkei(dir_, Edge("upload"));
  EXPECT_EQ(neither.exit_code, 2);
  EXPECT_NE(neither.err.find("give one file: --csv FILE or --fhir FILE"), std::string::npos);
  Result missing = RunRenkei(dir_, Edge("upload --csv nowhere.csv"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot read nowhere.csv"), std::string::npos) << missing.err;
}

TEST_F(UploadCliTest, BadBundleEntriesAreQuarantinedWithPointersTheRestGoesIn) {
  Write("partial.json", R"({"resourceType": "Bundle", "type": "batch", "entry": [
    {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient",
      "identifier": [{"system": "urn:oid:1.2.392.100495.20.3.51.11234567890", "value": "6001"}]}},
    {"request": {"method": "POST", "url": "Observation"}},
    {"resource": {"resourceType": "Condition", "code": {"text": "胃炎"}, "subject": {"reference": "Patient/ghost"}}},
    {"resource": {"resourceType": "Observation", "code": {"text": "体温"}, "valueQuantity": {"value": 36.5, "unit": "℃"}}},
    {"resource": {"resourceType": "Observation", "code": {"text": "体温"}, "valueQuantity": {"value": 37.8, "unit": "℃"},
                  "effectiveDateTime": "2024-02-01T08:00:00+09:00", "subject": {"reference": "urn:uuid:p"}}}
  ]})");
  Result r = RunRenkei(dir_, Edge("upload --json --fhir partial.json"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("3 entries were quarantined"), std::string::npos) << r.err;
  json response = json::parse(r.out);
  EXPECT_EQ(response["type"], "batch-response");
  const json& entries = response["entry"];
  ASSERT_EQ(entries.size(), 5u);
  auto diagnostics = [&](size_t i) { return entries[i]["response"]["outcome"]["issue"][0]["diagnostics"].get<std::string>(); };
  EXPECT_EQ(entries[1]["response"]["status"], "400 Bad Request");
  EXPECT_NE(diagnostics(1).find("entry 1 (/entry/1/resource): the entry has no resource"), std::string::npos) << diagnostics(1);
  EXPECT_EQ(entries[2]["response"]["status"], "404 Not Found");
  EXPECT_NE(diagnostics(2).find("entry 2 (/entry/2/resource/subject/reference): 'Patient/ghost' is not an entry of the bundle"),
            std::string::npos) << diagnostics(2);
  EXPECT_NE(diagnostics(3).find("entry 3 (/entry/3/resource/subject): the resource has no subject"), std::string::npos)
      << diagnostics(3);
  EXPECT_EQ(entries[4]["response"]["status"], "201 Created");
  EXPECT_EQ(Lines("6001"), std::vector<std::string>{"lab_result|検査結果: 体温 37.8 ℃|2024-02-01T08:00:00+09:00|"});
  std::set<std::string> paths;
  for (const json& q : Quarantine()) paths.insert(q["path"].get<std::string>());
  EXPECT_EQ(paths, (std::set<std::string>{"upload/partial.json#entry=1", "upload/partial.json#entry=2",
                                          "upload/partial.json#entry=3"}));
}

TEST_F(UploadCliTest, LogsCarryNoPatientData) {
  const fs::path log = dir_ / "renkei.log";
  Write("log.toml", "[log]\nlevel = \"debug\"\nfile = \"" + log.string() + "\"\n");
  Write("bad.csv", std::string(kHeader) + "visit,7001,20241301,,01,,,,,,,,,\n");
  for (const std::string& upload : {"--csv " + (kData / "clinic.csv").string(), std::string("--csv bad.csv"),
                                    "--fhir " + (kData / "emr-bundle.json").string()}) {
    RunRenkei(dir_, fmt::format("--config '{}' --facility 1234567890 edge upload {} --store sqlite:edge.db",
                                (dir_ / "log.toml").string(), upload));
  }
  const std::string text = Slurp(log);
  EXPECT_NE(text.find("upload_finished"), std::string::npos) << "the log was written";
  EXPECT_NE(text.find("upload_item_quarantined"), std::string::npos);
  for (std::string_view secret : {"1001", "2001", "7001", "山田", "佐藤", "ヤマダ", "19800203", "岡山", "086-"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "patient data in the log: " << secret;
  }
}

}  // namespace
