#include "portal/routes.h"

#include <utility>

#include "http/message.h"

namespace renkei::portal {
namespace {

// Scripts, styles, fonts and API calls from the hub only; images also from data: and blob: URLs
// (a plot exported, a scanned document); documents shown in a frame only from the blob: URLs the
// page makes of them; nothing embeds the portal.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; frame-src blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

http::Response Serve(const Assets& assets, std::string_view path, const http::Request& request) {
  StatusOr<Asset> asset = assets.Get(path);
  if (!asset.ok()) return http::Error(asset.status());
  http::Response r;
  r.headers = {{"Content-Security-Policy", kContentSecurityPolicy},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "no-referrer"},
               {"Cache-Control", "no-cache"},
               {"ETag", asset->etag}};
  if (request.Header("if-none-match") == asset->etag) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.content_type = asset->content_type;
  r.body = std::move(asset->body);
  return r;
}

}  // namespace

void AddRoutes(http::Router& router, std::shared_ptr<const Assets> assets) {
  router.Add("GET", "/", [assets](http::Request& r) { return Serve(*assets, "index.html", r); });
  for (const std::string& path : assets->paths()) {
    router.Add("GET", "/portal/" + path, [assets, path](http::Request& r) { return Serve(*assets, path, r); });
  }
}

}  // namespace renkei::portal
