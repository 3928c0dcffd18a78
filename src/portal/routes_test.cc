// The portal's files over a real HTTP server: the page and its files with their security
// headers, revalidation by ETag, and nothing outside the web folder, whatever the path.
#include "portal/routes.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "http/client.h"
#include "http/test_util.h"

namespace renkei::portal {
namespace {

namespace fs = std::filesystem;
using http::testing::StartOrDie;
using http::testing::Url;

class WebDir {
 public:
  // TMP/renkei-portal-test-PID/web is the folder; a file beside it must never be served.
  WebDir() : top_(fs::temp_directory_path() / fmt::format("renkei-portal-test-{}", ::getpid())), dir_(top_ / "web") {
    fs::remove_all(top_);
    fs::create_directories(dir_ / "lib");
    Write("index.html", "<!doctype html><title>t</title>");
    Write("lib/app.js", "export const x = 1;\n");
    Write("notes.md", "not a page file");
    std::ofstream(top_ / "secret.js") << "secret";
  }
  ~WebDir() { fs::remove_all(top_); }
  void Write(const std::string& path, const std::string& text) const { std::ofstream(dir_ / path) << text; }
  std::string path() const { return dir_.string(); }

 private:
  fs::path top_, dir_;
};

TEST(PortalAssetsTest, TheEmbeddedPagesHoldTheEntryPageWithItsContentTypeAndDigest) {
  const Assets assets = Assets::Embedded();
  ASSERT_FALSE(assets.paths().empty());
  auto index = assets.Get("index.html");
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("<html"), std::string::npos);
  EXPECT_EQ(index->etag.size(), 66u) << index->etag;  // a quoted SHA-256 in hex
  for (const std::string& path : assets.paths()) {
    EXPECT_TRUE(ContentTypeFor(path)) << path;
    EXPECT_TRUE(assets.Get(path).ok()) << path;
  }
}

TEST(PortalAssetsTest, AFolderServesOnlyItsPageFilesAndRereadsThem) {
  WebDir web;
  auto assets = Assets::FromDirectory(web.path());
  ASSERT_TRUE(assets.ok()) << assets.status().ToString();
  EXPECT_EQ(assets->paths(), (std::vector<std::string>{"index.html", "lib/app.js"})) << "notes.md is no page file";
  auto before = assets->Get("lib/app.js");
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->content_type, "text/javascript; charset=utf-8");
  web.Write("lib/app.js", "export const x = 2;\n");
  auto after = assets->Get("lib/app.js");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->body, "export const x = 2;\n");
  EXPECT_NE(after->etag, before->etag);
  for (const char* hostile : {"../secret.js", "lib/../index.html", "/etc/passwd", "lib//app.js", "",
                              "lib\\app.js", "index.html\n", "notes.md", "./index.html"}) {
    auto got = assets->Get(hostile);
    EXPECT_EQ(got.status().code(), StatusCode::kNotFound) << hostile;
  }
  EXPECT_EQ(Assets::FromDirectory(web.path() + "/lib").status().code(), StatusCode::kNotFound) << "no index.html";
  EXPECT_EQ(Assets::FromDirectory("/nonexistent-renkei").status().code(), StatusCode::kNotFound);
}

TEST(PortalRoutesTest, ThePageAndItsFilesComeWithSecurityHeadersAndRevalidate) {
  WebDir web;
  auto assets = Assets::FromDirectory(web.path());
  ASSERT_TRUE(assets.ok());
  http::Router router;
  AddRoutes(router, std::make_shared<const Assets>(*std::move(assets)));
  auto server = StartOrDie(std::move(router));
  ASSERT_TRUE(server);

  auto page = http::Fetch("GET", Url(*server, "/"));
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->body, "<!doctype html><title>t</title>");
  EXPECT_EQ(page->headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(page->headers["content-security-policy"].find("script-src 'self'"), std::string::npos);
  EXPECT_NE(page->headers["content-security-policy"].find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(page->headers["x-content-type-options"], "nosniff");
  EXPECT_EQ(page->headers["referrer-policy"], "no-referrer");
  EXPECT_EQ(page->headers["cache-control"], "no-cache");
  const std::string etag = page->headers["etag"];
  ASSERT_FALSE(etag.empty());

  auto same = http::Fetch("GET", Url(*server, "/"), "", "application/json", std::chrono::seconds(10),
                          {{"If-None-Match", etag}});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->status, 304);
  EXPECT_TRUE(same->body.empty());
  auto stale = http::Fetch("GET", Url(*server, "/"), "", "application/json", std::chrono::seconds(10),
                           {{"If-None-Match", "\"0000\""}});
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->status, 200);

  auto script = http::Fetch("GET", Url(*server, "/portal/lib/app.js"));
  ASSERT_TRUE(script.ok());
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->body, "export const x = 1;\n");

  for (const char* target : {"/portal/notes.md", "/portal/../secret.js", "/portal/%2e%2e/secret.js",
                             "/portal/", "/portal/lib", "/index.html"}) {
    auto r = http::Fetch("GET", Url(*server, target));
    ASSERT_TRUE(r.ok()) << target;
    EXPECT_TRUE(r->status == 404 || r->status == 400) << target << " → " << r->status;
    EXPECT_EQ(r->body.find("secret"), std::string::npos) << target;
  }
  auto post = http::Fetch("POST", Url(*server, "/"), "{}");
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(post->status, 405);
}

}  // namespace
}  // namespace renkei::portal
