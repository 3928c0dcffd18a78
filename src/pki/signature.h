// Edge signatures: every edge signs what it returns with its certificate's key, so that a
// viewer can check that a record came unchanged from the facility that holds it and that the
// hub relaying it did not alter it.
//
// A signature is ECDSA P-256 over SHA-256 of the bytes, DER-encoded, in base64 (text/base64.h).
// The signer's certificate (PEM) travels with what it signed; the viewer checks it against
// the region's CA certificate.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "base/status.h"
#include "pki/identity.h"

namespace renkei::pki {

// A loaded key and its certificate. Copyable (the key is shared, read-only); Sign is
// thread-safe.
class Signer {
 public:
  // InvalidArgument when a file is malformed, the key does not belong to the certificate, the
  // certificate names no Identity or its key is not EC P-256; ReadFile's errors otherwise.
  static StatusOr<Signer> Load(const std::string& key_path, const std::string& cert_path);

  // The base64 of the DER ECDSA signature of `bytes` (about 96 characters). Empty only if
  // OpenSSL itself fails (out of memory), which VerifySigned rejects.
  std::string Sign(std::string_view bytes) const;

  const std::string& certificate_pem() const { return certificate_pem_; }
  const Identity& identity() const { return identity_; }

 private:
  Signer(std::shared_ptr<EVP_PKEY> key, std::string certificate_pem, Identity identity)
      : key_(std::move(key)), certificate_pem_(std::move(certificate_pem)), identity_(std::move(identity)) {}
  std::shared_ptr<EVP_PKEY> key_;
  std::string certificate_pem_;
  Identity identity_;
};

// Verifies `signature_b64` over `bytes` with the certificate `cert_pem`, and that the
// certificate was issued by the CA in `ca_pem` and is within its validity; returns the
// certificate's Identity. PermissionDenied with the reason otherwise: the certificate is
// malformed, of another CA, expired or not yet valid, names no Identity; the signature is not
// base64, or does not match the bytes. InvalidArgument when `ca_pem` holds no certificate.
// Revocation is not checked here (a viewer may hold no CRL).
StatusOr<Identity> VerifySigned(std::string_view bytes, std::string_view signature_b64, std::string_view cert_pem,
                                std::string_view ca_pem);

}  // namespace renkei::pki
