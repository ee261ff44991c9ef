#include "broker/auditlog/checkpointer.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace accord::auditlog {

absl::StatusOr<std::unique_ptr<Checkpointer>> Checkpointer::Create(
    const Log& log, Options options, const crypto::NoteSigner& signer,
    PersistFn persist, ClockFn clock, std::optional<SignedCheckpoint> latest) {
  if (absl::Status s = ValidateOrigin(options.origin); !s.ok()) return s;
  if (options.interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("checkpoint interval must be positive");
  }
  if (!persist || !clock) {
    return absl::InvalidArgumentError(
        "checkpointer needs persist and clock functions");
  }
  if (latest.has_value()) {
    if (latest->checkpoint.origin != options.origin) {
      return absl::InvalidArgumentError("latest checkpoint has another origin");
    }
    if (latest->checkpoint.size > log.Size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("latest checkpoint size ", latest->checkpoint.size,
                       " exceeds log size ", log.Size()));
    }
  }
  return std::unique_ptr<Checkpointer>(
      new Checkpointer(log, std::move(options), signer, std::move(persist),
                       std::move(clock), std::move(latest)));
}

Checkpointer::Checkpointer(const Log& log, Options options,
                           const crypto::NoteSigner& signer, PersistFn persist,
                           ClockFn clock,
                           std::optional<SignedCheckpoint> latest)
    : log_(log),
      options_(std::move(options)),
      signer_(signer),
      persist_(std::move(persist)),
      clock_(std::move(clock)),
      latest_(std::move(latest)) {}

Checkpointer::~Checkpointer() { Stop(); }

absl::Status Checkpointer::Start() {
  absl::MutexLock l(&mu_);
  if (thread_.joinable()) {
    return absl::FailedPreconditionError("checkpointer already started");
  }
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void Checkpointer::Stop() {
  std::thread t;
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
    t = std::move(thread_);
  }
  if (t.joinable()) t.join();
}

void Checkpointer::Run() {
  const absl::Duration period = options_.interval / 4;
  while (true) {
    {
      absl::MutexLock l(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stop_), period);
      if (stop_) return;
    }
    absl::Status s = Tick();
    absl::MutexLock l(&mu_);
    last_error_ = s;
  }
}

absl::StatusOr<SignedCheckpoint> Checkpointer::CheckpointNow() {
  return Publish(/*only_if_due=*/false);
}

absl::Status Checkpointer::Tick() {
  return Publish(/*only_if_due=*/true).status();
}

absl::StatusOr<SignedCheckpoint> Checkpointer::Publish(bool only_if_due) {
  {
    absl::MutexLock l(&mu_);
    auto my_turn = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !publishing_;
    };
    mu_.Await(absl::Condition(&my_turn));
    publishing_ = true;
  }
  absl::StatusOr<SignedCheckpoint> published = PublishInTurn(only_if_due);
  absl::MutexLock l(&mu_);
  publishing_ = false;
  return published;
}

absl::StatusOr<SignedCheckpoint> Checkpointer::PublishInTurn(bool only_if_due) {
  const TreeHead head = log_.Head();
  const absl::Time now = clock_();
  {
    absl::MutexLock l(&mu_);
    if (latest_.has_value() && head.size <= latest_->checkpoint.size) {
      return *latest_;
    }
    if (only_if_due && latest_.has_value() &&
        now - latest_at_ < options_.interval / 2) {
      return *latest_;
    }
  }
  SignedCheckpoint next;
  next.checkpoint.origin = options_.origin;
  next.checkpoint.size = head.size;
  next.checkpoint.root = head.root;
  absl::StatusOr<std::string> note =
      SignCheckpoint(signer_, options_.origin, head.size, head.root);
  if (!note.ok()) return note.status();
  next.note = *std::move(note);
  if (absl::Status s = persist_(next); !s.ok()) return s;
  absl::MutexLock l(&mu_);
  latest_ = next;
  latest_at_ = now;
  return next;
}

std::optional<SignedCheckpoint> Checkpointer::Latest() const {
  absl::MutexLock l(&mu_);
  return latest_;
}

absl::Status Checkpointer::last_error() const {
  absl::MutexLock l(&mu_);
  return last_error_;
}

}  // namespace accord::auditlog
