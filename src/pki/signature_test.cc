#include "pki/signature.h"

#include <chrono>
#include <cstdio>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pki/test_util.h"
#include "text/base64.h"

namespace renkei::pki {
namespace {

using ::testing::HasSubstr;

class SignatureTest : public testing::CaTest {
 protected:
  void SetUp() override {
    CaTest::SetUp();
    edge_ = IssueOk("edge-1111111111", Role::kEdge, "1111111111");
    auto signer = Signer::Load(edge_.key_path, edge_.cert_path);
    ASSERT_TRUE(signer.ok()) << signer.status().ToString();
    signer_.emplace(std::move(signer).value());
    ca_pem_ = Read(ca_ + "/ca.crt");
  }
  Issued edge_;
  std::optional<Signer> signer_;
  std::string ca_pem_;
  const std::string chart_ = R"({"events":[{"type":"lab","date":"2026-11-21"}]})";
};

TEST_F(SignatureTest, AnEdgesSignatureVerifiesAndNamesTheEdge) {
  const std::string signature = signer_->Sign(chart_);
  EXPECT_GE(signature.size(), 88u);
  EXPECT_LE(signature.size(), 96u);
  auto who = VerifySigned(chart_, signature, signer_->certificate_pem(), ca_pem_);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(*who, (Identity{"edge-1111111111", Role::kEdge, "1111111111", edge_.serial_hex}));
  EXPECT_EQ(signer_->identity(), *who);
  EXPECT_TRUE(VerifySigned("", signer_->Sign(""), signer_->certificate_pem(), ca_pem_).ok());
}

TEST_F(SignatureTest, TamperedBytesOrSignaturesAreRefused) {
  const std::string signature = signer_->Sign(chart_);
  std::string altered = chart_;
  altered[20] = 'x';
  auto bytes = VerifySigned(altered, signature, signer_->certificate_pem(), ca_pem_);
  EXPECT_EQ(bytes.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(bytes.status().message(), "the signature of edge-1111111111 does not match the bytes");

  std::string der = *text::Base64Decode(signature);
  der[der.size() - 5] ^= 1;
  auto flipped = VerifySigned(chart_, text::Base64Encode(der), signer_->certificate_pem(), ca_pem_);
  EXPECT_EQ(flipped.status().message(), "the signature of edge-1111111111 does not match the bytes");
  auto truncated = VerifySigned(chart_, text::Base64Encode(der.substr(0, 10)), signer_->certificate_pem(), ca_pem_);
  EXPECT_EQ(truncated.status().code(), StatusCode::kPermissionDenied);

  auto garbage = VerifySigned(chart_, "not*base64", signer_->certificate_pem(), ca_pem_);
  EXPECT_EQ(garbage.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(garbage.status().message(), HasSubstr("the signature is not base64"));
  EXPECT_EQ(VerifySigned(chart_, "", signer_->certificate_pem(), ca_pem_).status().code(), StatusCode::kPermissionDenied);

  // Another edge's signature over the same bytes does not pass as this edge's.
  Issued other = IssueOk("edge-2222222222", Role::kEdge, "2222222222");
  auto other_signer = Signer::Load(other.key_path, other.cert_path);
  ASSERT_TRUE(other_signer.ok());
  EXPECT_EQ(VerifySigned(chart_, other_signer->Sign(chart_), signer_->certificate_pem(), ca_pem_).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(SignatureTest, CertificatesOfAnotherCaExpiredOrMalformedAreRefused) {
  const std::string other = OtherCa();
  Issued stranger = IssueOk("edge-1111111111", Role::kEdge, "1111111111", 825, other, (root_ / "o").string());
  auto forger = Signer::Load(stranger.key_path, stranger.cert_path);
  ASSERT_TRUE(forger.ok());
  auto foreign = VerifySigned(chart_, forger->Sign(chart_), forger->certificate_pem(), ca_pem_);
  EXPECT_EQ(foreign.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(foreign.status().message(), HasSubstr("the signer's certificate is not valid: unable to get local issuer"));

  Issued expired = IssueOk("edge-3333333333", Role::kEdge, "3333333333", /*days=*/0);
  auto old = Signer::Load(expired.key_path, expired.cert_path);
  ASSERT_TRUE(old.ok());
  auto late = VerifySigned(chart_, old->Sign(chart_), old->certificate_pem(), ca_pem_);
  EXPECT_EQ(late.status().message(), "the signer's certificate is not valid: certificate has expired");

  const std::string signature = signer_->Sign(chart_);
  auto bad_cert = VerifySigned(chart_, signature, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", ca_pem_);
  EXPECT_EQ(bad_cert.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(bad_cert.status().message(), "the signer's certificate: not a PEM certificate");
  EXPECT_EQ(VerifySigned(chart_, signature, "", ca_pem_).status().code(), StatusCode::kPermissionDenied);
  auto bad_ca = VerifySigned(chart_, signature, signer_->certificate_pem(), "garbage");
  EXPECT_EQ(bad_ca.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_ca.status().message(), "the CA certificate: not a PEM certificate");
}

TEST_F(SignatureTest, LoadRefusesAKeyThatIsNotTheCertificates) {
  Issued other = IssueOk("edge-2222222222", Role::kEdge, "2222222222");
  auto mismatch = Signer::Load(other.key_path, edge_.cert_path);
  EXPECT_EQ(mismatch.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(mismatch.status().message(), HasSubstr("is not the key of"));
  EXPECT_EQ(Signer::Load(out_ + "/none.key", edge_.cert_path).status().code(), StatusCode::kNotFound);
  EXPECT_THAT(Signer::Load(edge_.cert_path, edge_.cert_path).status().message(), HasSubstr("not a PEM private key"));
}

// Signing runs once per chart answer: it must stay far below a millisecond.
TEST_F(SignatureTest, SigningAndVerifyingCost) {
  const std::string answer(4096, 'a');
  constexpr int kSigns = 2000, kVerifies = 500;
  auto start = std::chrono::steady_clock::now();
  std::string last;
  for (int i = 0; i < kSigns; ++i) last = signer_->Sign(answer);
  const double sign_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / kSigns;
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < kVerifies; ++i) ASSERT_TRUE(VerifySigned(answer, last, signer_->certificate_pem(), ca_pem_).ok());
  const double verify_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / kVerifies;
  std::printf("[ figures  ] Sign of 4 KiB: %.1f us; VerifySigned (parse, chain, ECDSA): %.1f us\n", sign_us, verify_us);
  EXPECT_LT(sign_us, 1000.0);
  EXPECT_LT(verify_us, 5000.0);
}

}  // namespace
}  // namespace renkei::pki
