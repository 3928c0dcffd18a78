// Whole files: reading one with a size limit, and replacing one atomically so that a reader
// (or a crash) sees either the old content or the new, never a part.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei {

// The bytes of `path`. NotFound when it does not exist, ResourceExhausted when it is larger
// than `max_bytes`, Unavailable when it cannot be read (permissions, a directory, I/O).
StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes);

// Replaces `path` with `content`: written to a new file beside it (created with `mode`, e.g.
// 0600 for secrets), flushed to disk, then renamed over `path`. Unavailable when any step fails
// (the temporary file is removed).
Status WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode);

}  // namespace renkei
