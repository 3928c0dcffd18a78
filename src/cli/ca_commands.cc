#include "cli/ca_commands.h"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/hub_commands.h"
#include "pki/ca.h"

namespace renkei::cli {
namespace {

using nlohmann::json;

int Fail(std::string_view command, const Status& s) {
  std::cerr << "renkei ca " << command << ": " << s.message() << "\n";
  return HubExitCode(s);
}

struct CaFlags {
  std::string dir, name, role, facility, out, serial, reason;
  std::vector<std::string> dns, ips;
  int days = 0;
  bool as_json = false;
};

void AddDir(CLI::App* cmd, CaFlags* f) {
  cmd->add_option("--dir", f->dir, "the CA directory (ca.key, ca.crt, crl.pem, issued.json)")->required()->type_name("DIR");
}

json EntryJson(const pki::IssuedEntry& e) {
  return {{"serial", e.serial_hex},
          {"name", e.name},
          {"role", pki::RoleName(e.role)},
          {"facility", e.facility.empty() ? json(nullptr) : json(e.facility)},
          {"not_after", e.not_after},
          {"revoked_at", e.revoked() ? json(e.revoked_at) : json(nullptr)},
          {"reason", e.revoked() ? json(e.reason) : json(nullptr)}};
}

int RunIssue(const CaFlags& f) {
  auto role = pki::ParseRole(f.role);
  if (!role.ok()) return Fail("issue", role.status().Annotate("--role"));
  pki::IssueRequest request{f.name, *role, f.facility, f.dns, f.ips, f.days};
  const std::string out = f.out.empty() ? f.dir + "/issued" : f.out;
  auto issued = pki::Issue(f.dir, request, out);
  if (!issued.ok()) return Fail("issue", issued.status());
  const std::string ca = out + "/ca.crt";
  if (f.as_json) {
    std::cout << json({{"name", f.name},
                       {"role", f.role},
                       {"facility", f.facility.empty() ? json(nullptr) : json(f.facility)},
                       {"serial", issued->serial_hex},
                       {"certificate", issued->cert_path},
                       {"key", issued->key_path},
                       {"ca", ca}})
                     .dump(2)
              << "\n";
  } else {
    fmt::print("Issued {} ({}) serial {}\n  certificate {}\n  key         {} (keep it secret)\n  CA          {}\n", f.name,
               f.role, issued->serial_hex, issued->cert_path, issued->key_path, ca);
  }
  return 0;
}

int RunList(const CaFlags& f) {
  auto entries = pki::ListIssued(f.dir);
  if (!entries.ok()) return Fail("list", entries.status());
  if (f.as_json) {
    json list = json::array();
    for (const auto& e : *entries) list.push_back(EntryJson(e));
    std::cout << json({{"certificates", list}}).dump(2) << "\n";
    return 0;
  }
  fmt::print("{:<32}  {:<24}  {:<8}  {:<10}  {:<20}  {}\n", "SERIAL", "NAME", "ROLE", "FACILITY", "NOT AFTER", "STATUS");
  for (const auto& e : *entries) {
    fmt::print("{:<32}  {:<24}  {:<8}  {:<10}  {:<20}  {}\n", e.serial_hex, e.name, pki::RoleName(e.role),
               e.facility.empty() ? "-" : e.facility, e.not_after,
               e.revoked() ? fmt::format("revoked {} ({})", e.revoked_at, e.reason) : "valid");
  }
  return 0;
}

}  // namespace

void AddCaCommands(CLI::App& app, int* exit_code) {
  CLI::App* ca = app.add_subcommand(
      "ca",
      "The region's certificate authority, run by the hub operator: certificates for mutual TLS between the hub,\n"
      "edges, services and users, and for edges' signatures. Keys are ECDSA P-256; a certificate names its holder\n"
      "(CN), role (OU) and facility (O, for edges and a facility's users).");
  ca->require_subcommand(1);
  auto f = std::make_shared<CaFlags>();

  CLI::App* init = ca->add_subcommand(
      "init", "Make a new CA in --dir: its key (ca.key, mode 0600 — keep it offline if you can), its certificate\n"
              "(ca.crt, given to every party), an empty revocation list (crl.pem) and the register issued.json");
  AddDir(init, f.get());
  auto region = std::make_shared<std::string>("Renkei demo region");
  auto init_days = std::make_shared<int>(3650);
  init->add_option("--name", *region, "the region's name, the CA certificate's CN (default \"Renkei demo region\")");
  init->add_option("--days", *init_days, "how long the CA certificate is valid (default 3650)");
  init->callback([f, region, init_days, exit_code] {
    Status s = pki::InitCa(f->dir, *region, *init_days);
    if (!s.ok()) {
      *exit_code = Fail("init", s);
      return;
    }
    fmt::print("CA \"{}\" made in {}: give {}/ca.crt to every party; ca.key never leaves this directory\n", *region, f->dir,
               f->dir);
    *exit_code = 0;
  });

  CLI::App* issue = ca->add_subcommand(
      "issue", "Issue a certificate and a new key for one party, written as OUT/NAME.crt and OUT/NAME.key (with a\n"
               "copy of ca.crt as OUT/ca.crt). A name may hold one valid certificate at a time: revoke it to reissue.");
  AddDir(issue, f.get());
  issue->add_option("--name", f->name, "the party's name: hub, edge-1234567890, sato-doctor ... (1-64 of A-Z a-z 0-9 . _ -)")
      ->required();
  issue->add_option("--role", f->role, "hub, edge, service, user or operator")->required();
  issue->add_option("--facility", f->facility, "the facility's code (required for an edge, optional for a user)");
  issue->add_option("--dns", f->dns, "a DNS name the hub serves (repeatable; default localhost with 127.0.0.1)");
  issue->add_option("--ip", f->ips, "an IP address the hub serves (repeatable)");
  issue->add_option("--days", f->days, "how long the certificate is valid (default 825)")->default_val(825);
  issue->add_option("--out", f->out, "where to write the files (default DIR/issued)")->type_name("OUTDIR");
  issue->add_flag("--json", f->as_json, "print the result as JSON");
  issue->callback([f, exit_code] { *exit_code = RunIssue(*f); });

  CLI::App* revoke = ca->add_subcommand(
      "revoke", "Revoke a certificate by --name (its valid one) or --serial, and re-sign crl.pem: a running hub\n"
                "refuses it from its next connection on");
  AddDir(revoke, f.get());
  auto by_name = revoke->add_option("--name", f->name, "the party whose valid certificate to revoke");
  auto by_serial = revoke->add_option("--serial", f->serial, "the serial number (hex) of the certificate to revoke");
  by_name->excludes(by_serial);
  revoke->add_option("--reason", f->reason, "why, kept in issued.json (e.g. \"key compromised\", \"edge retired\")");
  revoke->callback([f, exit_code] {
    if (f->name.empty() == f->serial.empty()) {
      *exit_code = Fail("revoke", InvalidArgument("give --name or --serial"));
      return;
    }
    Status s = pki::Revoke(f->dir, f->name.empty() ? f->serial : f->name, f->reason);
    if (!s.ok()) {
      *exit_code = Fail("revoke", s);
      return;
    }
    fmt::print("Revoked {}; {}/crl.pem re-signed\n", f->name.empty() ? f->serial : f->name, f->dir);
    *exit_code = 0;
  });

  CLI::App* list = ca->add_subcommand("list", "Every certificate issued, oldest first, with its state");
  AddDir(list, f.get());
  list->add_flag("--json", f->as_json, "print {\"certificates\": [...]} as JSON");
  list->callback([f, exit_code] { *exit_code = RunList(*f); });

  CLI::App* crl = ca->add_subcommand(
      "crl", fmt::format("Re-sign crl.pem (valid {} days) without revoking anything", pki::kCrlValidityDays));
  AddDir(crl, f.get());
  crl->callback([f, exit_code] {
    Status s = pki::RefreshCrl(f->dir);
    if (!s.ok()) {
      *exit_code = Fail("crl", s);
      return;
    }
    fmt::print("{}/crl.pem re-signed\n", f->dir);
    *exit_code = 0;
  });
}

}  // namespace renkei::cli
