#include "clients/verifier/revocation_watcher.h"

#include <algorithm>
#include <random>
#include <vector>

#include "accord/v1/trust.grpc.pb.h"
#include "broker/rpc/status.h"
#include "clients/verifier/broker_channel.h"

namespace accord::verifier {

absl::StatusOr<std::unique_ptr<RevocationWatcher>> RevocationWatcher::Start(
    const BrokerEndpoint& endpoint, Options options) {
  if (options.initial_backoff <= absl::ZeroDuration() ||
      options.max_backoff < options.initial_backoff) {
    return absl::InvalidArgumentError(
        "revocation watcher: initial_backoff must be positive and at most "
        "max_backoff");
  }
  // gRPC's own reconnect backoff must not outlast ours.
  BrokerEndpoint bounded = endpoint;
  bounded.max_reconnect_backoff =
      std::min(endpoint.max_reconnect_backoff, options.max_backoff);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      OpenBrokerChannel(bounded);
  if (!channel.ok()) return channel.status();
  std::unique_ptr<RevocationWatcher> watcher(
      new RevocationWatcher(*std::move(channel), std::move(options)));
  watcher->thread_ = std::thread([w = watcher.get()] { w->Run(); });
  return watcher;
}

RevocationWatcher::RevocationWatcher(std::shared_ptr<grpc::Channel> channel,
                                     Options options)
    : channel_(std::move(channel)),
      options_(std::move(options)),
      revoked_(std::make_shared<RevokedGrants>(options_.revoked)) {}

RevocationWatcher::~RevocationWatcher() {
  {
    absl::MutexLock l(&mu_);
    stopping_ = true;
    if (call_ != nullptr) call_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void RevocationWatcher::Run() {
  std::minstd_rand jitter(std::random_device{}());
  absl::Duration backoff = options_.initial_backoff;
  while (true) {
    const int64_t opened_before = streams_opened();
    const uint64_t revision_before = last_revision();
    const absl::Time started = absl::Now();
    absl::Status ended = FollowOnce();
    const bool was_up = last_revision() != revision_before ||
                        (streams_opened() != opened_before &&
                         absl::Now() - started >= options_.revoked.settle);
    if (was_up) backoff = options_.initial_backoff;
    // Wait backoff * [0.5, 1.0), or until the destructor says stop.
    const absl::Duration wait =
        backoff *
        (0.5 + 0.5 * std::uniform_real_distribution<double>(0.0, 1.0)(jitter));
    backoff = std::min(backoff * 2, options_.max_backoff);
    absl::MutexLock l(&mu_);
    last_error_ = ended;
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), wait);
    if (stopping_) return;
  }
}

absl::Status RevocationWatcher::FollowOnce() {
  grpc::ClientContext context;
  accord::v1::WatchRevocationsRequest request;
  {
    absl::MutexLock l(&mu_);
    if (stopping_) return absl::CancelledError("stopping");
    request.set_after_revision(last_revision_);
    call_ = &context;
    ++streams_opened_;
  }
  std::unique_ptr<accord::v1::TrustService::Stub> stub =
      accord::v1::TrustService::NewStub(channel_);
  revoked_->StreamOpened();
  std::unique_ptr<grpc::ClientReader<accord::v1::WatchRevocationsResponse>>
      reader = stub->WatchRevocations(&context, request);
  accord::v1::WatchRevocationsResponse response;
  while (reader->Read(&response)) {
    const accord::v1::Revocation& r = response.revocation();
    revoked_->Add(
        std::vector<std::string>(r.grant_ids().begin(), r.grant_ids().end()));
    absl::MutexLock l(&mu_);
    if (r.revision() > last_revision_) last_revision_ = r.revision();
  }
  grpc::Status status = reader->Finish();
  revoked_->StreamEnded();
  absl::MutexLock l(&mu_);
  call_ = nullptr;
  return rpc::FromGrpc(status);
}

uint64_t RevocationWatcher::last_revision() const {
  absl::MutexLock l(&mu_);
  return last_revision_;
}

int64_t RevocationWatcher::streams_opened() const {
  absl::MutexLock l(&mu_);
  return streams_opened_;
}

absl::Status RevocationWatcher::last_error() const {
  absl::MutexLock l(&mu_);
  return last_error_;
}

}  // namespace accord::verifier
