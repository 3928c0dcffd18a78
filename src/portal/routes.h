// The portals on the hub's port: GET / is the single page (index.html) from which a clinician,
// a patient or an operator signs in; GET /portal/<path> each of its files (assets.h). The pages
// call the hub's API (/v1/..., hub/api.h) on the same origin with the session token they got by
// signing in, so nothing but the pages themselves is served without credentials.
//
// Every answer carries a strict Content-Security-Policy (scripts, styles and connections only
// from the hub itself; documents shown in the page only from blob: URLs the page makes; no
// framing by other sites), X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer,
// and an ETag: a request with a matching If-None-Match gets 304 without the body. Pages are
// revalidated on every load (Cache-Control: no-cache), so a new hub never serves old pages.
#pragma once

#include <memory>

#include "http/router.h"
#include "portal/assets.h"

namespace renkei::portal {

// Adds GET / and GET /portal/<path> for every path of `assets` to `router`.
void AddRoutes(http::Router& router, std::shared_ptr<const Assets> assets);

}  // namespace renkei::portal
