// What pki's files share over OpenSSL 3.0: owning handles for its objects, the text of its
// error queue, and reading and writing PEM. Internal to pki/ (not for other folders).
#pragma once

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::pki {

template <auto Free>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OpenSslDeleter<X509_CRL_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OpenSslDeleter<ASN1_INTEGER_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OpenSslDeleter<ASN1_TIME_free>>;

// The reasons in OpenSSL's error queue for this thread, "; "-separated ("unknown" when empty);
// empties the queue.
std::string OpenSslError();

// The first certificate / CRL / private key in PEM text (text after it is ignored).
// InvalidArgument naming `what` when there is none or the text is over 1 MiB; an encrypted key
// is refused, never prompted for.
StatusOr<X509Ptr> ParseCertificate(std::string_view pem, std::string_view what);
StatusOr<X509CrlPtr> ParseCrl(std::string_view pem, std::string_view what);
StatusOr<EvpPkeyPtr> ParsePrivateKey(std::string_view pem, std::string_view what);

// The same from a file (at most 1 MiB); ReadFile's errors, or the parse error naming the path.
StatusOr<X509Ptr> LoadCertificate(const std::string& path);
StatusOr<X509CrlPtr> LoadCrl(const std::string& path);
StatusOr<EvpPkeyPtr> LoadPrivateKey(const std::string& path);

std::string CertificatePem(X509* cert);
std::string CrlPem(X509_CRL* crl);
std::string PrivateKeyPem(EVP_PKEY* key);  // PKCS#8, unencrypted

// A serial number as lower-case hex without leading zeros ("0" for zero), the form of
// Identity::serial_hex and issued.json.
std::string SerialHex(const ASN1_INTEGER* serial);

// An ASN.1 time as ISO 8601 UTC to the second, "2028-03-01T09:00:00Z" ("" if unreadable).
std::string IsoTime(const ASN1_TIME* t);

}  // namespace renkei::pki
