#include "http/target.h"

#include <gtest/gtest.h>

#include "http/address.h"

namespace renkei::http {
namespace {

using Query = std::multimap<std::string, std::string>;

std::string ErrorOf(std::string_view target) {
  auto parsed = ParseTarget(target);
  return parsed.ok() ? "ok" : parsed.status().ToString();
}

TEST(ParseTargetTest, DecodesThePathAndKeepsPlusThere) {
  auto target = ParseTarget("/v1/patients/ABC%20123/a+b%2b%e5%b1%b1");
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  EXPECT_EQ(target->path, "/v1/patients/ABC 123/a+b+山");
  EXPECT_TRUE(target->query.empty());
  EXPECT_EQ(ParseTarget("/")->path, "/");
}

TEST(ParseTargetTest, ReadsTheQueryAsFormEncodedPairsInOrder) {
  auto target = ParseTarget("/search?family=%E5%B1%B1%E7%94%B0&given=taro+jiro&x=1&&x=2&flag&empty=&=v&a=b=c");
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  EXPECT_EQ(target->path, "/search");
  const Query expected = {{"family", "山田"}, {"given", "taro jiro"}, {"x", "1"}, {"x", "2"}, {"flag", ""},
                          {"empty", ""},      {"", "v"},             {"a", "b=c"}};
  EXPECT_EQ(target->query, expected);
  // Values of one name keep the order they were sent in.
  auto [first, last] = target->query.equal_range("x");
  ASSERT_EQ(std::distance(first, last), 2);
  EXPECT_EQ(first->second, "1");
  EXPECT_EQ(std::next(first)->second, "2");
  // An empty query, and a '?' inside the query, which is data.
  EXPECT_TRUE(ParseTarget("/p?")->query.empty());
  EXPECT_EQ(ParseTarget("/p?q=a?b")->query, (Query{{"q", "a?b"}}));
}

TEST(ParseTargetTest, RefusesMalformedPercentEncodingNamingTheByte) {
  EXPECT_EQ(ErrorOf("/v1/%zz"), "invalid_argument: malformed percent-encoding at byte 4");
  EXPECT_EQ(ErrorOf("/v1/%4"), "invalid_argument: malformed percent-encoding at byte 4");
  EXPECT_EQ(ErrorOf("/v1/%"), "invalid_argument: malformed percent-encoding at byte 4");
  EXPECT_EQ(ErrorOf("/v1/%g0"), "invalid_argument: malformed percent-encoding at byte 4");
  EXPECT_EQ(ErrorOf("/v1?a=1&b=%2"), "invalid_argument: malformed percent-encoding at byte 10");
  EXPECT_EQ(ErrorOf("/v1?a%x=1"), "invalid_argument: malformed percent-encoding at byte 5");
}

TEST(ParseTargetTest, RefusesWhatWouldChangeRoutingOrSmuggleControlBytes) {
  EXPECT_EQ(ErrorOf("*"), "invalid_argument: the request target must begin with '/'");
  EXPECT_EQ(ErrorOf("http://host/x"), "invalid_argument: the request target must begin with '/'");
  EXPECT_EQ(ErrorOf(""), "invalid_argument: the request target must begin with '/'");
  EXPECT_EQ(ErrorOf("/v1/patients/a%2Fb"), "invalid_argument: encoded '/' at byte 14: not allowed in a path");
  EXPECT_EQ(ErrorOf("/v1/patients/a%2fb"), "invalid_argument: encoded '/' at byte 14: not allowed in a path");
  // In the query an encoded '/' is ordinary data.
  EXPECT_EQ(ParseTarget("/p?next=%2Fv1%2Fx")->query, (Query{{"next", "/v1/x"}}));
  for (std::string_view dots : {"/v1/../admin", "/v1/./x", "/..", "/v1/%2e%2E/admin", "/v1/%2E"}) {
    EXPECT_EQ(ErrorOf(dots), "invalid_argument: dot segment in the path") << dots;
  }
  EXPECT_EQ(ErrorOf("/v1/..."), "ok");  // three dots are a name
  EXPECT_EQ(ErrorOf("/v1/a%00b"), "invalid_argument: control character at byte 5");
  EXPECT_EQ(ErrorOf("/v1/a%0Ab"), "invalid_argument: control character at byte 5");
  EXPECT_EQ(ErrorOf("/v1/a%7F"), "invalid_argument: control character at byte 5");
  EXPECT_EQ(ErrorOf("/v1?q=%0D%0Aset"), "invalid_argument: control character at byte 6");
  EXPECT_EQ(ErrorOf("/v1?q=a\tb"), "invalid_argument: control character at byte 7");
}

TEST(ParseTargetTest, RefusesDecodedBytesThatAreNotUtf8) {
  EXPECT_EQ(ErrorOf("/v1/%FF"), "invalid_argument: the path is not UTF-8: byte 4: invalid UTF-8: invalid byte 0xFF");
  EXPECT_NE(ErrorOf("/v1/%E5%B1").find("the path is not UTF-8: byte 4"), std::string::npos);
  EXPECT_EQ(ErrorOf("/v1?ok=1&name=%C0%AF"), "invalid_argument: the query is not UTF-8 (the pair at byte 9)");
  // A name and a value are checked apart: halves of one character split by '=' are refused.
  EXPECT_EQ(ErrorOf("/v1?%E5%B1=%B1"), "invalid_argument: the query is not UTF-8 (the pair at byte 4)");
}

TEST(PercentEncodeTest, EncodesAllButUnreservedAndRoundTripsThroughParseTarget) {
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a b/c?d&e=f+g%"), "a%20b%2Fc%3Fd%26e%3Df%2Bg%25");
  EXPECT_EQ(PercentEncode("山"), "%E5%B1%B1");
  const std::string id = "1234/5 6+7?&=#%山田";
  auto target = ParseTarget("/v1/patients/" + PercentEncode("segment " + std::string("山")) +
                            "?id=" + PercentEncode(id) + "&" + PercentEncode("n&m") + "=x");
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  EXPECT_EQ(target->path, "/v1/patients/segment 山");
  EXPECT_EQ(target->query, (Query{{"id", id}, {"n&m", "x"}}));
}

TEST(ParseHostPortTest, ReadsNamesIpLiteralsAndPorts) {
  auto v4 = ParseHostPort("127.0.0.1:8080");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  auto name = ParseHostPort("hub.region-a.example");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->host, "hub.region-a.example");
  EXPECT_EQ(name->port, std::nullopt);
  auto v6 = ParseHostPort("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_EQ(ParseHostPort("[fe80::1]")->port, std::nullopt);
  EXPECT_EQ(ParseHostPort("h:65535")->port, 65535);
}

TEST(ParseHostPortTest, RefusesMalformedAuthoritiesSayingWhy) {
  const auto error = [](std::string_view text) {
    auto parsed = ParseHostPort(text);
    return parsed.ok() ? "ok" : parsed.status().message();
  };
  EXPECT_EQ(error(""), "an empty host");
  EXPECT_EQ(error(":80"), "an empty host");
  EXPECT_EQ(error("[]:80"), "an empty host");
  EXPECT_EQ(error("host:"), "an empty port after ':'");
  EXPECT_EQ(error("host:65536"), "the port is over 65535");
  EXPECT_EQ(error("host:99999999999999999999"), "the port is over 65535");
  EXPECT_EQ(error("host:8o"), "the port is not a number");
  EXPECT_EQ(error("host:-1"), "the port is not a number");
  EXPECT_EQ(error("::1"), "an IPv6 address must be written in brackets, e.g. [::1]:8080");
  EXPECT_EQ(error("[::1"), "an IPv6 address opened with '[' is not closed by ']'");
  EXPECT_EQ(error("[::1]x"), "only ':port' may follow an IPv6 address in brackets");
  EXPECT_EQ(error("[host]"), "an IPv6 address in brackets holds only hex digits, ':' and '.'");
  EXPECT_EQ(error("user@host"), "user info (user@host) is not supported");
  EXPECT_EQ(error("ho_st"), "'_' cannot be part of a host name");
  EXPECT_EQ(error("ho\nst"), "byte 0x0A cannot be part of a host name");
}

}  // namespace
}  // namespace renkei::http
