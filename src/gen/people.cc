#include "gen/people.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "gen/facility.h"
#include "gen/person.h"
#include "gen/tables.h"

namespace renkei::gen {
namespace {

// Persons per block: large enough that handing blocks between threads costs nothing, small
// enough that the blocks in flight take a few megabytes.
constexpr int64_t kBlockPersons = 4096;

// The registrations of a block of consecutive persons, up to their demographic cells: all but
// the local patient IDs, which are given in person order by the writing thread.
struct Block {
  struct Registration {
    size_t facility = 0;
    bool variant = false;     // recorded with variants (RecordingVariants::any)
    std::string cells;        // DemographicCells of its last ADT-00
  };
  std::vector<std::string> person_ids;
  std::vector<int> registrations_per_person;  // parallel to person_ids
  std::vector<Registration> registrations;    // person by person
};

// What generating a block needs; constant, shared by the generating threads.
struct BlockContext {
  const PopulationOptions& options;
  Window window;
  const std::vector<Facility>& facilities;
  const FacilityChooser& chooser;
};

// Persons [first, end): the demographics, the facility choice and the recording of `gen
// region` (population.h), without the clinical draws, which come after them in every stream.
Block MakeBlock(const BlockContext& ctx, int64_t first, int64_t end) {
  Block block;
  block.person_ids.reserve(static_cast<size_t>(end - first));
  block.registrations_per_person.reserve(static_cast<size_t>(end - first));
  block.registrations.reserve(static_cast<size_t>(end - first) * 3 / 2);
  const uint64_t seed = ctx.options.seed;
  for (int64_t i = first; i < end; ++i) {
    Person person = MakePersonDemographics(seed, i, ctx.window);
    const std::vector<PlannedRegistration> plan = ctx.chooser.Plan(seed, person, ctx.window, ctx.options.multi_facility);
    for (size_t j = 0; j < plan.size(); ++j) {
      Rng stream = RegistrationStream(seed, plan[j].facility, i);
      const RegistrationRecord record = RecordRegistration(person, ctx.facilities[plan[j].facility].habits, j == 0,
                                                           plan[j].registered_day, plan[j].last_day, stream);
      block.registrations.push_back({plan[j].facility, record.variants.any(), DemographicCells(person, record.latest())});
    }
    block.person_ids.push_back(std::move(person.person_id));
    block.registrations_per_person.push_back(static_cast<int>(plan.size()));
  }
  return block;
}

// Makes blocks 0..count-1 with `make` on `threads` threads (on the calling thread when 1) and
// hands them to `consume` on the calling thread in block order, with at most twice `threads`
// blocks made ahead. Stops at the first error of `consume`, which it returns, or when `cancel`
// is set.
template <typename T>
Status MakeInOrder(int64_t count, int threads, const std::function<T(int64_t)>& make,
                   const std::function<Status(T&)>& consume, const std::atomic<bool>* cancel) {
  if (threads <= 1) {
    for (int64_t b = 0; b < count && !(cancel && cancel->load()); ++b) {
      T item = make(b);
      RENKEI_RETURN_IF_ERROR(consume(item));
    }
    return Status::Ok();
  }
  const int64_t ahead = 2 * threads;
  std::mutex mu;
  std::condition_variable changed;
  int64_t next_to_make = 0;      // guarded by mu
  int64_t next_to_consume = 0;   // guarded by mu
  bool stop = false;             // guarded by mu
  std::map<int64_t, T> made;     // guarded by mu
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      while (true) {
        int64_t b;
        {
          std::unique_lock lock(mu);
          changed.wait(lock, [&] { return stop || next_to_make >= count || next_to_make < next_to_consume + ahead; });
          if (stop || next_to_make >= count) return;
          b = next_to_make++;
        }
        T item = make(b);
        {
          std::lock_guard lock(mu);
          made.emplace(b, std::move(item));
        }
        changed.notify_all();
      }
    });
  }
  Status status;
  for (int64_t b = 0; b < count && status.ok() && !(cancel && cancel->load()); ++b) {
    T item;
    {
      std::unique_lock lock(mu);
      changed.wait(lock, [&] { return made.contains(b); });
      auto it = made.find(b);
      item = std::move(it->second);
      made.erase(it);
      next_to_consume = b + 1;
    }
    changed.notify_all();
    status = consume(item);
  }
  {
    std::lock_guard lock(mu);
    stop = true;
  }
  changed.notify_all();
  for (std::thread& w : workers) w.join();
  return status;
}

}  // namespace

Status ValidatePeopleOptions(const PeopleOptions& o) {
  RENKEI_RETURN_IF_ERROR(ValidatePopulationOptions(o.population, "--persons"));
  if (o.threads < 1 || o.threads > 16) {
    return InvalidArgument(fmt::format("--threads must be between 1 and 16 (got {})", o.threads));
  }
  if (o.out.empty()) return InvalidArgument("--out is required: the folder to write the tables to");
  return Status::Ok();
}

StatusOr<PeopleSummary> GeneratePeople(const PeopleOptions& o, const PeopleProgressFn& progress,
                                       const std::atomic<bool>* cancel) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  RENKEI_RETURN_IF_ERROR(ValidatePeopleOptions(o));
  RENKEI_RETURN_IF_ERROR(PrepareOutputFolder(o.out, o.force));
  const PopulationOptions& pop = o.population;
  const int hospitals = pop.HospitalCount();
  const std::vector<Facility> facilities = MakeFacilities(pop.seed, pop.facilities, hospitals);
  const FacilityChooser chooser(facilities);
  RENKEI_RETURN_IF_ERROR(WriteFacilities(o.out, facilities, /*with_trees=*/false));
  RENKEI_ASSIGN_OR_RETURN(std::unique_ptr<RegistrationTables> tables, RegistrationTables::Create(o.out));

  PeopleSummary summary;
  summary.out = o.out;
  summary.facilities = pop.facilities;
  summary.hospitals = hospitals;
  const BlockContext context{pop, HistoryWindow(pop), facilities, chooser};
  LocalIdAssigner local_ids(facilities);
  auto last_report = Clock::now();
  auto report = [&] {
    progress({summary.persons, pop.persons, summary.registrations, tables->bytes()});
    last_report = Clock::now();
  };

  const int64_t blocks = (pop.persons + kBlockPersons - 1) / kBlockPersons;
  const std::function<Block(int64_t)> make = [&](int64_t b) {
    return MakeBlock(context, b * kBlockPersons, std::min(pop.persons, (b + 1) * kBlockPersons));
  };
  const std::function<Status(Block&)> write = [&](Block& block) -> Status {
    size_t r = 0;
    for (size_t p = 0; p < block.person_ids.size(); ++p) {
      const int count = block.registrations_per_person[p];
      for (int j = 0; j < count; ++j, ++r) {
        const Block::Registration& reg = block.registrations[r];
        RENKEI_ASSIGN_OR_RETURN(const std::string local_id, local_ids.Next(reg.facility));
        RENKEI_RETURN_IF_ERROR(tables->Add(facilities[reg.facility], local_id, block.person_ids[p], reg.cells));
        ++summary.registrations;
        if (reg.variant) ++summary.variant_registrations;
      }
      if (count > 1) ++summary.multi_facility_persons;
      ++summary.persons;
    }
    if (progress && Clock::now() - last_report > std::chrono::milliseconds(200)) report();
    return Status::Ok();
  };
  RENKEI_RETURN_IF_ERROR(MakeInOrder(blocks, o.threads, make, write, cancel));
  RENKEI_RETURN_IF_ERROR(tables->Close());
  summary.bytes = tables->bytes();
  if (progress) report();
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

}  // namespace renkei::gen
