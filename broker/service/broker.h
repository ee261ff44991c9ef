#ifndef ACCORD_BROKER_SERVICE_BROKER_H_
#define ACCORD_BROKER_SERVICE_BROKER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "broker/service/config.h"

namespace accord::service {

// The running broker: store, audit log, keys, gRPC server over mutual TLS
// and the HTTP listener, wired from one immutable config.
class Broker {
 public:
  // Starts everything or nothing. Errors name what is missing or wrong
  // (TLS material, key files, data directory, storage format).
  static absl::StatusOr<std::unique_ptr<Broker>> Start(BrokerConfig config);

  virtual ~Broker() = default;

  // Stops accepting calls, lets in-flight calls finish (bounded), then
  // closes the database. Idempotent.
  virtual void Shutdown() = 0;

  virtual int grpc_port() const = 0;
  virtual int http_port() const = 0;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_BROKER_H_
