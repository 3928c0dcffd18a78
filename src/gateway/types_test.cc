#include "gateway/types.h"

#include <gtest/gtest.h>

#include "gateway/filter.h"

namespace renkei::gateway {
namespace {

using nlohmann::json;

TEST(TypesTest, TypeInformationReadsSortedAndWritesBack) {
  auto types = ParseTypes(json::parse(R"([{"type": "Patient", "elements": ["name", "birthDate", "name"]},
                                          {"type": "Encounter"}, {"type": "Appointment", "elements": null}])"));
  ASSERT_TRUE(types.ok()) << types.status().ToString();
  ASSERT_EQ(types->size(), 3u);
  EXPECT_EQ((*types)[0].type, "Appointment");
  EXPECT_EQ((*types)[2].elements, (std::vector<std::string>{"birthDate", "name"}));
  EXPECT_EQ(TypesJson(*types).dump(),
            R"([{"type":"Appointment"},{"type":"Encounter"},{"elements":["birthDate","name"],"type":"Patient"}])");
  ASSERT_TRUE(ParseNotifyMode("data").ok());
  EXPECT_EQ(*ParseNotifyMode("data"), NotifyMode::kData);
  EXPECT_FALSE(ParseNotifyMode("DATA").ok());
}

TEST(TypesTest, MalformedAndHostileTypeInformationIsRefusedNamingTheItem) {
  json too_many = json::array();
  for (int i = 0; i < 65; ++i) too_many.push_back({{"type", "T" + std::string(static_cast<size_t>(i % 26 + 1), 'a')}});
  json many_elements = json::array({{{"type", "Patient"}, {"elements", json::array()}}});
  for (int i = 0; i < 101; ++i) many_elements[0]["elements"].push_back("e" + std::to_string(i));
  const std::pair<json, std::string> cases[] = {
      {json::object(), "must be an array"},
      {json::parse(R"(["Patient"])"), "'types'[0]: not an object"},
      {json::parse(R"([{"type": "patient"}])"), "FHIR resource type"},
      {json::parse(R"([{"type": "Pat'ient; DROP TABLE"}])"), "FHIR resource type"},
      {json::parse(R"([{"type": "Patient"}, {"type": "Patient"}])"), "listed twice"},
      {json::parse(R"([{"type": "Patient", "elements": "name"}])"), "must be an array"},
      {json::parse(R"([{"type": "Patient", "elements": ["Name"]}])"), "malformed element"},
      {json::parse(R"([{"type": "Patient", "elements": [7]}])"), "malformed element"},
      {json::parse(R"([{"type": "Patient", "fields": []}])"), "unknown member 'fields'"},
      {json::parse(R"([{"type": ")" + std::string(65, 'A') + R"("}])"), "FHIR resource type"},
      {too_many, "at most 64"},
      {many_elements, "at most 100 elements"},
  };
  for (const auto& [input, message] : cases) {
    auto parsed = ParseTypes(input);
    ASSERT_FALSE(parsed.ok()) << input.dump().substr(0, 80);
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(message), std::string::npos) << parsed.status().message();
  }
}

TEST(FilterTest, OnlyAllowedTypesAndElementsLeaveAndMalformedEntriesAreDropped) {
  const json entries = json::parse(R"([
    {"reference": "Patient/P1", "record_id": 1, "resource": {"resourceType": "Patient", "id": "P1", "meta": {"versionId": "1"},
      "name": [{"text": "山田 太郎"}], "birthDate": "1970-01-01", "address": [{"text": "岡山市"}], "telecom": [{"value": "086"}]}},
    {"reference": "Encounter/E1", "record_id": 2, "resource": {"resourceType": "Encounter", "id": "E1", "status": "arrived"}},
    {"reference": "Observation/O1", "record_id": 3, "resource": {"resourceType": "Observation", "id": "O1", "valueQuantity": {}}},
    {"reference": "x", "resource": "not an object"},
    {"reference": "y", "resource": {"resourceType": 7}},
    "garbage"
  ])");
  const Filtered f = FilterEntries(entries, {{"Encounter", {}}, {"Patient", {"name", "birthDate"}}});
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.withheld, 4u);
  EXPECT_EQ(f.entries[0]["resource"].dump(),
            R"({"birthDate":"1970-01-01","id":"P1","meta":{"versionId":"1"},"name":[{"text":"山田 太郎"}],"resourceType":"Patient"})");
  EXPECT_EQ(f.entries[0]["reference"], "Patient/P1");
  EXPECT_EQ(f.entries[1]["resource"]["status"], "arrived");  // every element of an Encounter
  EXPECT_TRUE(FilterEntries(entries, {}).entries.empty());
  EXPECT_TRUE(FilterEntries(json::object(), {{"Patient", {}}}).entries.empty());
}

}  // namespace
}  // namespace renkei::gateway
