#include "pki/signature.h"

#include <openssl/ec.h>

#include <fmt/format.h>

#include "base/file.h"
#include "pki/openssl.h"
#include "text/base64.h"

namespace renkei::pki {
namespace {

bool IsP256(EVP_PKEY* key) {
  char group[32] = {0};
  size_t len = 0;
  return EVP_PKEY_is_a(key, "EC") && EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1 &&
         std::string_view(group, len) == "prime256v1";
}

}  // namespace

StatusOr<Signer> Signer::Load(const std::string& key_path, const std::string& cert_path) {
  RENKEI_ASSIGN_OR_RETURN(EvpPkeyPtr key, LoadPrivateKey(key_path));
  RENKEI_ASSIGN_OR_RETURN(std::string pem, ReadFile(cert_path, 1 << 20));
  RENKEI_ASSIGN_OR_RETURN(X509Ptr cert, ParseCertificate(pem, cert_path));
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    OpenSslError();
    return InvalidArgument(fmt::format("{} is not the key of {}", key_path, cert_path));
  }
  if (!IsP256(key.get())) return InvalidArgument(fmt::format("{} is not an ECDSA P-256 key", key_path));
  RENKEI_ASSIGN_OR_RETURN(Identity identity, IdentityOf(cert.get()));
  return Signer(std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free), CertificatePem(cert.get()), std::move(identity));
}

std::string Signer::Sign(std::string_view bytes) const {
  EvpMdCtxPtr md(EVP_MD_CTX_new());
  unsigned char der[80];  // an ECDSA P-256 signature is at most 72 bytes of DER
  size_t len = sizeof der;
  if (!md || EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(md.get(), der, &len, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()) != 1) {
    OpenSslError();
    return "";
  }
  return text::Base64Encode(std::string_view(reinterpret_cast<const char*>(der), len));
}

StatusOr<Identity> VerifySigned(std::string_view bytes, std::string_view signature_b64, std::string_view cert_pem,
                                std::string_view ca_pem) {
  auto ca = ParseCertificate(ca_pem, "the CA certificate");
  if (!ca.ok()) return ca.status();
  auto cert = ParseCertificate(cert_pem, "the signer's certificate");
  if (!cert.ok()) return PermissionDenied(cert.status().message());
  X509StorePtr store(X509_STORE_new());
  X509StoreCtxPtr verify(X509_STORE_CTX_new());
  if (!store || !verify || X509_STORE_add_cert(store.get(), ca->get()) != 1 ||
      X509_STORE_CTX_init(verify.get(), store.get(), cert->get(), nullptr) != 1) {
    return Internal("cannot verify a certificate: " + OpenSslError());
  }
  if (X509_verify_cert(verify.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(verify.get());
    OpenSslError();
    return PermissionDenied(
        fmt::format("the signer's certificate is not valid: {}", X509_verify_cert_error_string(error)));
  }
  auto identity = IdentityOf(cert->get());
  if (!identity.ok()) return PermissionDenied(identity.status().message());
  auto der = text::Base64Decode(signature_b64);
  if (!der.ok()) return PermissionDenied("the signature is not base64: " + der.status().message());
  EvpMdCtxPtr md(EVP_MD_CTX_new());
  EVP_PKEY* key = X509_get0_pubkey(cert->get());
  if (!md || key == nullptr || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
    return Internal("cannot verify a signature: " + OpenSslError());
  }
  if (EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(der->data()), der->size(),
                       reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()) != 1) {
    OpenSslError();
    return PermissionDenied(fmt::format("the signature of {} does not match the bytes", identity->name));
  }
  return identity;
}

}  // namespace renkei::pki
