#include "cli/edge_context.h"

#include <iostream>

#include <fmt/format.h>

namespace renkei::cli {

// Hides the password of a connection URL before it is printed.
std::string RedactUrl(const std::string& url) {
  size_t scheme = url.find("://");
  size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

StatusOr<std::string> ResolveFacility(EdgeContext& ctx, const std::string& flag) {
  if (!flag.empty()) return flag;
  if (!ctx.config.edge.facility_id.empty()) return ctx.config.edge.facility_id;
  RENKEI_ASSIGN_OR_RETURN(std::string owner, ctx.store->GetSetting("facility_id"));
  return owner.empty() ? std::string("local") : owner;
}

int Fail(const Status& s) {
  std::cerr << "renkei: " << s.message() << "\n";
  switch (s.code()) {
    case StatusCode::kInvalidArgument: return 2;
    case StatusCode::kNotFound: return 3;
    case StatusCode::kUnavailable: return 4;
    default: return 1;
  }
}

StatusOr<EdgeContext> Setup(const GlobalOptions& global, const std::string& store_flag) {
  EdgeContext ctx;
  if (!global.config_path.empty()) {
    RENKEI_ASSIGN_OR_RETURN(ctx.config, config::LoadConfig(global.config_path));
  }
  if (!global.log_level.empty()) ctx.config.log.level = global.log_level;
  RENKEI_ASSIGN_OR_RETURN(ctx.logger, log::Logger::Create(ctx.config.log.level, ctx.config.log.format,
                                                          ctx.config.log.file));
  const std::string url = store_flag.empty() ? ctx.config.edge.store : store_flag;
  auto store = store::Store::Open(url);
  if (!store.ok()) return store.status().Annotate(fmt::format("store {}", RedactUrl(url)));
  ctx.store = std::move(store).value();
  return ctx;
}


StatusOr<edge::ImportOptions> ImportOptionsFrom(EdgeContext& ctx, const GlobalOptions& g, const std::string& root) {
  const config::Config& c = ctx.config;
  edge::ImportOptions o;
  RENKEI_ASSIGN_OR_RETURN(o.facility_id, ResolveFacility(ctx, g.facility));
  o.root = root.empty() ? c.edge.ssmix2_root : root;
  o.batch_size = c.edge.batch_size;
  o.severity = c.edge.severity;
  o.inspect.max_message_bytes = c.edge.max_message_bytes;
  return o;
}

std::string DisplayTime(std::string_view occurred_at) {
  std::string when(occurred_at.substr(0, 16));
  if (when.size() > 10) when[10] = ' ';
  return when;
}

}  // namespace renkei::cli
