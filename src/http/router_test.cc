#include "http/router.h"

#include <stdexcept>

#include <gtest/gtest.h>

namespace renkei::http {
namespace {

Request Make(std::string method, std::string path) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

// A handler that names itself and echoes the path parameters it got.
Handler Named(std::string name) {
  return [name](Request& request) {
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [k, v] : request.params) params[k] = v;
    return Json(200, {{"handler", name}, {"params", params}, {"route", request.route}});
  };
}

nlohmann::json BodyOf(const Response& response) { return nlohmann::json::parse(response.body); }

Router TestRouter() {
  Router router;
  router.Add("GET", "/", Named("root"));
  router.Add("GET", "/v1/patients/{id}", Named("get"));
  router.Add("DELETE", "/v1/patients/{id}", Named("delete"));
  router.Add("GET", "/v1/patients/search", Named("search"));
  router.Add("POST", "/v1/patients", Named("register"));
  router.Add("GET", "/v1/patients/{id}/links/{other}", Named("link"));
  router.Add("PUT", "/v1/patients/{id}/links/{other}", Named("relink"));
  router.Add("GET", "/v1/{kind}/search", Named("kind-search"));
  return router;
}

TEST(RouterTest, RoutesByMethodAndPathAndFillsParams) {
  const Router router = TestRouter();
  Request request = Make("GET", "/v1/patients/P 123/links/山田");
  const Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(BodyOf(response)["handler"], "link");
  EXPECT_EQ(BodyOf(response)["params"], (nlohmann::json{{"id", "P 123"}, {"other", "山田"}}));
  EXPECT_EQ(request.route, "/v1/patients/{id}/links/{other}");
  EXPECT_EQ(request.params.at("id"), "P 123");

  Request root = Make("GET", "/");
  EXPECT_EQ(BodyOf(router.Dispatch(root))["handler"], "root");
  Request remove = Make("DELETE", "/v1/patients/P1");
  EXPECT_EQ(BodyOf(router.Dispatch(remove))["handler"], "delete");
  Request create = Make("POST", "/v1/patients");
  EXPECT_EQ(BodyOf(router.Dispatch(create))["handler"], "register");
}

TEST(RouterTest, TheMostSpecificPatternWinsWhateverTheOrderOfAdding) {
  const Router router = TestRouter();
  Request search = Make("GET", "/v1/patients/search");
  EXPECT_EQ(BodyOf(router.Dispatch(search))["handler"], "search");  // a literal beats {id}
  Request other = Make("GET", "/v1/encounters/search");
  EXPECT_EQ(BodyOf(router.Dispatch(other))["handler"], "kind-search");
  EXPECT_EQ(other.params, (std::map<std::string, std::string>{{"kind", "encounters"}}));

  // The earliest differing segment decides: literal "patients" beats {kind} even though
  // "{id}" then loses to "search" in the other pattern.
  Router reversed;
  reversed.Add("GET", "/v1/{kind}/search", Named("kind-search"));
  reversed.Add("GET", "/v1/patients/{id}", Named("get"));
  Request tie = Make("GET", "/v1/patients/search");
  EXPECT_EQ(BodyOf(reversed.Dispatch(tie))["handler"], "get");
  EXPECT_EQ(tie.params, (std::map<std::string, std::string>{{"id", "search"}}));
  // With the method of the more specific route not matching, the other route answers.
  Request remove = Make("DELETE", "/v1/patients/search");
  EXPECT_EQ(BodyOf(TestRouter().Dispatch(remove))["handler"], "delete");
}

TEST(RouterTest, UnknownPathIs404AndAnotherMethodIs405WithAllow) {
  const Router router = TestRouter();
  for (std::string_view path : {"/v2/patients", "/v1/patients/P1/links", "/v1/patients/", "/v1/patients//links/x",
                                "/v1/patients/P1/", "//", "/v1/patients/P1/links/x/y"}) {
    Request request = Make("GET", std::string(path));
    const Response response = router.Dispatch(request);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(BodyOf(response)["error"]["code"], "not_found") << path;
    EXPECT_EQ(request.route, "") << path;
  }
  Request post = Make("POST", "/v1/patients/P1");
  const Response response = router.Dispatch(post);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(BodyOf(response)["error"]["message"], "method POST is not allowed here; allowed: DELETE, GET");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>{"Allow", "DELETE, GET"}));
  // Methods are case-sensitive: "get" is another method.
  Request lower = Make("get", "/");
  EXPECT_EQ(router.Dispatch(lower).status, 405);
}

TEST(RouterTest, AThrowingHandlerIsA500WithAGenericMessage) {
  Router router;
  router.Add("POST", "/boom/{id}", [](Request&) -> Response { throw std::runtime_error("db exploded"); });
  router.Add("POST", "/odd", [](Request&) -> Response { throw 42; });
  Request request = Make("POST", "/boom/SECRET-ID");
  request.body = "{\"name\":\"SECRET\"}";
  const Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(BodyOf(response)["error"]["code"], "internal");
  EXPECT_EQ(BodyOf(response)["error"]["message"], "the server failed to handle the request");
  EXPECT_EQ(response.body.find("exploded"), std::string::npos);
  Request odd = Make("POST", "/odd");
  EXPECT_EQ(router.Dispatch(odd).status, 500);
}

TEST(RouterTest, ABadOrAmbiguousTableIsRefusedWhenBuilt) {
  Router router;
  router.Add("GET", "/v1/patients/{id}", Named("a"));
  EXPECT_THROW(router.Add("GET", "/v1/patients/{pid}", Named("b")), std::invalid_argument);
  EXPECT_NO_THROW(router.Add("PUT", "/v1/patients/{pid}", Named("b")));  // another method
  EXPECT_THROW(router.Add("GET", "v1/patients", Named("c")), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "", Named("c")), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/v1/{}", Named("c")), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/v1/{a}/x/{a}", Named("c")), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/v1/pre{a}", Named("c")), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/v1/{a{b}}", Named("c")), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/v1/x", nullptr), std::invalid_argument);
  EXPECT_THROW(router.Add("", "/v1/x", Named("c")), std::invalid_argument);
  try {
    router.Add("GET", "/v1/patients/{x}", Named("d"));
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "http route GET /v1/patients/{x}: the same route as GET /v1/patients/{id}");
  }
}

}  // namespace
}  // namespace renkei::http
