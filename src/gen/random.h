// Deterministic random numbers for the synthetic region.
//
// The region must be byte-identical for the same seed on every platform, so nothing here uses
// <random> (its distributions are implementation-defined): Rng draws from xoshiro256**
// (Blackman and Vigna, 2018), written out below so that its sequence is fixed by this file, and
// maps it to ranges with its own arithmetic. Each person, facility and registration gets an
// independent stream, derived from the seed and its index with SplitMix64, so adding a person
// does not shift the others' data. A region opens several streams per person, which is why the
// engine must be cheap to seed: 32 bytes of state, against the 2.5 KB that std::mt19937_64
// fills and then regenerates before its first draw (which took two thirds of `gen people`).
// Value type, cheap to copy; not thread-safe (one Rng per thread of work).
#pragma once

#include <bit>
#include <cstdint>
#include <span>

namespace renkei::gen {

// SplitMix64's finaliser: a bijective mix of 64 bits (Steele, Lea, Flood 2014).
constexpr uint64_t Mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// What a stream is for, so that the person and facility streams of one index differ.
enum class StreamKind : uint64_t {
  kRegion = 1,    // facility list and other region-wide draws
  kPerson = 2,    // one person's demographics and history
  kFacility = 3,  // one facility's staff and habits
  kHistory = 4,   // one person's registrations and encounters
};

class Rng {
 public:
  // The four words of state are SplitMix64's first four outputs from `seed`, as the authors of
  // xoshiro recommend: distinct for distinct seeds and never all zero.
  explicit Rng(uint64_t seed) {
    for (int i = 0; i < 4; ++i) state_[i] = Mix64(seed + static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull);
  }
  // An independent stream for (seed, kind, index).
  static Rng For(uint64_t seed, StreamKind kind, uint64_t index) {
    return Rng(Mix64(Mix64(seed) ^ Mix64(static_cast<uint64_t>(kind) << 56 ^ index)));
  }

  // xoshiro256** 1.0.
  uint64_t Next() {
    const uint64_t result = std::rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = std::rotl(state_[3], 45);
    return result;
  }
  // Uniform in [0, n); n > 0. Rejection sampling, so there is no modulo bias.
  uint64_t Below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = Next(); while (x >= limit);
    return x % n;
  }
  // Uniform in [lo, hi] (inclusive); lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // Uniform in [0, 1) with 53 random bits.
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  // Approximately normal (Irwin-Hall sum of four uniforms, scaled to unit variance): only
  // arithmetic, so the result does not depend on the platform's libm.
  double Normal(double mean, double sd) {
    double s = Unit();  // one draw per statement: operands are evaluated in an unspecified order
    s += Unit();
    s += Unit();
    s += Unit();
    s -= 2.0;
    return mean + sd * s * 1.7320508075688772;
  }
  // A uniformly chosen element of a non-empty span.
  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[Below(items.size())];
  }
  // An index chosen with the given non-negative integer weights (not all zero).
  size_t Weighted(std::span<const int> weights) {
    int64_t total = 0;
    for (int w : weights) total += w;
    int64_t x = static_cast<int64_t>(Below(static_cast<uint64_t>(total)));
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }

 private:
  uint64_t state_[4];
};

}  // namespace renkei::gen
