#include "pki/tls.h"

#include <arpa/inet.h>
#include <openssl/x509_vfy.h>

#include <fmt/format.h>

#include "base/file.h"
#include "pki/openssl.h"
#include "pki/revocation.h"

namespace renkei::pki {
namespace {

namespace ssl = boost::asio::ssl;

// Protocol versions and ciphers, the same for every context.
StatusOr<std::shared_ptr<ssl::context>> ProtocolContext(ssl::context::method method) {
  auto ctx = std::make_shared<ssl::context>(method);
  SSL_CTX* h = ctx->native_handle();
  SSL_CTX_set_min_proto_version(h, TLS1_2_VERSION);
  SSL_CTX_set_options(h, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(h, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1) {
    return Internal("cannot set the TLS 1.2 ciphers: " + OpenSslError());
  }
  return ctx;
}

// The settings both sides of the region share: ProtocolContext's, the trusted CA, this side's
// certificate (optional for a client), and revocation in the verify callback.
StatusOr<std::shared_ptr<ssl::context>> MakeContext(ssl::context::method method, const TlsFiles& files) {
  RENKEI_ASSIGN_OR_RETURN(auto ctx, ProtocolContext(method));
  SSL_CTX* h = ctx->native_handle();
  if (files.cert.empty() != files.key.empty()) {
    return InvalidArgument("a TLS certificate needs its key and a key its certificate");
  }
  if (!files.cert.empty()) {
    RENKEI_ASSIGN_OR_RETURN(X509Ptr cert, LoadCertificate(files.cert));
    RENKEI_ASSIGN_OR_RETURN(EvpPkeyPtr key, LoadPrivateKey(files.key));
    if (SSL_CTX_use_certificate(h, cert.get()) != 1 || SSL_CTX_use_PrivateKey(h, key.get()) != 1 ||
        SSL_CTX_check_private_key(h) != 1) {
      OpenSslError();
      return InvalidArgument(fmt::format("{} is not the key of {}", files.key, files.cert));
    }
  }
  RENKEI_ASSIGN_OR_RETURN(X509Ptr ca, LoadCertificate(files.ca));
  if (X509_STORE_add_cert(SSL_CTX_get_cert_store(h), ca.get()) != 1) {
    return Internal("cannot trust the CA certificate: " + OpenSslError());
  }
  if (!files.crl.empty()) {
    RENKEI_ASSIGN_OR_RETURN(std::shared_ptr<RevocationList> crl, RevocationList::Load(files.crl, files.ca, files.crl_recheck));
    // OpenSSL has checked the chain, validity and purpose (`preverified`); the peer's own
    // certificate (depth 0) must also not be on the CRL as it is now.
    ctx->set_verify_callback([crl](bool preverified, ssl::verify_context& verify) {
      X509_STORE_CTX* store = verify.native_handle();
      if (!preverified || X509_STORE_CTX_get_error_depth(store) != 0) return preverified;
      X509* peer = X509_STORE_CTX_get_current_cert(store);
      if (peer == nullptr || crl->IsRevoked(SerialHex(X509_get0_serialNumber(peer)))) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REVOKED);
        return false;
      }
      return true;
    });
  }
  return ctx;
}

}  // namespace

StatusOr<std::shared_ptr<ssl::context>> ServerContext(const TlsFiles& files, bool require_client_cert) {
  if (files.cert.empty()) return InvalidArgument("a TLS server needs a certificate and its key");
  RENKEI_ASSIGN_OR_RETURN(auto ctx, MakeContext(ssl::context::tls_server, files));
  SSL_CTX* h = ctx->native_handle();
  // No resumption: a resumed session would skip the verification (and the CRL) of its client.
  SSL_CTX_set_session_cache_mode(h, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(h, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(h, 0);
  // A certificate a client presents is verified either way; with require_client_cert, one must.
  ctx->set_verify_mode(require_client_cert ? ssl::verify_peer | ssl::verify_fail_if_no_peer_cert : ssl::verify_peer);
  RENKEI_ASSIGN_OR_RETURN(X509Ptr ca, LoadCertificate(files.ca));
  SSL_CTX_add_client_CA(h, ca.get());  // tells clients which CA to present a certificate of
  return ctx;
}

StatusOr<std::shared_ptr<ssl::context>> ClientContext(const TlsFiles& files) {
  RENKEI_ASSIGN_OR_RETURN(auto ctx, MakeContext(ssl::context::tls_client, files));
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

StatusOr<std::shared_ptr<ssl::context>> PublicClientContext(const std::vector<std::string>& also_trusted) {
  RENKEI_ASSIGN_OR_RETURN(auto ctx, ProtocolContext(ssl::context::tls_client));
  if (SSL_CTX_set_default_verify_paths(ctx->native_handle()) != 1) {
    return Internal("cannot read the system's CA certificates: " + OpenSslError());
  }
  for (const std::string& file : also_trusted) {
    if (file.empty()) continue;
    RENKEI_ASSIGN_OR_RETURN(std::string pem, ReadFile(file, 4 << 20));
    boost::system::error_code error;
    ctx->add_certificate_authority(boost::asio::buffer(pem), error);
    if (error) {
      OpenSslError();
      return InvalidArgument(fmt::format("{} holds no PEM CA certificate that can be trusted", file));
    }
  }
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

Status SetHostName(SSL* ssl, const std::string& host) {
  if (host.empty()) return InvalidArgument("no host name to check the server's certificate against");
  unsigned char ip[16];
  const bool is_ip = ::inet_pton(AF_INET, host.c_str(), ip) == 1 || ::inet_pton(AF_INET6, host.c_str(), ip) == 1;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                       : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  if (ok != 1 || (!is_ip && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1)) {
    return InvalidArgument(fmt::format("cannot check the server's certificate against '{}': {}", host, OpenSslError()));
  }
  return Status::Ok();
}

}  // namespace renkei::pki
