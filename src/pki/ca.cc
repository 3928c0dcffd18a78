#include "pki/ca.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "pki/openssl.h"

namespace renkei::pki {
namespace {

using nlohmann::json;

constexpr long kBackdateSeconds = 5 * 60;
constexpr size_t kMaxIssuedBytes = 64 << 20;
constexpr int kMaxDays = 36500;

struct CaPaths {
  explicit CaPaths(const std::string& dir)
      : dir(dir), key(dir + "/ca.key"), cert(dir + "/ca.crt"), crl(dir + "/crl.pem"), issued(dir + "/issued.json") {}
  std::string dir, key, cert, crl, issued;
};

// An open CA directory: ca.key checked and held under an exclusive lock (flock) until
// destruction, so that read-modify-write of issued.json and crl.pem is not interleaved.
class CaLock {
 public:
  static StatusOr<CaLock> Acquire(const CaPaths& paths) {
    std::error_code ec;
    if (!std::filesystem::is_directory(paths.dir, ec)) return NotFound(fmt::format("{}: no such directory", paths.dir));
    const int fd = ::open(paths.key.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
      return FailedPrecondition(fmt::format("{} is not a CA directory (no ca.key); `renkei ca init` makes one", paths.dir));
    }
    if (fd < 0) return Unavailable(fmt::format("cannot open {}: {}", paths.key, std::strerror(errno)));
    CaLock lock(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) return Unavailable(fmt::format("cannot stat {}: {}", paths.key, std::strerror(errno)));
    if ((st.st_mode & 077) != 0) {
      return FailedPrecondition(fmt::format("{} may be read by others (mode {:04o}); `chmod 600` it and check who read it",
                                            paths.key, st.st_mode & 07777));
    }
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) return Unavailable(fmt::format("cannot lock {}: {}", paths.key, std::strerror(errno)));
    }
    return lock;
  }
  CaLock(CaLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  CaLock& operator=(CaLock&&) = delete;
  ~CaLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
  }

 private:
  explicit CaLock(int fd) : fd_(fd) {}
  int fd_;
};

// The CA's key and certificate.
struct Authority {
  EvpPkeyPtr key;
  X509Ptr cert;
};

StatusOr<Authority> LoadAuthority(const CaPaths& paths) {
  auto key = LoadPrivateKey(paths.key);
  if (!key.ok()) return DataLoss(key.status().message());
  auto cert = LoadCertificate(paths.cert);
  if (!cert.ok()) {
    if (cert.status().code() == StatusCode::kNotFound) return DataLoss(fmt::format("{} is missing", paths.cert));
    return DataLoss(cert.status().message());
  }
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return DataLoss(fmt::format("{} does not belong to {}", paths.key, paths.cert));
  }
  return Authority{std::move(key).value(), std::move(cert).value()};
}

// "2028-03-01T09:00:00Z" -> an ASN.1 time; null when the text is not that form.
Asn1TimePtr AsnTime(std::string_view iso) {
  if (iso.size() != 20 || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T' || iso[13] != ':' || iso[16] != ':' ||
      iso[19] != 'Z') {
    return nullptr;
  }
  std::string compact;
  for (char c : iso) {
    if (c != '-' && c != 'T' && c != ':') compact += c;
  }
  Asn1TimePtr t(ASN1_TIME_new());
  if (!t || ASN1_TIME_set_string_X509(t.get(), compact.c_str()) != 1) return nullptr;
  return t;
}

std::string NowIso() {
  Asn1TimePtr now(X509_gmtime_adj(nullptr, 0));
  return IsoTime(now.get());
}

bool ValidSerialHex(std::string_view s) {
  return !s.empty() && s.size() <= 40 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool ValidFreeText(std::string_view s, size_t max) {
  return s.size() <= max && std::none_of(s.begin(), s.end(), [](char c) {
           return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
         });
}

struct IssuedFile {
  std::string region;
  std::vector<IssuedEntry> entries;
};

StatusOr<IssuedFile> ReadIssued(const CaPaths& paths) {
  auto bytes = ReadFile(paths.issued, kMaxIssuedBytes);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) return DataLoss(fmt::format("{} is missing", paths.issued));
    if (bytes.status().code() == StatusCode::kResourceExhausted) return DataLoss(bytes.status().message());
    return bytes.status();
  }
  const json j = json::parse(*bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("certificates") || !j["certificates"].is_array() ||
      !j.contains("region") || !j["region"].is_string()) {
    return DataLoss(fmt::format("{}: not an issued.json (expected {{\"region\": ..., \"certificates\": [...]}})", paths.issued));
  }
  IssuedFile file;
  file.region = j["region"];
  size_t n = 0;
  for (const json& e : j["certificates"]) {
    ++n;
    auto bad = [&](std::string_view why) { return DataLoss(fmt::format("{}: certificate {}: {}", paths.issued, n, why)); };
    auto text = [&](const char* key, bool nullable) -> std::optional<std::string> {
      if (!e.contains(key)) return std::nullopt;
      if (nullable && e[key].is_null()) return std::string();
      if (!e[key].is_string()) return std::nullopt;
      return e[key].get<std::string>();
    };
    if (!e.is_object()) return bad("not an object");
    IssuedEntry entry;
    auto serial = text("serial", false), name = text("name", false), role = text("role", false),
         facility = text("facility", true), not_after = text("not_after", false), revoked_at = text("revoked_at", true),
         reason = text("reason", true);
    if (!serial || !ValidSerialHex(*serial)) return bad("serial is not lower-case hex");
    if (!name || !ValidPrincipalName(*name)) return bad("name is missing or malformed");
    if (!role || !ParseRole(*role).ok()) return bad("role is missing or unknown");
    if (!facility || !CheckFacility(*ParseRole(*role), *facility).ok()) return bad("facility is missing or malformed");
    if (!not_after || !AsnTime(*not_after)) return bad("not_after is not an ISO 8601 UTC time");
    if (!revoked_at || (!revoked_at->empty() && !AsnTime(*revoked_at))) return bad("revoked_at is not null or a time");
    if (!reason || !ValidFreeText(*reason, 200)) return bad("reason is not null or text");
    entry.serial_hex = *serial;
    entry.name = *name;
    entry.role = *ParseRole(*role);
    entry.facility = *facility;
    entry.not_after = *not_after;
    entry.revoked_at = *revoked_at;
    entry.reason = *reason;
    file.entries.push_back(std::move(entry));
  }
  return file;
}

Status WriteIssued(const CaPaths& paths, const IssuedFile& file) {
  json certificates = json::array();
  auto nullable = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  for (const IssuedEntry& e : file.entries) {
    certificates.push_back({{"serial", e.serial_hex},
                            {"name", e.name},
                            {"role", RoleName(e.role)},
                            {"facility", nullable(e.facility)},
                            {"not_after", e.not_after},
                            {"revoked_at", nullable(e.revoked_at)},
                            {"reason", nullable(e.reason)}});
  }
  return WriteFileAtomically(paths.issued, json({{"region", file.region}, {"certificates", certificates}}).dump(2) + "\n",
                             0644);
}

StatusOr<Asn1IntegerPtr> RandomSerial() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return Internal("no randomness for a serial number: " + OpenSslError());
  // Positive with its top bit set, so 16 bytes in DER and never zero (126 random bits).
  bytes[0] &= 0x7f;
  bytes[0] |= 0x40;
  BignumPtr bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  return Asn1IntegerPtr(BN_to_ASN1_INTEGER(bn.get(), nullptr));
}

StatusOr<EvpPkeyPtr> NewKey() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Internal("cannot make a P-256 key: " + OpenSslError());
  return key;
}

Status AddEntry(X509_NAME* name, int nid, const std::string& value) {
  if (value.empty()) return Status::Ok();
  if (X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    return InvalidArgument(fmt::format("cannot put '{}' in a certificate's subject: {}", value, OpenSslError()));
  }
  return Status::Ok();
}

Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return Internal(fmt::format("cannot make extension {}: {}", OBJ_nid2sn(nid), OpenSslError()));
  const int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (added != 1) return Internal(fmt::format("cannot add extension {}: {}", OBJ_nid2sn(nid), OpenSslError()));
  return Status::Ok();
}

struct Subject {
  std::string cn, ou, o;
};

// A certificate for `key` naming `subject`, signed by `authority` (self-signed when null, then
// `key` signs), with the given extensions (nid, value) after the key identifiers.
StatusOr<X509Ptr> MakeCertificate(const Subject& subject, EVP_PKEY* key, const Authority* authority, int days,
                                  const std::vector<std::pair<int, std::string>>& extensions) {
  X509Ptr cert(X509_new());
  RENKEI_ASSIGN_OR_RETURN(Asn1IntegerPtr serial, RandomSerial());
  X509_set_version(cert.get(), 2);
  X509_set_serialNumber(cert.get(), serial.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  RENKEI_RETURN_IF_ERROR(AddEntry(name, NID_organizationName, subject.o));
  RENKEI_RETURN_IF_ERROR(AddEntry(name, NID_organizationalUnitName, subject.ou));
  RENKEI_RETURN_IF_ERROR(AddEntry(name, NID_commonName, subject.cn));
  X509* issuer = authority ? authority->cert.get() : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), -kBackdateSeconds + long(days) * 86400);
  X509_set_pubkey(cert.get(), key);
  RENKEI_RETURN_IF_ERROR(AddExtension(cert.get(), issuer, NID_subject_key_identifier, "hash"));
  RENKEI_RETURN_IF_ERROR(AddExtension(cert.get(), issuer, NID_authority_key_identifier, "keyid:always"));
  for (const auto& [nid, value] : extensions) RENKEI_RETURN_IF_ERROR(AddExtension(cert.get(), issuer, nid, value));
  if (X509_sign(cert.get(), authority ? authority->key.get() : key, EVP_sha256()) == 0) {
    return Internal("cannot sign a certificate: " + OpenSslError());
  }
  return cert;
}

Status WriteCrl(const CaPaths& paths, const Authority& authority, const std::vector<IssuedEntry>& entries) {
  X509CrlPtr crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);  // v2
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(authority.cert.get()));
  Asn1TimePtr now(X509_gmtime_adj(nullptr, 0));
  Asn1TimePtr next(X509_gmtime_adj(nullptr, long(kCrlValidityDays) * 86400));
  X509_CRL_set1_lastUpdate(crl.get(), now.get());
  X509_CRL_set1_nextUpdate(crl.get(), next.get());
  for (const IssuedEntry& e : entries) {
    if (!e.revoked()) continue;
    X509_REVOKED* revoked = X509_REVOKED_new();
    BIGNUM* raw = nullptr;
    BN_hex2bn(&raw, e.serial_hex.c_str());
    BignumPtr bn(raw);
    Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    Asn1TimePtr when = AsnTime(e.revoked_at);
    X509_REVOKED_set_serialNumber(revoked, serial.get());
    X509_REVOKED_set_revocationDate(revoked, when.get());
    X509_CRL_add0_revoked(crl.get(), revoked);
  }
  X509_CRL_sort(crl.get());
  // The CRL number increases with each CRL (RFC 5280 5.2.3): the time it was signed.
  Asn1IntegerPtr number(ASN1_INTEGER_new());
  ASN1_INTEGER_set_int64(number.get(), static_cast<int64_t>(std::time(nullptr)));
  X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, authority.cert.get(), nullptr, nullptr, crl.get(), 0);
  if (X509_EXTENSION* aki = X509V3_EXT_nconf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always")) {
    X509_CRL_add_ext(crl.get(), aki, -1);
    X509_EXTENSION_free(aki);
  }
  if (X509_CRL_sign(crl.get(), authority.key.get(), EVP_sha256()) == 0) {
    return Internal("cannot sign the CRL: " + OpenSslError());
  }
  return WriteFileAtomically(paths.crl, CrlPem(crl.get()), 0644);
}

bool ValidDnsName(std::string_view s) {
  return !s.empty() && s.size() <= 253 && s.front() != '.' && s.front() != '-' &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
         });
}

bool ValidIp(const std::string& s) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, s.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, s.c_str(), buffer) == 1;
}

// The subjectAltName value of a request ("" for none); InvalidArgument naming a bad entry.
StatusOr<std::string> SubjectAltName(const IssueRequest& r) {
  if (r.role != Role::kHub) {
    if (!r.dns.empty() || !r.ips.empty()) {
      return InvalidArgument("only a hub's certificate carries DNS names and IP addresses (--dns, --ip)");
    }
    return std::string();
  }
  std::vector<std::string> dns = r.dns, ips = r.ips;
  if (dns.empty() && ips.empty()) {
    dns = {"localhost"};
    ips = {"127.0.0.1"};
  }
  std::string san;
  for (const std::string& d : dns) {
    if (!ValidDnsName(d)) return InvalidArgument(fmt::format("'{}' is not a DNS name (letters, digits, '-', '.')", d));
    san += (san.empty() ? "DNS:" : ",DNS:") + d;
  }
  for (const std::string& ip : ips) {
    if (!ValidIp(ip)) return InvalidArgument(fmt::format("'{}' is not an IPv4 or IPv6 address", ip));
    san += (san.empty() ? "IP:" : ",IP:") + ip;
  }
  return san;
}

Status CheckDays(int days, int min) {
  if (days < min || days > kMaxDays) return InvalidArgument(fmt::format("days must be {}-{}", min, kMaxDays));
  return Status::Ok();
}

}  // namespace

Status InitCa(const std::string& dir, const std::string& region_name, int days) {
  if (region_name.empty() || !ValidFreeText(region_name, 64)) {
    return InvalidArgument("the region's name is 1-64 characters without control characters");
  }
  RENKEI_RETURN_IF_ERROR(CheckDays(days, 1));
  const CaPaths paths(dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable(fmt::format("cannot make {}: {}", dir, ec.message()));
  if (std::filesystem::exists(paths.key, ec)) return AlreadyExists(fmt::format("{} is a CA already (ca.key exists)", dir));
  RENKEI_ASSIGN_OR_RETURN(EvpPkeyPtr key, NewKey());
  RENKEI_ASSIGN_OR_RETURN(X509Ptr cert,
                          MakeCertificate({region_name, "", ""}, key.get(), nullptr, days,
                                          {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                                           {NID_key_usage, "critical,keyCertSign,cRLSign"}}));
  Authority authority{std::move(key), std::move(cert)};
  // ca.key last: until it exists the directory is no CA, and InitCa may run again.
  RENKEI_RETURN_IF_ERROR(WriteFileAtomically(paths.cert, CertificatePem(authority.cert.get()), 0644));
  RENKEI_RETURN_IF_ERROR(WriteIssued(paths, {region_name, {}}));
  RENKEI_RETURN_IF_ERROR(WriteCrl(paths, authority, {}));
  return WriteFileAtomically(paths.key, PrivateKeyPem(authority.key.get()), 0600);
}

StatusOr<Issued> Issue(const std::string& ca_dir, const IssueRequest& request, const std::string& out_dir) {
  if (!ValidPrincipalName(request.name)) {
    return InvalidArgument("a name is 1-64 letters, digits, '.', '_' or '-', not starting with '.'");
  }
  RENKEI_RETURN_IF_ERROR(CheckFacility(request.role, request.facility));
  RENKEI_RETURN_IF_ERROR(CheckDays(request.days, 0));
  RENKEI_ASSIGN_OR_RETURN(std::string san, SubjectAltName(request));
  const CaPaths paths(ca_dir);
  RENKEI_ASSIGN_OR_RETURN(CaLock lock, CaLock::Acquire(paths));
  RENKEI_ASSIGN_OR_RETURN(Authority authority, LoadAuthority(paths));
  RENKEI_ASSIGN_OR_RETURN(IssuedFile issued, ReadIssued(paths));
  for (const IssuedEntry& e : issued.entries) {
    if (e.name == request.name && !e.revoked()) {
      return AlreadyExists(fmt::format("a certificate named {} is issued (serial {}); revoke it first", e.name, e.serial_hex));
    }
  }
  std::vector<std::pair<int, std::string>> extensions = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, request.role == Role::kHub ? "serverAuth,clientAuth" : "clientAuth"}};
  if (!san.empty()) extensions.emplace_back(NID_subject_alt_name, san);
  RENKEI_ASSIGN_OR_RETURN(EvpPkeyPtr key, NewKey());
  RENKEI_ASSIGN_OR_RETURN(
      X509Ptr cert, MakeCertificate({request.name, std::string(RoleName(request.role)), request.facility}, key.get(),
                                    &authority, request.days, extensions));
  IssuedEntry entry;
  entry.serial_hex = SerialHex(X509_get0_serialNumber(cert.get()));
  entry.name = request.name;
  entry.role = request.role;
  entry.facility = request.facility;
  entry.not_after = IsoTime(X509_get0_notAfter(cert.get()));
  issued.entries.push_back(entry);
  // Recorded before the files are written: a certificate nobody received is harmless, one
  // that issued.json does not know could not be revoked by name.
  RENKEI_RETURN_IF_ERROR(WriteIssued(paths, issued));
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return Unavailable(fmt::format("cannot make {}: {}", out_dir, ec.message()));
  Issued out{out_dir + "/" + request.name + ".crt", out_dir + "/" + request.name + ".key", entry.serial_hex};
  RENKEI_RETURN_IF_ERROR(WriteFileAtomically(out.key_path, PrivateKeyPem(key.get()), 0600));
  RENKEI_RETURN_IF_ERROR(WriteFileAtomically(out.cert_path, CertificatePem(cert.get()), 0644));
  RENKEI_RETURN_IF_ERROR(WriteFileAtomically(out_dir + "/ca.crt", CertificatePem(authority.cert.get()), 0644));
  return out;
}

Status Revoke(const std::string& ca_dir, const std::string& name_or_serial, const std::string& reason) {
  if (!ValidFreeText(reason, 200)) return InvalidArgument("a reason is at most 200 characters, without control characters");
  const CaPaths paths(ca_dir);
  RENKEI_ASSIGN_OR_RETURN(CaLock lock, CaLock::Acquire(paths));
  RENKEI_ASSIGN_OR_RETURN(Authority authority, LoadAuthority(paths));
  RENKEI_ASSIGN_OR_RETURN(IssuedFile issued, ReadIssued(paths));
  auto& entries = issued.entries;
  auto found = std::find_if(entries.begin(), entries.end(),
                            [&](const IssuedEntry& e) { return e.name == name_or_serial && !e.revoked(); });
  if (found == entries.end()) {
    std::string serial;
    for (char c : name_or_serial) serial += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const size_t first = serial.find_first_not_of('0');
    serial = first == std::string::npos ? (serial.empty() ? "" : "0") : serial.substr(first);
    found = std::find_if(entries.begin(), entries.end(), [&](const IssuedEntry& e) { return e.serial_hex == serial; });
  }
  if (found == entries.end()) {
    const bool named = std::any_of(entries.begin(), entries.end(), [&](const IssuedEntry& e) { return e.name == name_or_serial; });
    if (named) return FailedPrecondition(fmt::format("every certificate named {} is revoked already", name_or_serial));
    return NotFound(fmt::format("no certificate named {} or with that serial", name_or_serial));
  }
  if (found->revoked()) {
    return FailedPrecondition(fmt::format("certificate {} ({}) was revoked at {}", found->serial_hex, found->name, found->revoked_at));
  }
  found->revoked_at = NowIso();
  found->reason = reason.empty() ? "unspecified" : reason;
  // The CRL first: should writing issued.json fail, the certificate is still refused, and a
  // second revoke rewrites both.
  RENKEI_RETURN_IF_ERROR(WriteCrl(paths, authority, entries));
  return WriteIssued(paths, issued);
}

Status RefreshCrl(const std::string& ca_dir) {
  const CaPaths paths(ca_dir);
  RENKEI_ASSIGN_OR_RETURN(CaLock lock, CaLock::Acquire(paths));
  RENKEI_ASSIGN_OR_RETURN(Authority authority, LoadAuthority(paths));
  RENKEI_ASSIGN_OR_RETURN(IssuedFile issued, ReadIssued(paths));
  return WriteCrl(paths, authority, issued.entries);
}

StatusOr<std::vector<IssuedEntry>> ListIssued(const std::string& ca_dir) {
  const CaPaths paths(ca_dir);
  RENKEI_ASSIGN_OR_RETURN(CaLock lock, CaLock::Acquire(paths));
  RENKEI_ASSIGN_OR_RETURN(IssuedFile issued, ReadIssued(paths));
  return std::move(issued.entries);
}

}  // namespace renkei::pki
