#include "portal/assets.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "base/file.h"
#include "pki/digest.h"

namespace renkei::portal {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxFileBytes = 8 << 20;

constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".json", "application/json"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
};

// Whether `path` is a relative path of plain segments: no empty, "." or ".." segment, no
// backslash or control character — so that it cannot leave the web folder.
bool PlainPath(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\') return false;
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return true;
}

std::string Etag(std::string_view sha256_hex) { return fmt::format("\"{}\"", sha256_hex); }

}  // namespace

std::optional<std::string> ContentTypeFor(std::string_view path) {
  for (const auto& [extension, type] : kTypes) {
    if (path.ends_with(extension)) return std::string(type);
  }
  return std::nullopt;
}

Assets Assets::Embedded() {
  Assets a;
  for (const EmbeddedFile& f : EmbeddedFiles()) a.paths_.emplace_back(f.path);
  std::sort(a.paths_.begin(), a.paths_.end());
  return a;
}

StatusOr<Assets> Assets::FromDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return NotFound(fmt::format("{} is not a directory", dir));
  if (!fs::is_regular_file(fs::path(dir) / "index.html", ec)) return NotFound(fmt::format("{} holds no index.html", dir));
  Assets a;
  a.dir_ = dir;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string path = fs::relative(it->path(), dir, ec).generic_string();
    if (!ec && PlainPath(path) && ContentTypeFor(path)) a.paths_.push_back(path);
  }
  if (ec) return Unavailable(fmt::format("cannot list {}: {}", dir, ec.message()));
  std::sort(a.paths_.begin(), a.paths_.end());
  return a;
}

StatusOr<Asset> Assets::Get(std::string_view path) const {
  if (!PlainPath(path) || !std::binary_search(paths_.begin(), paths_.end(), path)) {
    return NotFound("no such page or file");
  }
  Asset asset{.path = std::string(path), .content_type = *ContentTypeFor(path)};
  if (dir_.empty()) {
    for (const EmbeddedFile& f : EmbeddedFiles()) {
      if (f.path != path) continue;
      asset.body = std::string(f.bytes);
      asset.etag = Etag(f.sha256_hex);
      return asset;
    }
    return NotFound("no such page or file");
  }
  RENKEI_ASSIGN_OR_RETURN(asset.body, ReadFile((fs::path(dir_) / path).string(), kMaxFileBytes));
  asset.etag = Etag(pki::Sha256Hex(asset.body));
  return asset;
}

}  // namespace renkei::portal
