// TLS contexts for Boost.Asio's ssl streams with the regional CA's certificates: mutual TLS
// between the hub, edges, services and users.
//
// Both sides: TLS 1.2 or 1.3 only (1.3 preferred; 1.2 with ECDHE and AEAD ciphers only), no
// compression or renegotiation; the peer's certificate must chain to `ca`, be within its
// validity and carry the right extendedKeyUsage (serverAuth for a server, clientAuth for a
// client), and when `crl` is given it must not be revoked — checked on every handshake
// against a RevocationList (revocation.h) that re-reads the CRL file when it changes. Servers
// keep no session cache and send no session tickets, so every connection is verified afresh.
// After the handshake, IdentityOf(SSL_get0_peer_certificate(stream.native_handle())) names
// the peer.
//
// The contexts are immutable once made and may be shared by many streams and threads.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "base/status.h"

namespace renkei::pki {

struct TlsFiles {
  std::string cert;  // this side's certificate (PEM)
  std::string key;   // its private key (PEM, unencrypted)
  std::string ca;    // the CA certificate that peers must chain to
  std::string crl;   // the CA's CRL (crl.pem); "" checks no revocation
  std::chrono::milliseconds crl_recheck{std::chrono::seconds(1)};  // see RevocationList
};

// A server context presenting `files.cert`. A client may present a certificate, which must be
// of the CA (not revoked when files.crl is set) or the handshake fails; with
// `require_client_cert`, it must present one. (Without, a client may authenticate otherwise,
// e.g. with a bearer token.)
// InvalidArgument when a file is malformed or the key does not match the certificate;
// ReadFile's errors (NotFound...) naming the file otherwise.
StatusOr<std::shared_ptr<boost::asio::ssl::context>> ServerContext(const TlsFiles& files, bool require_client_cert);

// A client context that verifies the server against `files.ca` (and files.crl) and presents
// files.cert/files.key, or no certificate when both are "". Errors as ServerContext's, and
// InvalidArgument when only one of cert and key is given. Call SetHostName on each stream.
StatusOr<std::shared_ptr<boost::asio::ssl::context>> ClientContext(const TlsFiles& files);

// A client context for servers outside the region (services' webhooks): it trusts the system's
// CA certificates (Debian's ca-certificates) and every certificate of each PEM file of
// `also_trusted` ("" entries are skipped), and presents no certificate. ReadFile's errors naming
// a file that cannot be read; InvalidArgument for one that holds no PEM certificate.
// Call SetHostName on each stream.
StatusOr<std::shared_ptr<boost::asio::ssl::context>> PublicClientContext(const std::vector<std::string>& also_trusted);

// Makes a client stream (`ssl` = stream.native_handle()) check that the server's certificate
// names `host` (a DNS name, matched against its DNS entries, or an IP literal, against its IP
// entries) and send it as SNI when it is a name. InvalidArgument for an empty host.
Status SetHostName(SSL* ssl, const std::string& host);

}  // namespace renkei::pki
