#include "common/uuid.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/time_util.h"

namespace mlprod {
namespace {

// Fills `out` from the kernel's CSPRNG. getrandom only fails before the pool is seeded at boot
// (it blocks then) or on a signal (EINTR, retried); a short read continues.
void FillRandom(std::uint8_t* out, std::size_t n) {
  while (n > 0) {
    const ssize_t got = getrandom(out, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("getrandom failed: ") + std::strerror(errno));
    }
    out += got;
    n -= static_cast<std::size_t>(got);
  }
}

std::string Format(const std::array<std::uint8_t, 16>& b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

void SetVersion(std::array<std::uint8_t, 16>& b, int version) {
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | (version << 4));
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 9562 variant
}

}  // namespace

std::string NewUuid() {
  std::array<std::uint8_t, 16> b{};
  FillRandom(b.data(), b.size());
  SetVersion(b, 4);
  return Format(b);
}

std::string TimeOrderedUuid(std::int64_t unix_ms, std::array<std::uint8_t, 10> random) {
  std::array<std::uint8_t, 16> b{};
  const auto ms = static_cast<std::uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
  std::memcpy(b.data() + 6, random.data(), random.size());
  SetVersion(b, 7);
  return Format(b);
}

std::string NewTimeOrderedUuid(std::chrono::system_clock::time_point at) {
  std::array<std::uint8_t, 10> random{};
  FillRandom(random.data(), random.size());
  return TimeOrderedUuid(UnixMs(at), random);
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

}  // namespace mlprod
