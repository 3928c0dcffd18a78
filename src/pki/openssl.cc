#include "pki/openssl.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cctype>
#include <ctime>

#include <fmt/format.h>

#include "base/file.h"

namespace renkei::pki {
namespace {

constexpr size_t kMaxPemBytes = 1 << 20;

using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free>>;

BioPtr ReadBio(std::string_view text) { return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))); }

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

template <typename T, typename ParseFn>
StatusOr<T> Parse(std::string_view pem, std::string_view what, std::string_view kind, ParseFn parse) {
  if (pem.size() > kMaxPemBytes) return InvalidArgument(fmt::format("{}: larger than {} bytes", what, kMaxPemBytes));
  BioPtr bio = ReadBio(pem);
  T value(parse(bio.get()));
  if (!value) {
    ERR_clear_error();
    return InvalidArgument(fmt::format("{}: not a PEM {}", what, kind));
  }
  return value;
}

}  // namespace

std::string OpenSslError() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    if (!out.empty()) out += "; ";
    out += reason ? reason : fmt::format("error {:x}", e);
  }
  return out.empty() ? "unknown" : out;
}

StatusOr<X509Ptr> ParseCertificate(std::string_view pem, std::string_view what) {
  return Parse<X509Ptr>(pem, what, "certificate", [](BIO* b) { return PEM_read_bio_X509(b, nullptr, nullptr, nullptr); });
}

StatusOr<X509CrlPtr> ParseCrl(std::string_view pem, std::string_view what) {
  return Parse<X509CrlPtr>(pem, what, "CRL", [](BIO* b) { return PEM_read_bio_X509_CRL(b, nullptr, nullptr, nullptr); });
}

StatusOr<EvpPkeyPtr> ParsePrivateKey(std::string_view pem, std::string_view what) {
  // An empty passphrase callback: an encrypted key fails instead of prompting on the terminal.
  return Parse<EvpPkeyPtr>(pem, what, "private key", [](BIO* b) {
    return PEM_read_bio_PrivateKey(b, nullptr, [](char*, int, int, void*) { return 0; }, nullptr);
  });
}

StatusOr<X509Ptr> LoadCertificate(const std::string& path) {
  RENKEI_ASSIGN_OR_RETURN(std::string pem, ReadFile(path, kMaxPemBytes));
  return ParseCertificate(pem, path);
}

StatusOr<X509CrlPtr> LoadCrl(const std::string& path) {
  RENKEI_ASSIGN_OR_RETURN(std::string pem, ReadFile(path, kMaxPemBytes));
  return ParseCrl(pem, path);
}

StatusOr<EvpPkeyPtr> LoadPrivateKey(const std::string& path) {
  RENKEI_ASSIGN_OR_RETURN(std::string pem, ReadFile(path, kMaxPemBytes));
  return ParsePrivateKey(pem, path);
}

std::string CertificatePem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return BioText(bio.get());
}

std::string CrlPem(X509_CRL* crl) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_CRL(bio.get(), crl);
  return BioText(bio.get());
}

std::string PrivateKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return BioText(bio.get());
}

std::string SerialHex(const ASN1_INTEGER* serial) {
  BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn || BN_is_zero(bn.get())) return "0";
  char* hex = BN_bn2hex(bn.get());
  std::string out(hex);
  OPENSSL_free(hex);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t first = out.find_first_not_of('0');
  return out.substr(first == std::string::npos ? 0 : first);
}

std::string IsoTime(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return "";
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

}  // namespace renkei::pki
