#include "common/resolve.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>

namespace mlprod {

Result<std::vector<std::string>> ResolveTcpHost(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot resolve '" + host + "': " + std::string(gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, freeaddrinfo);
  std::vector<std::string> out;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    char text[NI_MAXHOST];
    if (getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof(text), nullptr, 0, NI_NUMERICHOST) !=
        0) {
      continue;
    }
    if (std::find(out.begin(), out.end(), text) == out.end()) out.emplace_back(text);
  }
  if (out.empty()) {
    return MakeError(ErrorCode::kUnavailable, "cannot resolve '" + host + "': no address");
  }
  return out;
}

std::string RememberedAddress::Get() const {
  MutexLock lock(mu_);
  return address_;
}

void RememberedAddress::Remember(std::string address) {
  MutexLock lock(mu_);
  address_ = std::move(address);
}

void RememberedAddress::Forget(const std::string& address) {
  MutexLock lock(mu_);
  if (address_ == address) address_.clear();
}

}  // namespace mlprod
