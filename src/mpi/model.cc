#include "mpi/model.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

namespace renkei::mpi {
namespace {

constexpr double kFloor = 1e-5;  // no level is impossible: keeps every weight finite

size_t Index(Field f) { return static_cast<size_t>(f); }

void Normalize(std::array<double, kMaxLevels>& p, int levels) {
  double sum = 0;
  for (int l = 0; l < levels; ++l) sum += (p[l] = std::max(p[l], kFloor));
  for (int l = 0; l < levels; ++l) p[l] /= sum;
  for (int l = levels; l < kMaxLevels; ++l) p[l] = 0;
}

}  // namespace

double Score::Probability() const { return 1.0 / (1.0 + std::exp2(-weight)); }

nlohmann::json ScoreJson(const Score& s) {
  nlohmann::json fields = nlohmann::json::array();
  for (const FieldScore& f : s.fields) {
    fields.push_back({{"field", FieldName(f.field)}, {"level", LevelName(f.field, f.level)}, {"weight", f.weight}});
  }
  return {{"weight", s.weight}, {"prior", s.prior}, {"probability", s.Probability()}, {"fields", fields}};
}

Model Model::Default() {
  Model model;
  struct Row {
    Field field;
    std::array<double, kMaxLevels> m, u;
  };
  // Shares among true matches (m) and among random pairs of a Japanese region (u); a common
  // surname such as 佐藤 is ~1.5% of people, a birth date ~1/30,000 of pairs.
  const Row rows[] = {
      {Field::kFamilyName, {0.90, 0.03, 0.02, 0.05}, {0.005, 0.002, 0.02, 0.973}},
      {Field::kGivenName, {0.88, 0.04, 0.03, 0.05}, {0.002, 0.001, 0.02, 0.977}},
      {Field::kFamilyKana, {0.88, 0.07, 0.02, 0.03}, {0.006, 0.001, 0.01, 0.983}},
      {Field::kGivenKana, {0.87, 0.07, 0.03, 0.03}, {0.003, 0.001, 0.01, 0.986}},
      {Field::kBirthDate, {0.95, 0.03, 0.01, 0.01}, {0.00004, 0.0005, 0.012, 0.98746}},
      {Field::kSex, {0.98, 0.02}, {0.5, 0.5}},
      {Field::kPostalCode, {0.75, 0.10, 0.15}, {0.001, 0.02, 0.979}},
      {Field::kAddress, {0.50, 0.20, 0.15, 0.15}, {0.0005, 0.0005, 0.01, 0.989}},
      {Field::kPhone, {0.75, 0.03, 0.22}, {0.0002, 0.001, 0.9988}},
      {Field::kIdentifier, {0.90, 0.05, 0.05}, {0.0001, 0.001, 0.9989}},
  };
  for (const Row& r : rows) {
    model.m_[Index(r.field)] = r.m;
    model.u_[Index(r.field)] = r.u;
    Normalize(model.m_[Index(r.field)], LevelCount(r.field));
    Normalize(model.u_[Index(r.field)], LevelCount(r.field));
  }
  return model;
}

double Model::FieldWeight(Field f, int level) const {
  if (level < 0) return 0;
  return std::log2(m_[Index(f)][level] / u_[Index(f)][level]);
}

double Model::PriorWeight(size_t index_size) const {
  return std::log2(matches_per_record_ / static_cast<double>(std::max<size_t>(index_size, 1)));
}

Score Model::Evaluate(const Comparison& c, size_t index_size) const {
  Score s;
  s.prior = PriorWeight(index_size);
  s.weight = s.prior;
  for (int i = 0; i < kFieldCount; ++i) {
    const Field f = static_cast<Field>(i);
    const double w = FieldWeight(f, c.level[i]);
    s.fields[i] = {f, c.level[i], w};
    s.weight += w;
  }
  return s;
}

Status Model::SetThresholds(double link_weight, double review_weight) {
  if (!std::isfinite(link_weight) || !std::isfinite(review_weight) || review_weight > link_weight) {
    return InvalidArgument(fmt::format("thresholds must be finite with review ({}) ≤ link ({})", review_weight, link_weight));
  }
  link_weight_ = link_weight;
  review_weight_ = review_weight;
  return Status::Ok();
}

void Model::EstimateU(const std::vector<Comparison>& random_pairs) {
  if (random_pairs.empty()) return;
  for (int i = 0; i < kFieldCount; ++i) {
    std::array<double, kMaxLevels> counts{};
    // Add-one smoothing: a level never seen among random pairs is rare, not impossible.
    for (int l = 0; l < LevelCount(static_cast<Field>(i)); ++l) counts[l] = 1;
    double seen = 0;
    for (const Comparison& c : random_pairs) {
      if (c.level[i] >= 0) counts[c.level[i]] += 1, seen += 1;
    }
    if (seen < 100) continue;  // too little evidence: keep what we had
    u_[i] = counts;
    Normalize(u_[i], LevelCount(static_cast<Field>(i)));
  }
}

double Model::EstimateM(const std::vector<Comparison>& pairs, std::optional<Field> fixed, int max_iterations) {
  if (pairs.empty()) return 0;
  // Many pairs share one pattern of levels: iterate over distinct patterns with their counts.
  std::map<std::array<int8_t, kFieldCount>, double> patterns;
  for (const Comparison& c : pairs) patterns[c.level] += 1;
  const double total = static_cast<double>(pairs.size());
  double share = 0.5;
  for (int iteration = 0; iteration < max_iterations; ++iteration) {
    std::array<std::array<double, kMaxLevels>, kFieldCount> m_sum{};
    double matches = 0;
    for (const auto& [levels, count] : patterns) {
      double log_m = std::log(share), log_u = std::log(1 - share);
      for (int i = 0; i < kFieldCount; ++i) {
        if (levels[i] < 0 || (fixed && i == static_cast<int>(*fixed))) continue;
        log_m += std::log(m_[i][levels[i]]);
        log_u += std::log(u_[i][levels[i]]);
      }
      const double g = 1.0 / (1.0 + std::exp(log_u - log_m));  // P(match | pattern)
      matches += g * count;
      for (int i = 0; i < kFieldCount; ++i) {
        if (levels[i] >= 0) m_sum[i][levels[i]] += g * count;
      }
    }
    double change = 0;
    for (int i = 0; i < kFieldCount; ++i) {
      if (fixed && i == static_cast<int>(*fixed)) continue;
      const int levels = LevelCount(static_cast<Field>(i));
      double seen = 0;
      for (int l = 0; l < levels; ++l) seen += m_sum[i][l];
      if (seen < 20) continue;  // too few matches record the field: keep its prior
      std::array<double, kMaxLevels> next{};
      for (int l = 0; l < levels; ++l) next[l] = m_sum[i][l] / seen;
      Normalize(next, levels);
      for (int l = 0; l < levels; ++l) change = std::max(change, std::abs(next[l] - m_[i][l]));
      m_[i] = next;
    }
    const double next_share = std::clamp(matches / total, 1e-6, 1 - 1e-6);
    change = std::max(change, std::abs(next_share - share));
    share = next_share;
    if (change < 1e-6) break;
  }
  return share;
}

nlohmann::json Model::ToJson() const {
  nlohmann::json fields = nlohmann::json::object();
  for (int i = 0; i < kFieldCount; ++i) {
    const Field f = static_cast<Field>(i);
    nlohmann::json m = nlohmann::json::array(), u = nlohmann::json::array();
    for (int l = 0; l < LevelCount(f); ++l) m.push_back(m_[i][l]), u.push_back(u_[i][l]);
    fields[std::string(FieldName(f))] = {{"m", m}, {"u", u}};
  }
  return {{"matches_per_record", matches_per_record_}, {"link_weight", link_weight_}, {"review_weight", review_weight_}, {"fields", fields}};
}

StatusOr<Model> Model::FromJson(const nlohmann::json& j) {
  Model model = Default();
  if (!j.is_object()) return InvalidArgument("model: not a JSON object");
  auto number = [&](const char* name, double* out) -> Status {
    if (!j.contains(name)) return Status::Ok();
    if (!j[name].is_number()) return InvalidArgument(fmt::format("model: {} is not a number", name));
    *out = j[name].get<double>();
    return Status::Ok();
  };
  RENKEI_RETURN_IF_ERROR(number("matches_per_record", &model.matches_per_record_));
  if (!(model.matches_per_record_ > 0 && model.matches_per_record_ <= 100)) {
    return InvalidArgument("model: matches_per_record must be above 0 and at most 100");
  }
  double link = model.link_weight_, review = model.review_weight_;
  RENKEI_RETURN_IF_ERROR(number("link_weight", &link));
  RENKEI_RETURN_IF_ERROR(number("review_weight", &review));
  RENKEI_RETURN_IF_ERROR(model.SetThresholds(link, review).Annotate("model"));
  if (j.contains("fields")) {
    const nlohmann::json& fields = j["fields"];
    if (!fields.is_object()) return InvalidArgument("model: fields is not an object");
    for (int i = 0; i < kFieldCount; ++i) {
      const Field f = static_cast<Field>(i);
      const std::string name(FieldName(f));
      if (!fields.contains(name)) continue;
      for (const char* which : {"m", "u"}) {
        const nlohmann::json& p = fields[name].contains(which) ? fields[name][which] : nlohmann::json();
        if (!p.is_array() || static_cast<int>(p.size()) != LevelCount(f)) {
          return InvalidArgument(fmt::format("model: fields.{}.{} must be an array of {} probabilities", name, which,
                                             LevelCount(f)));
        }
        std::array<double, kMaxLevels> values{};
        for (int l = 0; l < LevelCount(f); ++l) {
          if (!p[l].is_number() || !(p[l].get<double>() >= 0 && p[l].get<double>() <= 1)) {
            return InvalidArgument(fmt::format("model: fields.{}.{}[{}] is not a probability", name, which, l));
          }
          values[l] = p[l].get<double>();
        }
        Normalize(values, LevelCount(f));
        (which[0] == 'm' ? model.m_ : model.u_)[i] = values;
      }
    }
  }
  return model;
}

}  // namespace renkei::mpi
