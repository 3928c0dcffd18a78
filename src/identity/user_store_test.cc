// The accounts half of the user store's suite, against SQLite and against PostgreSQL.
#include "identity/user_store.h"

#include <gtest/gtest.h>

#include "identity/test_util.h"

namespace renkei::identity::testing {
namespace {

constexpr std::string_view kFingerprint = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

TEST_P(UserStoreTest, MakesAccountsWithAnEnrolledSecondFactor) {
  const CreatedUser created = CreateClinician("Dr.Sato");
  const User& u = created.user;
  EXPECT_EQ(u.id, "U1");
  EXPECT_EQ(u.login, "dr.sato");
  EXPECT_EQ(u.display_name, "佐藤 花子");
  EXPECT_EQ(u.role, Role::kClinician);
  EXPECT_EQ(u.facility, "1310000001");
  EXPECT_EQ(u.created_ms, kNow);
  EXPECT_FALSE(u.disabled);
  EXPECT_EQ(created.totp.secret.size(), 20u);
  EXPECT_EQ(created.totp.secret_base32, Base32Encode(created.totp.secret));
  EXPECT_EQ(created.totp.uri, TotpUri("dr.sato", created.totp.secret));

  EXPECT_EQ(Ok(store_->Get("U1")), u);
  EXPECT_EQ(Ok(store_->FindByLogin("DR.SATO")), u);
  EXPECT_EQ(store_->Get("U2").status().ToString(), "not_found: no user U2");
  EXPECT_EQ(store_->FindByLogin("ito").status().ToString(), "not_found: no user has the login name 'ito'");

  User patient;
  patient.login = "yamada-taro";
  patient.display_name = "山田 太郎";
  patient.role = Role::kPatient;
  patient.regional_ids = {"RK00000000018"};
  EXPECT_EQ(Ok(store_->CreateUser(patient, kPassword, kNow)).user.id, "U2");
  User proxy = patient;
  proxy.login = "yamada-hanako";
  proxy.role = Role::kProxy;
  proxy.regional_ids = {"RK00000000026", "RK00000000018", "RK00000000026"};
  EXPECT_EQ(Ok(store_->CreateUser(proxy, kPassword, kNow)).user.regional_ids,
            (std::vector<std::string>{"RK00000000018", "RK00000000026"}));
  EXPECT_EQ(Ok(store_->Get("U3")).regional_ids, (std::vector<std::string>{"RK00000000018", "RK00000000026"}));

  const std::vector<User> first_two = Ok(store_->List("", 2));
  ASSERT_EQ(first_two.size(), 2u);
  EXPECT_EQ(first_two[1].role, Role::kPatient);
  const std::vector<User> rest = Ok(store_->List("U2", 1000));
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].role, Role::kProxy);
  EXPECT_EQ(store_->List("", 1001).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->List("X1", 10).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(UserStoreTest, RefusesMalformedAccountsAndKeepsNothingOfThem) {
  const auto refused = [&](User u, std::string_view password = kPassword) {
    return store_->CreateUser(std::move(u), password, kNow).status().ToString();
  };
  const std::string bad_login = "invalid_argument: a login name is 1-64 letters, digits, '.', '_' or '-'";
  EXPECT_EQ(refused(Clinician("")), bad_login);
  EXPECT_EQ(refused(Clinician(std::string(65, 'a'))), bad_login);
  EXPECT_EQ(refused(Clinician("o'brien")), bad_login);
  EXPECT_EQ(refused(Clinician("x'; DROP TABLE identity_users; --")), bad_login);
  EXPECT_EQ(refused(Clinician("佐藤")), bad_login);
  EXPECT_EQ(refused(Clinician("sato\xff")), bad_login);
  EXPECT_EQ(refused(Clinician(std::string(10'000, 'a'))), bad_login);

  User u = Clinician("sato");
  u.display_name = "";
  const std::string bad_name =
      "invalid_argument: a display name is 1-200 bytes of UTF-8 text without control characters";
  EXPECT_EQ(refused(u), bad_name);
  u.display_name = "Sato\nHanako";
  EXPECT_EQ(refused(u), bad_name);
  u.display_name = "Sato \xc0\xaf";
  EXPECT_EQ(refused(u), bad_name);
  u.display_name = std::string(201, 'a');
  EXPECT_EQ(refused(u), bad_name);

  u = Clinician("sato");
  u.facility = "";
  EXPECT_EQ(refused(u), "invalid_argument: clinicians and staff need the code of their facility");
  u.facility = "13100'00001";
  EXPECT_EQ(refused(u), "invalid_argument: a facility code is 1-20 letters, digits, '-' or '_'");
  u.facility = std::string(21, '1');
  EXPECT_EQ(refused(u), "invalid_argument: a facility code is 1-20 letters, digits, '-' or '_'");
  u = Clinician("sato");
  u.regional_ids = {"RK1"};
  EXPECT_EQ(refused(u), "invalid_argument: only patients and proxies have regional IDs");
  u = Clinician("sato");
  u.certificate_sha256 = "abc";
  EXPECT_EQ(refused(u),
            "invalid_argument: a certificate fingerprint is the SHA-256 of the certificate in 64 hex digits");

  User patient = Clinician("yamada");
  patient.role = Role::kPatient;
  EXPECT_EQ(refused(patient), "invalid_argument: a patient, proxy or operator belongs to no facility");
  patient.facility = "";
  EXPECT_EQ(refused(patient), "invalid_argument: a patient has exactly one regional ID");
  patient.regional_ids = {"RK1", "RK2"};
  EXPECT_EQ(refused(patient), "invalid_argument: a patient has exactly one regional ID");
  patient.regional_ids = {"RK/../1"};
  EXPECT_EQ(refused(patient), "invalid_argument: a regional ID is 1-40 letters and digits");
  User proxy = patient;
  proxy.role = Role::kProxy;
  proxy.regional_ids = {};
  EXPECT_EQ(refused(proxy), "invalid_argument: a proxy acts for 1 to 50 patients");
  for (int i = 0; i <= 50; ++i) proxy.regional_ids.push_back("RK" + std::to_string(i));
  EXPECT_EQ(refused(proxy), "invalid_argument: a proxy acts for 1 to 50 patients");

  EXPECT_EQ(refused(Clinician("sato"), "short"),
            "invalid_argument: a password has at least 12 characters; this one has 5");
  EXPECT_TRUE(Ok(store_->List("", 10)).empty());
}

TEST_P(UserStoreTest, LoginNamesAreUniqueWhateverTheirCase) {
  CreateClinician("sato");
  EXPECT_EQ(store_->CreateUser(Clinician("SATO"), kPassword, kNow).status().ToString(),
            "already_exists: the login name 'sato' is taken");
  // Quotes and SQL in what is stored verbatim come back verbatim.
  User odd = Clinician("o.brien");
  odd.display_name = "O'Brien \"Bob\"; DROP TABLE identity_users; --";
  const User stored = Ok(store_->CreateUser(odd, kPassword, kNow)).user;
  EXPECT_EQ(Ok(store_->Get(stored.id)).display_name, odd.display_name);
  EXPECT_EQ(store_->Get("U1' OR '1'='1").status().ToString(), "not_found: no such user");
  EXPECT_EQ(store_->Get("U01").status().ToString(), "not_found: no such user");
  EXPECT_EQ(store_->Get(std::string(10'000, '9')).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->FindByLogin("o'brien").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Ok(store_->List("", 10)).size(), 2u);
}

TEST_P(UserStoreTest, BindsACertificateToOneAccountOnly) {
  const User sato = CreateClinician("sato").user;
  const User ito = CreateClinician("ito").user;
  EXPECT_EQ(store_->FindByCertificate(kFingerprint).status().ToString(), "not_found: no user has this certificate");
  ASSERT_TRUE(store_->BindCertificate(sato.id, std::string(kFingerprint.substr(0, 32)) + "A3BF4F1B2B0B822CD15D6C15B0F00A08").ok());
  EXPECT_EQ(Ok(store_->FindByCertificate(kFingerprint)).id, sato.id);
  EXPECT_EQ(Ok(store_->Get(sato.id)).certificate_sha256, kFingerprint);
  EXPECT_EQ(store_->BindCertificate(ito.id, kFingerprint).ToString(),
            "already_exists: this certificate is bound to another account");
  EXPECT_EQ(store_->BindCertificate(ito.id, "zz").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->BindCertificate("U99", std::string(64, 'a')).ToString(), "not_found: no user U99");
  EXPECT_EQ(store_->FindByCertificate("not hex").status().code(), StatusCode::kInvalidArgument);

  ASSERT_TRUE(store_->BindCertificate(sato.id, "").ok());
  EXPECT_EQ(store_->FindByCertificate(kFingerprint).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->BindCertificate(ito.id, kFingerprint).ok()) << "free again once unbound";

  User with_cert = Clinician("kato");
  with_cert.certificate_sha256 = kFingerprint;
  EXPECT_EQ(store_->CreateUser(with_cert, kPassword, kNow).status().ToString(),
            "already_exists: this certificate is bound to another account");
}

TEST_P(UserStoreTest, ChangesToAnUnknownAccountAreNotFound) {
  EXPECT_EQ(store_->SetPassword("U7", kPassword).ToString(), "not_found: no user U7");
  EXPECT_EQ(store_->Disable("U7").ToString(), "not_found: no user U7");
  EXPECT_EQ(store_->Enable("nobody").ToString(), "not_found: no such user");
  EXPECT_EQ(store_->ResetTotp("U7").status().ToString(), "not_found: no user U7");
  EXPECT_EQ(Ok(store_->RevokeAllOf("U7")), 0) << "no sessions to end";
  const User sato = CreateClinician().user;
  EXPECT_EQ(store_->SetPassword(sato.id, "aaaaaaaaaaaaaaaa").ToString(),
            "invalid_argument: a password may not be one character repeated");
}

TEST_P(UserStoreTest, ANewerSchemaIsRefusedAndOptionsAreChecked) {
  options_.max_failures = 0;
  EXPECT_EQ(UserStore::Open(db_->url(), options_).status().code(), StatusCode::kInvalidArgument);
  options_.max_failures = 5;
  options_.hashing.memory_kib = 1;
  EXPECT_EQ(UserStore::Open(db_->url(), options_).status().code(), StatusCode::kInvalidArgument);
  store_.reset();
  auto db = sql::Open(db_->url());
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Query("INSERT INTO identity_schema_migrations (version, applied_at) VALUES (99, 'x')", {}).ok());
  options_.hashing = CheapHashing();
  EXPECT_EQ(UserStore::Open(db_->url(), options_).status().code(), StatusCode::kFailedPrecondition);
}

INSTANTIATE_TEST_SUITE_P(Backends, UserStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace renkei::identity::testing
