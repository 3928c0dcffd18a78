#include "pki/revocation.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "base/file.h"
#include "pki/openssl.h"

namespace renkei::pki {

StatusOr<std::shared_ptr<RevocationList>> RevocationList::Load(const std::string& crl_path, const std::string& ca_path,
                                                               std::chrono::milliseconds recheck) {
  RENKEI_ASSIGN_OR_RETURN(std::string ca_pem, ReadFile(ca_path, 1 << 20));
  RENKEI_RETURN_IF_ERROR(ParseCertificate(ca_pem, ca_path).status());
  std::shared_ptr<RevocationList> list(new RevocationList(crl_path, std::move(ca_pem), recheck));
  std::lock_guard lock(list->mutex_);
  list->Refresh();
  if (!list->health_.ok()) return list->health_;
  return list;
}

Status RevocationList::Read(std::set<std::string>* serials) const {
  RENKEI_ASSIGN_OR_RETURN(X509Ptr ca, ParseCertificate(ca_pem_, "the CA certificate"));
  RENKEI_ASSIGN_OR_RETURN(X509CrlPtr crl, LoadCrl(crl_path_));
  EVP_PKEY* ca_key = X509_get0_pubkey(ca.get());
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(ca.get())) != 0 || ca_key == nullptr ||
      X509_CRL_verify(crl.get(), ca_key) != 1) {
    OpenSslError();  // drop the queue
    return InvalidArgument(fmt::format("{}: not signed by the CA", crl_path_));
  }
  const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    serials->insert(SerialHex(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i))));
  }
  return Status::Ok();
}

void RevocationList::Refresh() {
  const auto now = std::chrono::steady_clock::now();
  if (checked_ != std::chrono::steady_clock::time_point() && now - checked_ < recheck_) return;
  checked_ = now;
  struct stat st {};
  FileStamp stamp;
  if (::stat(crl_path_.c_str(), &st) == 0) {
    stamp = {st.st_ino, st.st_size, int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
  }
  if (stamp == stamp_ && stamp.size >= 0) return;
  stamp_ = stamp;
  std::set<std::string> serials;
  health_ = Read(&serials);
  if (health_.ok()) serials_ = std::move(serials);
}

bool RevocationList::IsRevoked(const std::string& serial_hex) {
  std::lock_guard lock(mutex_);
  Refresh();
  return !health_.ok() || serials_.count(serial_hex) > 0;
}

Status RevocationList::health() {
  std::lock_guard lock(mutex_);
  Refresh();
  return health_;
}

}  // namespace renkei::pki
