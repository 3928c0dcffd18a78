#include "mpi/linker.h"

#include <gtest/gtest.h>

#include "mpi/batch.h"
#include "mpi/blocking.h"
#include "mpi/compare.h"
#include "mpi/model.h"

namespace renkei::mpi {
namespace {

Demographics Yamada() {
  Demographics d;
  d.family_kanji = "山田";
  d.given_kanji = "太郎";
  d.family_kana = "ヤマダ";
  d.given_kana = "タロウ";
  d.birth_date = "19650412";
  d.sex = "M";
  d.postal_code = "420-0001";
  d.address = "静岡県静岡市葵区追手町9-6";
  d.phone = "054-123-4567";
  return d;
}

Demographics Other() {
  Demographics d;
  d.family_kanji = "佐藤";
  d.given_kanji = "花子";
  d.family_kana = "サトウ";
  d.given_kana = "ハナコ";
  d.birth_date = "19800102";
  d.sex = "F";
  d.postal_code = "4300001";
  d.address = "静岡県浜松市中区元城町103-2";
  d.phone = "053-999-0000";
  return d;
}

TEST(CompareTest, SeesThroughRecordingVariants) {
  Demographics b = Yamada();
  b.family_kanji = "山田 ";            // a trailing space
  b.family_kana = "ﾔﾏﾀﾞ";             // half-width
  b.given_kana = "たろー";             // hiragana with a long vowel mark
  b.address = "静岡市葵区追手町九番六号";  // no prefecture, kanji numerals
  b.phone = "０５４（１２３）４５６７";
  const Comparison c = Compare(Features::From(Yamada()), Features::From(b));
  EXPECT_EQ(c[Field::kFamilyName], 0);
  EXPECT_EQ(c[Field::kGivenName], 0);
  EXPECT_EQ(c[Field::kFamilyKana], 0);
  EXPECT_EQ(c[Field::kGivenKana], 1) << "たろー and タロウ are one reading";
  EXPECT_EQ(c[Field::kBirthDate], 0);
  EXPECT_EQ(c[Field::kPhone], 0);
  EXPECT_LE(c[Field::kAddress], 1);
}

TEST(CompareTest, BirthDateSlipsAndMissingFields) {
  Demographics b = Yamada();
  b.birth_date = "19650421";  // day digits swapped
  b.phone.clear();
  b.sex = "U";
  Comparison c = Compare(Features::From(Yamada()), Features::From(b));
  EXPECT_EQ(c[Field::kBirthDate], 1);
  EXPECT_EQ(c[Field::kPhone], kMissing);
  EXPECT_EQ(c[Field::kSex], kMissing);
  b.birth_date = "19651204";  // month and day swapped
  EXPECT_EQ(Compare(Features::From(Yamada()), Features::From(b))[Field::kBirthDate], 1);
  b.birth_date = "19650101";
  EXPECT_EQ(Compare(Features::From(Yamada()), Features::From(b))[Field::kBirthDate], 2);
  b.birth_date = "not a date";
  EXPECT_EQ(Compare(Features::From(Yamada()), Features::From(b))[Field::kBirthDate], kMissing);
}

TEST(CompareTest, SwappedNames) {
  Demographics a, b;
  a.family_kanji = "smith", a.given_kanji = "john";
  b.family_kanji = "john", b.given_kanji = "smith";
  const Comparison c = Compare(Features::From(a), Features::From(b));
  EXPECT_TRUE(c.names_swapped);
  EXPECT_EQ(c[Field::kFamilyName], 0);
  EXPECT_EQ(c[Field::kGivenName], 0);
}

TEST(ModelTest, SameHighOtherLowAndExplained) {
  const Model m = Model::Default();
  const Score same = m.Evaluate(Compare(Features::From(Yamada()), Features::From(Yamada())), 1'000'000);
  const Score other = m.Evaluate(Compare(Features::From(Yamada()), Features::From(Other())), 1'000'000);
  EXPECT_GE(same.weight, m.link_weight());
  EXPECT_LT(other.weight, m.review_weight());
  EXPECT_GT(same.Probability(), 0.999);
  double sum = std::log2(m.matches_per_record() / 1e6);
  EXPECT_DOUBLE_EQ(same.prior, sum);
  for (const FieldScore& f : same.fields) sum += f.weight;
  EXPECT_NEAR(sum, same.weight, 1e-9) << "the breakdown adds up to the weight";
}

TEST(ModelTest, JsonRoundTripAndBadInput) {
  Model m = Model::Default();
  ASSERT_TRUE(m.SetThresholds(10, 3).ok());
  auto back = Model::FromJson(m.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_DOUBLE_EQ(back->link_weight(), 10);
  EXPECT_DOUBLE_EQ(back->m(Field::kBirthDate, 0), m.m(Field::kBirthDate, 0));
  EXPECT_FALSE(m.SetThresholds(1, 2).ok());
  EXPECT_FALSE(Model::FromJson(nlohmann::json::array()).ok());
  EXPECT_FALSE(Model::FromJson({{"matches_per_record", -1}}).ok());
  nlohmann::json bad = m.ToJson();
  bad["fields"]["sex"]["m"] = {0.5};
  auto r = Model::FromJson(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("fields.sex.m"), std::string::npos);
  bad = m.ToJson();
  bad["fields"]["phone"]["u"] = {0.5, "x", 0.1};
  EXPECT_FALSE(Model::FromJson(bad).ok());
}

TEST(ModelTest, EmRecoversAgreementRates) {
  // Matches agree on the readings, non-matches almost never: EM must find the share of
  // matches (20%) and that matches agree on the birth date 99% of the time.
  Model m = Model::Default();
  std::vector<Comparison> pairs;
  for (int i = 0; i < 10000; ++i) {
    Comparison c;
    c.level.fill(kMissing);
    const bool match = i % 5 == 0;
    auto set = [&](Field f, int8_t l) { c.level[static_cast<size_t>(f)] = l; };
    set(Field::kBirthDate, match ? (i % 100 == 0 ? 1 : 0) : 3);
    set(Field::kFamilyKana, match ? 0 : (i % 7 == 0 ? 0 : 3));
    set(Field::kGivenKana, match ? 0 : 3);
    pairs.push_back(c);
  }
  EXPECT_NEAR(m.EstimateM(pairs, std::nullopt), 0.2, 0.01);
  EXPECT_NEAR(m.m(Field::kBirthDate, 0), 0.95, 0.02);
  const double before = m.m(Field::kFamilyKana, 0);
  m.EstimateM(pairs, Field::kFamilyKana);
  EXPECT_DOUBLE_EQ(m.m(Field::kFamilyKana, 0), before) << "the field the pairs were chosen by is held";
}

TEST(BlockingTest, VariantsShareAKeyStrangersDoNot) {
  BlockIndex index;
  index.Add(0, Features::From(Yamada()));
  index.Add(1, Features::From(Other()));
  Demographics moved = Yamada();
  moved.address = "東京都新宿区西新宿2-8-1";
  moved.phone.clear();
  moved.family_kanji = "髙田";  // married: another surname, reading too
  moved.family_kana = "タカダ";
  std::vector<uint32_t> out;
  index.Candidates(Features::From(moved), 0, 2, &out);
  EXPECT_EQ(out, std::vector<uint32_t>{0}) << "birth date + given reading still meet";
  out.clear();
  index.Candidates(Features::From(Yamada()), 1, 2, &out);
  EXPECT_TRUE(out.empty()) << "record 0 is outside [1, 2)";
  EXPECT_EQ(index.size(), 2u);
}

TEST(BlockingTest, PerKeyCapBoundsCandidates) {
  BlockIndex index(5);
  Demographics d = Yamada();
  for (uint32_t i = 0; i < 100; ++i) index.Add(i, Features::From(d));
  std::vector<uint32_t> out;
  index.Candidates(Features::From(d), 0, 100, &out);
  EXPECT_LE(out.size(), 5u * kBlockingRules);
  EXPECT_EQ(out.back(), 99u) << "the newest are kept";
}

TEST(LinkerTest, LinksReviewsAndSeparates) {
  Linker linker(Model::Default());
  linker.Insert(Features::From(Yamada()), 1);
  linker.Insert(Features::From(Other()), 2);
  Demographics b = Yamada();
  b.given_kana = "タロー";
  b.phone = "090-1111-2222";
  Decision d = linker.Decide(Features::From(b));
  EXPECT_EQ(d.outcome, Outcome::kLinked);
  ASSERT_TRUE(d.best);
  EXPECT_EQ(d.best->identity, 1);
  EXPECT_GE(d.candidates, 1u);

  Demographics stranger = Other();
  stranger.birth_date = "19991231";
  stranger.given_kanji = "次郎", stranger.given_kana = "ジロウ", stranger.sex = "M";
  stranger.phone = "03-0000-1111";
  stranger.address = "北海道札幌市中央区北1条西2丁目";
  stranger.postal_code = "0600001";
  EXPECT_EQ(linker.Decide(Features::From(stranger)).outcome, Outcome::kNew);

  // Same name and birth date, nothing else: not enough to link, enough to ask.
  Demographics thin;
  thin.family_kanji = "山田", thin.given_kanji = "太郎", thin.birth_date = "19650412";
  thin.address = "大阪府大阪市北区梅田1-1";
  const Decision t = linker.Decide(Features::From(thin));
  EXPECT_NE(t.outcome, Outcome::kNew);
}

TEST(BatchTest, SameAsOneByOneAndMeasuresPairs) {
  std::vector<Demographics> people = {Yamada(), Other(), Yamada(), Other(), Yamada()};
  people[2].given_kana = "タロー";
  people[3].family_kanji = "佐籐";  // a slip in the kanji
  std::vector<const Demographics*> ptrs;
  for (const auto& d : people) ptrs.push_back(&d);
  Linker batch(Model::Default());
  int64_t next = 1;
  const BatchResult r = LinkBatch(batch, NormaliseAll(ptrs, 2), [&] { return next++; }, 2);
  EXPECT_EQ(r.linked, 3u);
  EXPECT_EQ(r.created, 2u);
  std::vector<int64_t> predicted;
  for (uint32_t i = 0; i < batch.size(); ++i) predicted.push_back(batch.identity(i));
  EXPECT_EQ(predicted, (std::vector<int64_t>{1, 2, 1, 2, 1}));
  const PairAccuracy a = MeasurePairs(predicted, {0, 1, 0, 1, 0});
  EXPECT_EQ(a.true_pairs, 4);
  EXPECT_DOUBLE_EQ(a.f1(), 1.0);
  const PairAccuracy wrong = MeasurePairs({1, 1, 1, 2, 3}, {0, 1, 0, 1, 0});
  EXPECT_EQ(wrong.predicted_pairs, 3);
  EXPECT_EQ(wrong.correct_pairs, 1);
  EXPECT_NEAR(wrong.recall(), 0.25, 1e-12);
}

}  // namespace
}  // namespace renkei::mpi
