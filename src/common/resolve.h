// Name resolution for the clients that open connections while serving (the Redis result
// backend's pool): resolve once, then connect by address. Container DNS stalls: on podman's
// network DNS (aardvark-dns) a lookup made while another container starts waits 5 s for glibc's
// retry or fails, so a client that resolves on every new connection stalls requests whenever the
// deployment scales (docs/decisions.md).
#pragma once

#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"

namespace mlprod {

// The numeric addresses (IPv4 dotted or IPv6 text) that `host` resolves to for TCP, in the
// resolver's order (getaddrinfo, so /etc/hosts and DNS as the system is configured). A numeric
// host is returned as it is, without a lookup. kUnavailable when nothing resolves.
Result<std::vector<std::string>> ResolveTcpHost(const std::string& host, int port);

// The address a client last reached its host at; thread-safe. Empty until Remember.
class RememberedAddress {
 public:
  std::string Get() const;
  void Remember(std::string address);
  // Forgets `address` if it is still the one remembered (the host moved or is down: the next
  // connection resolves again).
  void Forget(const std::string& address);

 private:
  mutable Mutex mu_;
  std::string address_ MLPROD_GUARDED_BY(mu_);
};

}  // namespace mlprod
