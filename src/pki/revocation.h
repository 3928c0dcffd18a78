// The CA's certificate revocation list as a TLS peer consults it on every handshake, re-read
// when `renkei ca revoke` (or `ca crl`) replaces the file, so that a revoked edge's next
// connection fails without restarting the hub.
//
// The file is checked (stat: inode, size, modification time) at most once per `recheck`
// interval, and re-read when it changed. A CRL is used only when the CA signed it. If the file
// changes into something unreadable, missing or not signed by the CA, every certificate counts
// as revoked until a good CRL appears: a list that cannot be checked must not let a revoked
// peer in. A CRL past its nextUpdate is still used (it is the CA's newest word; `renkei ca crl`
// re-signs it).
//
// Thread-safe: IsRevoked may be called from many handshakes at once.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "base/status.h"

namespace renkei::pki {

class RevocationList {
 public:
  // Reads `crl_path` and the CA certificate at `ca_path`. InvalidArgument when the CRL is
  // malformed or not signed by that CA; ReadFile's errors for either file.
  static StatusOr<std::shared_ptr<RevocationList>> Load(const std::string& crl_path, const std::string& ca_path,
                                                        std::chrono::milliseconds recheck = std::chrono::seconds(1));

  // Whether the certificate with this serial (SerialHex form) is revoked, after re-reading the
  // file if it is due and changed.
  bool IsRevoked(const std::string& serial_hex);

  // OK, or why the last re-read failed (and every certificate counts as revoked).
  Status health();

 private:
  struct FileStamp {
    ino_t inode = 0;
    off_t size = -1;
    int64_t mtime_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };
  RevocationList(std::string crl_path, std::string ca_pem, std::chrono::milliseconds recheck)
      : crl_path_(std::move(crl_path)), ca_pem_(std::move(ca_pem)), recheck_(recheck) {}
  // Reads the file into serials_ / health_ when its stamp changed. Needs mutex_.
  void Refresh();
  Status Read(std::set<std::string>* serials) const;

  const std::string crl_path_;
  const std::string ca_pem_;
  const std::chrono::milliseconds recheck_;
  std::mutex mutex_;
  std::set<std::string> serials_;                 // guarded by mutex_
  Status health_;                                 // guarded by mutex_
  FileStamp stamp_;                               // guarded by mutex_
  std::chrono::steady_clock::time_point checked_;  // guarded by mutex_
};

}  // namespace renkei::pki
