#ifndef ACCORD_TESTS_TRUST_CLIENTS_H_
#define ACCORD_TESTS_TRUST_CLIENTS_H_

// The clients of the trust tests (trust_test, flood_test): stubs on a
// connection of their own, dev identities, the grant request they repeat,
// and revocation streams opened without waiting for them.

#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "accord/v1/access.grpc.pb.h"
#include "accord/v1/admin.grpc.pb.h"
#include "accord/v1/audit.grpc.pb.h"
#include "accord/v1/trust.grpc.pb.h"
#include "tests/broker_harness.h"
#include "tests/tls_callers.h"

namespace accord::testing {

int64_t Now();
// The deadline `d` from now.
std::chrono::system_clock::time_point In(absl::Duration d);

// Stubs over one channel of its own (no connection shared with another
// caller), presenting `identity`.
struct Client {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::AccessService::Stub> access;
  std::unique_ptr<v1::AuditService::Stub> audit;
  std::unique_ptr<v1::TrustService::Stub> trust;
  std::unique_ptr<v1::AdminService::Stub> admin;

  Client(const BrokerProcess& broker, const ClientIdentity& identity);
};

// Runs `command` through the shell; its exit code.
int Shell(const std::string& command);

// The dev identity of principal `name` of `broker`.
ClientIdentity Dev(const BrokerProcess& broker, const std::string& name);

// A grant request on the OPEN bike-stations dataset, which any partner may
// have.
v1::RequestGrantRequest BikeRequest(uint64_t at_least_as_fresh = 0);

// One RequestGrant of `c`; its status (the response in `out` if given).
grpc::Status Grant(const Client& c, const v1::RequestGrantRequest& r,
                   v1::RequestGrantResponse* out = nullptr,
                   absl::Duration deadline = absl::Seconds(30));

// The store's revision after one grant of `partner`.
uint64_t Head(const Client& partner);

// Adds partner `id` (category company) with a certificate the dev CA
// issues now, and returns its identity.
ClientIdentity AddPartner(const BrokerProcess& broker, const std::string& id);

// WatchRevocations streams opened asynchronously: nothing here waits for
// them; Collect learns which ended.
class Streams {
 public:
  ~Streams() {
    for (auto& s : streams_) s->ctx.TryCancel();
    Collect(absl::Seconds(30));
    cq_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  // Opens one stream of `c`; returns its index.
  size_t Open(const Client& c) {
    streams_.push_back(std::make_unique<Stream>());
    Stream* s = streams_.back().get();
    s->ctx.set_deadline(In(absl::Seconds(300)));
    s->reader = c.trust->PrepareAsyncWatchRevocations(&s->ctx, {}, &cq_);
    s->reader->StartCall(nullptr);
    s->reader->Finish(&s->status, s);
    return streams_.size() - 1;
  }

  // Notes the streams that end within `bound`; returns early once every
  // stream has ended.
  void Collect(absl::Duration bound) {
    const auto until = In(bound);
    void* tag = nullptr;
    bool ok = false;
    while (finished_ < streams_.size() &&
           cq_.AsyncNext(&tag, &ok, until) ==
               grpc::CompletionQueue::GOT_EVENT) {
      if (tag == nullptr) continue;  // a call started
      static_cast<Stream*>(tag)->finished = true;
      ++finished_;
    }
  }

  size_t size() const { return streams_.size(); }
  // Still open (as far as Collect knows).
  bool open(size_t i) const { return !streams_[i]->finished; }
  grpc::StatusCode code(size_t i) const {
    return streams_[i]->status.error_code();
  }
  void Cancel(size_t i) { streams_[i]->ctx.TryCancel(); }

 private:
  struct Stream {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientAsyncReader<v1::WatchRevocationsResponse>>
        reader;
    grpc::Status status;
    bool finished = false;
  };
  grpc::CompletionQueue cq_;
  std::vector<std::unique_ptr<Stream>> streams_;
  size_t finished_ = 0;
};

}  // namespace accord::testing

#endif  // ACCORD_TESTS_TRUST_CLIENTS_H_
