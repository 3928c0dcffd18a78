// The regional certificate authority the hub operator runs (`renkei ca`): it issues the
// certificates of the hub, edges, services, users and operators (identity.h's conventions) and
// revokes them.
//
// A CA directory holds:
//   ca.key       the CA's private key (PEM, mode 0600; refused when group or others may read it)
//   ca.crt       the CA's self-signed certificate (CA:TRUE, keyCertSign, cRLSign)
//   crl.pem      the certificate revocation list, always present; re-signed on every revoke
//                and by RefreshCrl, valid for kCrlValidityDays
//   issued.json  {"region": ..., "certificates": [IssuedEntry...]} — every certificate issued
// Every file is replaced atomically (written beside, then renamed), and the functions that
// change the directory hold an exclusive lock on ca.key while they run, so two `renkei ca`
// commands do not lose each other's entries.
//
// Validity starts 5 minutes before issue (clocks of peers differ) and lasts `days` from there.
// Certificates: basicConstraints CA:FALSE, keyUsage digitalSignature, extendedKeyUsage
// clientAuth (serverAuth and clientAuth for a hub, which also carries subjectAltName DNS/IP
// entries), subject and authority key identifiers.
//
// Errors of every function: NotFound when the directory does not exist; FailedPrecondition
// when it is no CA directory (no ca.key) or ca.key is readable by group or others; DataLoss
// when ca.crt, ca.key or issued.json is missing or malformed; Unavailable when a file cannot
// be read or written.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "pki/identity.h"

namespace renkei::pki {

inline constexpr int kCrlValidityDays = 30;

// Makes `dir` (and its parents) a new CA named `region_name` (1-64 characters, no control
// characters; the CA certificate's CN) valid for `days` (1-36500), with an empty CRL.
// AlreadyExists when dir/ca.key exists; InvalidArgument for a bad name or days.
Status InitCa(const std::string& dir, const std::string& region_name, int days);

struct IssueRequest {
  std::string name;      // CN; also the file names <name>.crt and <name>.key
  Role role = Role::kEdge;
  std::string facility;  // see CheckFacility
  // subjectAltName entries; only for a hub, which gets DNS:localhost and IP:127.0.0.1 when both
  // are empty. DNS names are 1-253 of [A-Za-z0-9.-]; IPs are IPv4 or IPv6 literals.
  std::vector<std::string> dns, ips;
  int days = 825;  // 0-36500; 0 makes a certificate that has already expired (to test refusal)
};

struct Issued {
  std::string cert_path, key_path, serial_hex;
};

// Issues a certificate with a new key: records it in issued.json, then writes
// out_dir/<name>.crt, out_dir/<name>.key (mode 0600) and a copy of ca.crt as out_dir/ca.crt
// (out_dir is created if needed). InvalidArgument for a bad request (naming the field);
// AlreadyExists when a certificate of that name is issued and not revoked.
StatusOr<Issued> Issue(const std::string& ca_dir, const IssueRequest& request, const std::string& out_dir);

// Revokes the unrevoked certificate named `name_or_serial`, or else the one with that serial
// (hex, any case, leading zeros allowed), and re-signs crl.pem. `reason` is free text kept in
// issued.json (at most 200 characters, no control characters; "" is "unspecified").
// NotFound when no certificate matches; FailedPrecondition when it is revoked already.
Status Revoke(const std::string& ca_dir, const std::string& name_or_serial, const std::string& reason);

// Re-signs crl.pem from issued.json with a fresh validity (run it before kCrlValidityDays pass
// without a revoke if relying parties check the CRL's nextUpdate).
Status RefreshCrl(const std::string& ca_dir);

struct IssuedEntry {
  std::string serial_hex;
  std::string name;
  Role role = Role::kEdge;
  std::string facility;
  std::string not_after;   // ISO 8601 UTC, "2028-03-01T09:00:00Z"
  std::string revoked_at;  // "" while valid
  std::string reason;      // why it was revoked; "" while valid

  bool revoked() const { return !revoked_at.empty(); }
};

// Every certificate the CA issued, oldest first.
StatusOr<std::vector<IssuedEntry>> ListIssued(const std::string& ca_dir);

}  // namespace renkei::pki
