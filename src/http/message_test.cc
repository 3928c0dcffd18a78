#include "http/message.h"

#include <gtest/gtest.h>

namespace renkei::http {
namespace {

Request JsonRequest(std::string body, std::string content_type = "application/json") {
  Request request;
  request.method = "POST";
  request.path = "/v1/patients";
  request.headers["content-type"] = std::move(content_type);
  request.body = std::move(body);
  return request;
}

std::string ErrorOf(const Request& request) {
  auto body = JsonBody(request);
  return body.ok() ? "ok" : body.status().ToString();
}

TEST(HttpStatusForTest, MapsEveryCodeInOnePlace) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 413);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(StatusCode::kDataLoss), 500);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInternal), 500);
  EXPECT_EQ(HttpStatusFor(StatusCode::kOk), 500);
}

TEST(ErrorTest, BodyNamesTheCodeAndMessage) {
  const Response response = Error(AlreadyExists("patient already registered"));
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(response.body),
            (nlohmann::json{{"error", {{"code", "already_exists"}, {"message", "patient already registered"}}}}));
  EXPECT_EQ(Error(431, ResourceExhausted("too big")).status, 431);
  EXPECT_EQ(nlohmann::json::parse(Error(431, ResourceExhausted("too big")).body)["error"]["code"],
            "resource_exhausted");
}

TEST(ErrorTest, AnOkStatusIsACallerBugAnsweredAsInternal) {
  const Response response = Error(Status::Ok());
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "internal");
}

TEST(JsonTest, SerialisesAndReplacesInvalidUtf8InsteadOfThrowing) {
  const Response response = Json(201, {{"id", "p1"}, {"name", "\xff\xfe"}});
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, "{\"id\":\"p1\",\"name\":\"\xEF\xBF\xBD\xEF\xBF\xBD\"}");
}

TEST(JsonBodyTest, ReadsAnObjectWithOrWithoutCharset) {
  auto body = JsonBody(JsonRequest(R"({"family":"山田","given":"太郎"})"));
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ((*body)["family"], "山田");
  EXPECT_TRUE(JsonBody(JsonRequest("{}", "Application/JSON; charset=utf-8")).ok());
  EXPECT_TRUE(JsonBody(JsonRequest("  {\"a\": [1, 2]}  \n", " application/json ")).ok());
}

TEST(JsonBodyTest, RefusesAnotherContentTypeAnEmptyBodyAndNonObjects) {
  const std::string wrong_type = "invalid_argument: the request body must be sent with Content-Type application/json";
  EXPECT_EQ(ErrorOf(JsonRequest("{}", "text/plain")), wrong_type);
  EXPECT_EQ(ErrorOf(JsonRequest("{}", "application/jsonx")), wrong_type);
  EXPECT_EQ(ErrorOf(JsonRequest("{}", "application/x-www-form-urlencoded")), wrong_type);
  Request no_type = JsonRequest("{}");
  no_type.headers.clear();
  EXPECT_EQ(ErrorOf(no_type), wrong_type);
  EXPECT_EQ(ErrorOf(JsonRequest("")), "invalid_argument: the request body is empty; a JSON object is expected");
  EXPECT_EQ(ErrorOf(JsonRequest("[1]")), "invalid_argument: the request body must be a JSON object, not an array");
  EXPECT_EQ(ErrorOf(JsonRequest("\"x\"")), "invalid_argument: the request body must be a JSON object, not a string");
  EXPECT_EQ(ErrorOf(JsonRequest("null")), "invalid_argument: the request body must be a JSON object, not null");
  EXPECT_EQ(ErrorOf(JsonRequest("12")), "invalid_argument: the request body must be a JSON object, not a number");
}

TEST(JsonBodyTest, NamesThePositionOfBadJsonWithoutQuotingTheBody) {
  // nlohmann reports where it noticed: the newline that ends the literal "tru".
  const std::string error = ErrorOf(JsonRequest("{\n  \"family\": \"SECRET\",\n  \"given\": tru\n}"));
  EXPECT_EQ(error, "invalid_argument: the request body is not valid JSON at line 3, column 15 (byte 39)");
  EXPECT_EQ(error.find("SECRET"), std::string::npos);
  EXPECT_EQ(ErrorOf(JsonRequest("{\"a\":1")),
            "invalid_argument: the request body is not valid JSON at line 1, column 7 (byte 7)");
  EXPECT_EQ(ErrorOf(JsonRequest("{\"a\":\"\xff\"}")),
            "invalid_argument: the request body is not valid JSON at line 1, column 7 (byte 7)");
  EXPECT_EQ(ErrorOf(JsonRequest("{} {}")),
            "invalid_argument: the request body is not valid JSON at line 1, column 4 (byte 4)");
}

TEST(JsonBodyTest, SurvivesDeepNesting) {
  const std::string deep(1 << 20, '[');  // a 1 MiB body of nothing but openings
  EXPECT_EQ(ErrorOf(JsonRequest(deep)).rfind("invalid_argument: the request body is not valid JSON at line 1", 0), 0u);
  const std::string closed = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(ErrorOf(JsonRequest(closed)), "invalid_argument: the request body must be a JSON object, not an array");
}

TEST(RequestTest, Query1AndHeaderGiveTheFirstValueOrNothing) {
  Request request;
  request.query = {{"x", "1"}, {"x", "2"}, {"y", ""}};
  request.headers = {{"x-trace", "abc"}};
  EXPECT_EQ(request.Query1("x"), "1");
  EXPECT_EQ(request.Query1("y"), "");
  EXPECT_EQ(request.Query1("z"), std::nullopt);
  EXPECT_EQ(request.Header("x-trace"), "abc");
  EXPECT_EQ(request.Header("x-other"), std::nullopt);
}

}  // namespace
}  // namespace renkei::http
