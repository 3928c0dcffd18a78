#include "pki/ca.h"

#include <sys/stat.h>

#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pki/identity.h"
#include "pki/openssl.h"
#include "pki/revocation.h"
#include "pki/test_util.h"

namespace renkei::pki {
namespace {

using ::testing::HasSubstr;

class CaDirTest : public testing::CaTest {};

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

X509Ptr CertOrDie(const std::string& path) {
  auto cert = LoadCertificate(path);
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  return cert.ok() ? std::move(cert).value() : nullptr;
}

TEST_F(CaDirTest, InitWritesTheLayoutWithAPrivateKeyAndAnEmptyCrl) {
  EXPECT_EQ(ModeOf(ca_ + "/ca.key"), 0600u);
  X509Ptr ca = CertOrDie(ca_ + "/ca.crt");
  ASSERT_TRUE(ca);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_TRUE(X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN);
  EXPECT_TRUE(X509_get_key_usage(ca.get()) & KU_CRL_SIGN);
  auto crl = RevocationList::Load(ca_ + "/crl.pem", ca_ + "/ca.crt");
  ASSERT_TRUE(crl.ok()) << crl.status().ToString();
  auto list = ListIssued(ca_);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  Status again = InitCa(ca_, "Test region", 10);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists) << again.ToString();
  EXPECT_EQ(InitCa((root_ / "x").string(), "", 10).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(InitCa((root_ / "x").string(), "bad\nname", 10).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(InitCa((root_ / "x").string(), "Region", 0).code(), StatusCode::kInvalidArgument);
}

TEST_F(CaDirTest, IssueRevokeAndReissueRoundTrip) {
  Issued edge = IssueOk("edge-1111111111", Role::kEdge, "1111111111");
  EXPECT_EQ(edge.cert_path, out_ + "/edge-1111111111.crt");
  EXPECT_EQ(edge.key_path, out_ + "/edge-1111111111.key");
  EXPECT_EQ(ModeOf(edge.key_path), 0600u);
  EXPECT_EQ(Read(out_ + "/ca.crt"), Read(ca_ + "/ca.crt"));
  EXPECT_EQ(edge.serial_hex.size(), 32u) << "128-bit serials print as 32 hex digits";

  X509Ptr cert = CertOrDie(edge.cert_path);
  auto id = IdentityOf(cert.get());
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, (Identity{"edge-1111111111", Role::kEdge, "1111111111", edge.serial_hex}));
  EXPECT_EQ(X509_check_ca(cert.get()), 0) << "CA:FALSE";
  EXPECT_TRUE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_CLIENT);
  EXPECT_FALSE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_SERVER);

  auto list = ListIssued(ca_);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name, "edge-1111111111");
  EXPECT_EQ((*list)[0].facility, "1111111111");
  EXPECT_FALSE((*list)[0].revoked());
  EXPECT_THAT((*list)[0].not_after, ::testing::MatchesRegex("20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]{8}Z"));

  IssueRequest again{"edge-1111111111", Role::kEdge, "1111111111"};
  auto dup = Issue(ca_, again, out_);
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(dup.status().message(), HasSubstr("revoke it first"));

  ASSERT_TRUE(Revoke(ca_, "edge-1111111111", "key lost").ok());
  list = ListIssued(ca_);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE((*list)[0].revoked());
  EXPECT_EQ((*list)[0].reason, "key lost");
  auto crl = RevocationList::Load(ca_ + "/crl.pem", ca_ + "/ca.crt");
  ASSERT_TRUE(crl.ok()) << crl.status().ToString();
  EXPECT_TRUE((*crl)->IsRevoked(edge.serial_hex));

  Issued second = IssueOk("edge-1111111111", Role::kEdge, "1111111111");
  EXPECT_NE(second.serial_hex, edge.serial_hex);
  EXPECT_EQ(Revoke(ca_, edge.serial_hex, "").code(), StatusCode::kFailedPrecondition) << "revoked already";
  // By serial, in upper case with a leading zero; the reason defaults to "unspecified".
  std::string upper = "0" + second.serial_hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ASSERT_TRUE(Revoke(ca_, upper, "").ok());
  list = ListIssued(ca_);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].reason, "unspecified");
  Status none = Revoke(ca_, "edge-1111111111", "");
  EXPECT_EQ(none.code(), StatusCode::kFailedPrecondition) << none.ToString();
  EXPECT_EQ(Revoke(ca_, "nobody", "").code(), StatusCode::kNotFound);
  EXPECT_EQ(Revoke(ca_, "nobody", std::string(201, 'x')).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(RefreshCrl(ca_).ok());
  crl = RevocationList::Load(ca_ + "/crl.pem", ca_ + "/ca.crt");
  ASSERT_TRUE(crl.ok());
  EXPECT_TRUE((*crl)->IsRevoked(edge.serial_hex));
  EXPECT_TRUE((*crl)->IsRevoked(second.serial_hex));
}

TEST_F(CaDirTest, AHubCertificateServesTheNamesItWasGiven) {
  Issued hub = IssueOk("hub", Role::kHub);
  X509Ptr cert = CertOrDie(hub.cert_path);
  EXPECT_TRUE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_SERVER);
  EXPECT_TRUE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_CLIENT);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "example.org", 0, 0, nullptr), 0);

  IssueRequest r{"hub2", Role::kHub, "", {"hub.region.example"}, {"10.0.0.1", "::1"}};
  auto named = Issue(ca_, r, out_);
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  cert = CertOrDie(named->cert_path);
  EXPECT_EQ(X509_check_host(cert.get(), "hub.region.example", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 0) << "no default when names are given";
}

TEST_F(CaDirTest, IssueRefusesBadRequestsNamingTheProblem) {
  auto issue = [&](IssueRequest r) { return Issue(ca_, r, out_).status(); };
  EXPECT_THAT(issue({"../evil", Role::kService}).message(), HasSubstr("a name is 1-64"));
  EXPECT_THAT(issue({".hidden", Role::kService}).message(), HasSubstr("not starting with '.'"));
  EXPECT_THAT(issue({std::string(65, 'a'), Role::kService}).message(), HasSubstr("a name is 1-64"));
  EXPECT_THAT(issue({"edge-1", Role::kEdge}).message(), HasSubstr("an edge needs its facility's code"));
  EXPECT_THAT(issue({"hub", Role::kHub, "1111111111"}).message(), HasSubstr("a hub belongs to no facility"));
  EXPECT_THAT(issue({"edge-1", Role::kEdge, "11/11"}).message(), HasSubstr("a facility code is 1-64"));
  EXPECT_THAT(issue({"edge-1", Role::kEdge, "1", {"x.example"}}).message(), HasSubstr("only a hub's certificate"));
  EXPECT_THAT(issue({"hub", Role::kHub, "", {"bad,DNS:evil"}}).message(), HasSubstr("is not a DNS name"));
  EXPECT_THAT(issue({"hub", Role::kHub, "", {}, {"300.1.1.1"}}).message(), HasSubstr("not an IPv4 or IPv6"));
  IssueRequest negative{"svc", Role::kService};
  negative.days = -1;
  EXPECT_THAT(issue(negative).message(), HasSubstr("days must be 0-36500"));
  auto list = ListIssued(ca_);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty()) << "nothing was recorded";
  // A user may belong to a facility or not.
  IssueOk("sato-doctor", Role::kUser, "2222222222");
  IssueOk("region-admin", Role::kOperator);
}

TEST_F(CaDirTest, AHostileOrBrokenCaDirectoryIsReportedNotUsed) {
  EXPECT_EQ(ListIssued((root_ / "none").string()).status().code(), StatusCode::kNotFound);
  std::filesystem::create_directories(root_ / "empty");
  auto empty = ListIssued((root_ / "empty").string());
  EXPECT_EQ(empty.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(empty.status().message(), HasSubstr("not a CA directory"));

  // A CA key others may read is refused (like ssh's private keys): it may have leaked.
  ASSERT_EQ(::chmod((ca_ + "/ca.key").c_str(), 0644), 0);
  auto open = Issue(ca_, {"svc", Role::kService}, out_);
  EXPECT_EQ(open.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(open.status().message(), HasSubstr("may be read by others (mode 0644)"));
  ASSERT_EQ(::chmod((ca_ + "/ca.key").c_str(), 0600), 0);

  const std::string issued = ca_ + "/issued.json";
  ASSERT_TRUE(WriteFileAtomically(issued, "{\"certificates\": 7}", 0644).ok());
  auto bad = ListIssued(ca_);
  EXPECT_EQ(bad.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(bad.status().message(), HasSubstr("not an issued.json"));
  ASSERT_TRUE(WriteFileAtomically(issued,
                                  R"({"region": "r", "certificates": [{"serial": "ZZ", "name": "a", "role": "edge",
                                      "facility": "1", "not_after": "2030-01-01T00:00:00Z", "revoked_at": null,
                                      "reason": null}]})",
                                  0644).ok());
  EXPECT_THAT(ListIssued(ca_).status().message(), HasSubstr("certificate 1: serial is not lower-case hex"));
  ASSERT_TRUE(WriteFileAtomically(issued,
                                  R"({"region": "r", "certificates": [{"serial": "ab", "name": "a", "role": "edge",
                                      "facility": null, "not_after": "2030-01-01T00:00:00Z", "revoked_at": null,
                                      "reason": null}]})",
                                  0644).ok());
  EXPECT_THAT(ListIssued(ca_).status().message(), HasSubstr("certificate 1: facility is missing or malformed"));
  ASSERT_TRUE(WriteFileAtomically(issued,
                                  R"({"region": "r", "certificates": [{"serial": "ab", "name": "a", "role": "edge",
                                      "facility": "1", "not_after": "2030-01-01T00:00:00Z", "revoked_at": "yesterday",
                                      "reason": null}]})",
                                  0644).ok());
  EXPECT_THAT(ListIssued(ca_).status().message(), HasSubstr("certificate 1: revoked_at is not null or a time"));
  std::filesystem::remove(issued);
  auto missing = Revoke(ca_, "a", "");
  EXPECT_EQ(missing.code(), StatusCode::kDataLoss);
  EXPECT_THAT(missing.message(), HasSubstr("issued.json is missing"));

  // ca.crt swapped for another CA's certificate: the key does not belong to it.
  const std::string other = OtherCa();
  ASSERT_TRUE(WriteFileAtomically(ca_ + "/ca.crt", Read(other + "/ca.crt"), 0644).ok());
  auto swapped = Issue(ca_, {"svc", Role::kService}, out_);
  EXPECT_EQ(swapped.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(swapped.status().message(), HasSubstr("does not belong to"));
}

TEST_F(CaDirTest, ConcurrentIssuesAreAllRecorded) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) IssueOk("svc-" + std::to_string(t) + "-" + std::to_string(i), Role::kService);
    });
  }
  for (auto& t : threads) t.join();
  auto list = ListIssued(ca_);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 20u);
}

X509Ptr WithSubject(const std::vector<std::pair<int, std::string>>& entries) {
  X509Ptr cert(X509_new());
  for (const auto& [nid, value] : entries) {
    X509_NAME_add_entry_by_NID(X509_get_subject_name(cert.get()), nid, MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(value.data()), static_cast<int>(value.size()), -1, 0);
  }
  return cert;
}

TEST(IdentityTest, ReadsOnlyWellFormedSubjects) {
  auto message = [](const X509Ptr& cert) { return IdentityOf(cert.get()).status().message(); };
  EXPECT_THAT(message(WithSubject({{NID_organizationalUnitName, "edge"}})), HasSubstr("no CN"));
  EXPECT_THAT(message(WithSubject({{NID_commonName, "x"}})), HasSubstr("no OU"));
  EXPECT_THAT(message(WithSubject({{NID_commonName, "x"}, {NID_organizationalUnitName, "admin"}})),
              HasSubstr("OU is not a role"));
  EXPECT_THAT(message(WithSubject({{NID_commonName, "x"}, {NID_commonName, "y"}, {NID_organizationalUnitName, "user"}})),
              HasSubstr("more than one CN"));
  EXPECT_THAT(message(WithSubject({{NID_commonName, "a b"}, {NID_organizationalUnitName, "user"}})),
              HasSubstr("CN is not a valid principal name"));
  EXPECT_THAT(message(WithSubject({{NID_commonName, "e"}, {NID_organizationalUnitName, "edge"}})),
              HasSubstr("an edge needs its facility's code"));
  EXPECT_EQ(IdentityOf(nullptr).status().code(), StatusCode::kInvalidArgument);
  auto ok = IdentityOf(WithSubject({{NID_commonName, "ops"}, {NID_organizationalUnitName, "operator"}}).get());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->role, Role::kOperator);
  EXPECT_EQ(ok->facility, "");
  for (Role r : {Role::kHub, Role::kEdge, Role::kService, Role::kUser, Role::kOperator}) {
    EXPECT_EQ(*ParseRole(RoleName(r)), r);
  }
  EXPECT_EQ(ParseRole("root").status().message(), "unknown role 'root' (hub, edge, service, user or operator)");
}

}  // namespace
}  // namespace renkei::pki
