// Per-call cost of the record-linkage normalisation and similarity functions (src/mpi), which
// run for every registration and every candidate pair of the patient index. Google Benchmark:
//
//   normalize_bench [--benchmark_filter=REGEX]
//
// The inputs are typical registration fields, each in the spelling that takes the slow path
// (variant kanji, half-width kana, full-width digits), so the figures are upper bounds.
#include <benchmark/benchmark.h>

#include "mpi/normalize.h"
#include "mpi/similarity.h"

namespace {

using namespace renkei::mpi;

void BM_NormalizeName(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(NormalizeName("髙橋　﨑太郎"));
}
BENCHMARK(BM_NormalizeName);

void BM_NormalizeNameCommonForms(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(NormalizeName("山田太郎"));
}
BENCHMARK(BM_NormalizeNameCommonForms);

void BM_NormalizeKanaHalfWidth(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(NormalizeKana("ﾀｶﾊｼ ｼｭｳｲﾁﾛｳ"));
}
BENCHMARK(BM_NormalizeKanaHalfWidth);

void BM_KanaKey(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(KanaKey("タカハシ　シュウイチロウ"));
}
BENCHMARK(BM_KanaKey);

void BM_NormalizeAddress(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(NormalizeAddress("〒420-0001 静岡県静岡市葵区追手町９番６号 サンハイツ２０３"));
  }
}
BENCHMARK(BM_NormalizeAddress);

void BM_NormalizePhone(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(NormalizePhone("０５４（１２３）４５６７"));
}
BENCHMARK(BM_NormalizePhone);

void BM_NormalizeBirthDate(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(NormalizeBirthDate("昭和55年1月2日"));
}
BENCHMARK(BM_NormalizeBirthDate);

void BM_JaroWinkler(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(JaroWinkler("たかはししゆいちろ", "たかばししゆいちろ"));
}
BENCHMARK(BM_JaroWinkler);

void BM_BoundedEditDistance(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(BoundedEditDistance("たかはししゆいちろ", "たかばししゆいちろ", 2));
}
BENCHMARK(BM_BoundedEditDistance);

}  // namespace
