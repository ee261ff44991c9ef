#include "tests/bench/accord_bench_workloads.h"

#include <numeric>

#include "absl/strings/str_cat.h"
#include "accord/v1/consent.pb.h"

namespace accord::bench {
namespace {

const std::string kHealthMethod = "/grpc.health.v1.Health/Check";
const std::string kGrantMethod = "/accord.v1.AccessService/RequestGrant";
const std::string kGiveMethod = "/accord.v1.ConsentService/GiveConsent";
const std::string kWithdrawMethod = "/accord.v1.ConsentService/WithdrawConsent";

grpc::ByteBuffer Serialize(const google::protobuf::Message& m) {
  grpc::Slice slice(m.SerializeAsString());
  return grpc::ByteBuffer(&slice, 1);
}

std::string Bytes(grpc::ByteBuffer* buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer->Dump(&slices).ok()) return bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return bytes;
}

bool Parse(grpc::ByteBuffer* buffer, google::protobuf::Message* m) {
  return m->ParseFromString(Bytes(buffer));
}

class Health final : public Workload {
 public:
  Health() {
    grpc::Slice empty("");
    request_ = grpc::ByteBuffer(&empty, 1);
  }
  bool Plan(uint64_t, CallPlan* plan) override {
    plan->method = &kHealthMethod;
    plan->request = request_;
    plan->group = kPartnerGroup;
    return true;
  }
  CallOutcome Judge(const CallPlan&, const grpc::Status& status,
                    grpc::ByteBuffer* response) override {
    CallOutcome out;
    if (!status.ok()) return out;
    out.ok = Bytes(response) == std::string("\x08\x01", 2);  // status: SERVING
    if (!out.ok) out.error = "not SERVING";
    return out;
  }
  std::vector<std::string> KindNames() const override { return {"Check"}; }

 private:
  grpc::ByteBuffer request_;
};

class Grant final : public Workload {
 public:
  Grant(accord::v1::RequestGrantRequest request, size_t expected_subjects)
      : request_(Serialize(request)), expected_subjects_(expected_subjects) {}

  bool Plan(uint64_t, CallPlan* plan) override {
    plan->method = &kGrantMethod;
    plan->request = request_;
    plan->group = kPartnerGroup;
    return true;
  }
  CallOutcome Judge(const CallPlan&, const grpc::Status& status,
                    grpc::ByteBuffer* response) override {
    CallOutcome out;
    if (!status.ok()) return out;
    out.response_bytes = response->Length();
    accord::v1::RequestGrantResponse r;
    if (!Parse(response, &r)) {
      out.error = "unparsable response";
      return out;
    }
    if (r.decision().outcome() != accord::v1::OUTCOME_PERMIT) {
      out.error = r.decision().reasons_size() > 0
                      ? absl::StrCat("deny:", r.decision().reasons(0).code())
                      : "deny";
      return out;
    }
    size_t subjects = 0;
    for (const accord::v1::Grant& g : r.grants()) {
      subjects += g.subjects_size();
      out.token_bytes += g.token().size();
    }
    if (r.grants_size() == 0 || subjects != expected_subjects_) {
      out.error = "permit with other subjects";
      return out;
    }
    out.ok = true;
    out.grants = static_cast<uint64_t>(r.grants_size());
    return out;
  }
  std::vector<std::string> KindNames() const override {
    return {"RequestGrant"};
  }

 private:
  const grpc::ByteBuffer request_;
  const size_t expected_subjects_;
};

class ConsentChanges final : public Workload {
 public:
  ConsentChanges(std::vector<Citizen> citizens, std::string dataset_id,
                 std::string purpose, std::string partner, bool withdraw_too)
      : citizens_(std::move(citizens)),
        states_(citizens_.size()),
        withdraw_too_(withdraw_too) {
    accord::v1::GiveConsentRequest give;
    give.set_dataset_id(dataset_id);
    give.set_purpose(purpose);
    give.mutable_recipient()->set_partner(partner);
    give_ = Serialize(give);
    absl::MutexLock l(&mu_);
    for (size_t i = citizens_.size(); i > 0; --i) free_.push_back(i - 1);
  }

  bool Plan(uint64_t, CallPlan* plan) override {
    size_t i;
    {
      absl::MutexLock l(&mu_);
      if (free_.empty()) return false;
      i = free_.back();
      free_.pop_back();
    }
    State& s = states_[i];  // this call owns citizen i until Judge
    plan->group = kCitizenAppGroup;
    plan->authorization = citizens_[i].authorization;
    plan->tag = static_cast<int64_t>(i);
    if (withdraw_too_ && s.given) {
      accord::v1::WithdrawConsentRequest withdraw;
      withdraw.set_consent_id(s.consent_id);
      plan->method = &kWithdrawMethod;
      plan->request = Serialize(withdraw);
      plan->kind = 1;
    } else {
      plan->method = &kGiveMethod;
      plan->request = give_;
      plan->kind = 0;
    }
    return true;
  }

  CallOutcome Judge(const CallPlan& plan, const grpc::Status& status,
                    grpc::ByteBuffer* response) override {
    CallOutcome out;
    State& s = states_[plan.tag];
    if (status.ok()) {
      // Both responses carry the consent as field 1.
      accord::v1::GiveConsentResponse r;
      const bool give = plan.kind == 0;
      if (!Parse(response, &r)) {
        out.error = "unparsable response";
      } else if (r.consent().state() !=
                 (give ? accord::v1::CONSENT_STATE_GIVEN
                       : accord::v1::CONSENT_STATE_WITHDRAWN)) {
        out.error = "consent in another state";
      } else {
        out.ok = true;
        s.given = give;
        s.consent_id = r.consent().id();
      }
    }
    absl::MutexLock l(&mu_);
    free_.push_back(static_cast<size_t>(plan.tag));
    return out;
  }

  std::vector<std::string> KindNames() const override {
    return {"GiveConsent", "WithdrawConsent"};
  }

 private:
  struct State {
    bool given = false;
    std::string consent_id;
  };
  const std::vector<Citizen> citizens_;
  std::vector<State> states_;
  const bool withdraw_too_;
  grpc::ByteBuffer give_;
  absl::Mutex mu_;
  std::vector<size_t> free_ ABSL_GUARDED_BY(mu_);
};

class Mixed final : public Workload {
 public:
  Mixed(std::vector<std::unique_ptr<Workload>> parts, std::vector<int> weights,
        std::vector<std::string> names)
      : parts_(std::move(parts)) {
    // A schedule of sum(weights) slots where part i takes weights[i] slots
    // spread evenly (smooth weighted round robin).
    const int total = std::accumulate(weights.begin(), weights.end(), 0);
    std::vector<int> current(weights.size(), 0);
    for (int n = 0; n < total; ++n) {
      size_t best = 0;
      for (size_t i = 0; i < weights.size(); ++i) {
        current[i] += weights[i];
        if (current[i] > current[best]) best = i;
      }
      current[best] -= total;
      schedule_.push_back(static_cast<int>(best));
    }
    for (size_t i = 0; i < parts_.size(); ++i) {
      offsets_.push_back(static_cast<int>(kind_names_.size()));
      for (const std::string& k : parts_[i]->KindNames()) {
        kind_names_.push_back(absl::StrCat(names[i], "/", k));
      }
    }
  }

  bool Plan(uint64_t seq, CallPlan* plan) override {
    const int part = schedule_[seq % schedule_.size()];
    if (!parts_[part]->Plan(seq / schedule_.size(), plan)) return false;
    plan->kind += offsets_[part];
    return true;
  }

  CallOutcome Judge(const CallPlan& plan, const grpc::Status& status,
                    grpc::ByteBuffer* response) override {
    size_t part = offsets_.size() - 1;
    while (offsets_[part] > plan.kind) --part;
    CallPlan own = plan;
    own.kind -= offsets_[part];
    return parts_[part]->Judge(own, status, response);
  }

  std::vector<std::string> KindNames() const override { return kind_names_; }

 private:
  std::vector<std::unique_ptr<Workload>> parts_;
  std::vector<int> schedule_;
  std::vector<int> offsets_;
  std::vector<std::string> kind_names_;
};

}  // namespace

std::unique_ptr<Workload> HealthWorkload() {
  return std::make_unique<Health>();
}

std::unique_ptr<Workload> GrantWorkload(accord::v1::RequestGrantRequest request,
                                        size_t expected_subjects) {
  return std::make_unique<Grant>(std::move(request), expected_subjects);
}

std::unique_ptr<Workload> ConsentWorkload(std::vector<Citizen> citizens,
                                          std::string dataset_id,
                                          std::string purpose,
                                          std::string partner,
                                          bool withdraw_too) {
  return std::make_unique<ConsentChanges>(
      std::move(citizens), std::move(dataset_id), std::move(purpose),
      std::move(partner), withdraw_too);
}

std::unique_ptr<Workload> MixedWorkload(
    std::vector<std::unique_ptr<Workload>> parts, std::vector<int> weights,
    std::vector<std::string> part_names) {
  return std::make_unique<Mixed>(std::move(parts), std::move(weights),
                                 std::move(part_names));
}

}  // namespace accord::bench
