#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace renkei {

StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound(fmt::format("{}: no such file", path));
    return Unavailable(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  std::string bytes;
  char buffer[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return Unavailable(fmt::format("cannot read {}: {}", path, std::strerror(error)));
    }
    if (n == 0) break;
    if (bytes.size() + size_t(n) > max_bytes) {
      ::close(fd);
      return ResourceExhausted(fmt::format("{}: larger than {} bytes", path, max_bytes));
    }
    bytes.append(buffer, size_t(n));
  }
  ::close(fd);
  return bytes;
}

Status WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode) {
  std::vector<char> tmp(path.begin(), path.end());
  for (char c : std::string_view(".tmp-XXXXXX")) tmp.push_back(c);
  tmp.push_back('\0');
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return Unavailable(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  bool ok = ::fchmod(fd, mode) == 0;
  for (size_t done = 0; ok && done < content.size();) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += size_t(n);
  }
  const int error = errno;
  ok = ok && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(tmp.data(), path.c_str()) != 0) {
    const int rename_error = ok ? errno : error;
    std::remove(tmp.data());
    return Unavailable(fmt::format("cannot write {}: {}", path, std::strerror(rename_error)));
  }
  return Status::Ok();
}

}  // namespace renkei
