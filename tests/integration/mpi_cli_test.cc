// `renkei mpi evaluate` as anyone checking our accuracy claims runs it: on the FEBRL sets as
// they are, on a Japanese record list with its truth, and on broken input.
#include "renkei_cli.h"

namespace renkei::testing {
namespace {

const std::string kFebrl = std::string(RENKEI_SHARED_DATA_DIR) + "/febrl/";

TEST(MpiEvaluateTest, FebrlLinkageOfTwoFilesMeetsTheGoal) {
  const auto dir = FreshTestDir("renkei-mpi");
  auto j = RunJson(dir, fmt::format("mpi evaluate --records {0}dataset4a.csv --records {0}dataset4b.csv --json "
                                    "--out identities.csv",
                                    kFebrl));
  EXPECT_EQ(j["records"], 10000);
  EXPECT_EQ(j["true_pairs"], 5000) << "the truth derived from rec_id";
  EXPECT_GE(j["f1"].get<double>(), 0.99);
  EXPECT_LE(j["review_rate"].get<double>(), 0.02);
  // The identities file: a header and one row per record, review records on their own.
  const std::string out = Slurp(dir / "identities.csv");
  EXPECT_TRUE(out.starts_with("record_id,regional_id\n"));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 10001);
  EXPECT_NE(out.find("rec-1070-org,RK"), std::string::npos);
}

TEST(MpiEvaluateTest, FebrlDeduplication) {
  const auto dir = FreshTestDir("renkei-mpi");
  auto j = RunJson(dir, fmt::format("mpi evaluate --records {}dataset3.csv --json", kFebrl));
  EXPECT_EQ(j["records"], 5000);
  EXPECT_EQ(j["persons_in_truth"], 2000);
  EXPECT_GE(j["f1"].get<double>(), 0.99);
  EXPECT_LE(j["review_rate"].get<double>(), 0.02);
  EXPECT_TRUE(j["model"]["fields"].contains("birth_date"));
}

TEST(MpiEvaluateTest, JapaneseRecordsWithTruthAndAModelRoundTrip) {
  const auto dir = FreshTestDir("renkei-mpi");
  std::ofstream(dir / "records.csv")
      << "record_id,facility,local_id,family_kanji,given_kanji,family_kana,given_kana,birth_date,sex,postal_code,"
         "address,phone\n"
         "A:0012345,A,0012345,山田,太郎,ヤマダ,タロウ,19650412,M,420-0001,静岡県静岡市葵区追手町9-6,054-123-4567\n"
         "B:88-301,B,88-301,山田,太郎,ﾔﾏﾀﾞ,ﾀﾛｰ,19650412,M,4200001,静岡市葵区追手町九番六号,０５４（１２３）４５６７\n"
         "C:77,C,77,山田 ,太郎,やまだ,たろう,1965-04-12,男,,静岡県静岡市葵区追手町9-6,\n"
         "A:0099999,A,0099999,佐藤,花子,サトウ,ハナコ,19800102,F,4300001,静岡県浜松市中区元城町103-2,053-999-0000\n";
  std::ofstream(dir / "truth.csv") << "record_id,person_id\nA:0012345,P1\nB:88-301,P1\nC:77,P1\nA:0099999,P2\n";
  auto j = RunJson(dir, "mpi evaluate --records records.csv --truth truth.csv --json --out ids.csv --model-out model.json");
  EXPECT_EQ(j["true_pairs"], 3);
  EXPECT_EQ(j["correct_pairs"], 3) << "山田太郎 at A, ヤマダ タロウ at B and 山田 太郎 at C are one person";
  EXPECT_EQ(j["predicted_pairs"], 3);
  EXPECT_EQ(j["identities"], 2);
  // The model written is accepted back, and linking with it as it is gives the same answer.
  auto again = RunJson(dir, "mpi evaluate --records records.csv --truth truth.csv --json --model model.json --no-estimate");
  EXPECT_EQ(again["f1"], j["f1"]);
  // Plain text says the same for a person.
  Result text = RunRenkei(dir, "mpi evaluate --records records.csv --truth truth.csv");
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("F1 1.0000"), std::string::npos) << text.out;
}

TEST(MpiEvaluateTest, BadInputGetsPreciseErrors) {
  const auto dir = FreshTestDir("renkei-mpi");
  std::ofstream(dir / "no_id.csv") << "name,birth\nx,1\n";
  std::ofstream(dir / "broken.csv") << "record_id,family_kanji\n1,\"unclosed\n";
  std::ofstream(dir / "ok.csv") << "record_id,family_kanji\nr1,山田\nr2,佐藤\n";
  std::ofstream(dir / "partial_truth.csv") << "record_id,person_id\nr1,P1\n";
  std::ofstream(dir / "truth.csv") << "record_id,person_id\nr1,P1\nr2,P2\n";
  std::ofstream(dir / "bad_model.json") << "{\"link_weight\": 1, \"review_weight\": 5}";
  std::ofstream(dir / "garbage.json") << "\x01\x02 not json";
  struct Case {
    std::string args;
    int exit;
    std::string message;
  };
  const Case cases[] = {
      {"mpi evaluate --records missing.csv --truth t.csv", 3, "cannot open missing.csv"},
      {"mpi evaluate --records no_id.csv --truth ok.csv", 2, "no record_id column"},
      {"mpi evaluate --records broken.csv --truth ok.csv", 2, "broken.csv: line 2"},
      {"mpi evaluate --records ok.csv", 2, "--truth FILE is required"},
      {"mpi evaluate --records ok.csv --truth partial_truth.csv", 2, "1 records have no person in the truth, the first: 'r2'"},
      {"mpi evaluate --records ok.csv --records ok.csv --truth partial_truth.csv", 2, "appears in more than one file"},
      {"mpi evaluate --records ok.csv --truth ok.csv", 2, "expected the columns record_id and person_id"},
      {"mpi evaluate --records ok.csv --truth truth.csv --model bad_model.json", 2, "review (5) ≤ link (1)"},
      {"mpi evaluate --records ok.csv --truth truth.csv --model garbage.json", 2, "not JSON"},
  };
  for (const Case& c : cases) {
    Result r = RunRenkei(dir, c.args);
    EXPECT_EQ(r.exit_code, c.exit) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
  Result help = RunRenkei(dir, "mpi evaluate --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("precision, recall"), std::string::npos);
}

}  // namespace
}  // namespace renkei::testing
