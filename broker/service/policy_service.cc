#include "broker/service/policy_service.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/service/audit_events.h"
#include "broker/service/call.h"
#include "broker/service/clock.h"
#include "broker/service/decider.h"
#include "broker/service/policy_registry.h"
#include "broker/service/rate_limiter.h"
#include "broker/service/request_ids.h"
#include "broker/service/request_spec.h"
#include "broker/service/validate.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

using accord::v1::Dataset;

constexpr size_t kMaxPolicyBytes = 1 << 20;
constexpr size_t kMaxFields = 256;

absl::Status CheckOwner(const Caller& caller, const Dataset& dataset) {
  if (caller.principal.role() == accord::v1::ROLE_OPERATOR) {
    return absl::OkStatus();
  }
  if (dataset.producer() != caller.principal.id()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "dataset '", dataset.id(), "' belongs to another producer"));
  }
  return absl::OkStatus();
}

absl::Status CheckDataset(const Dataset& d) {
  if (absl::Status s = CheckId("dataset.id", d.id()); !s.ok()) return s;
  if (absl::Status s = CheckText("dataset.title", d.title(), 200); !s.ok()) {
    return s;
  }
  if (d.classification() == accord::v1::CLASSIFICATION_UNSPECIFIED ||
      !accord::v1::Classification_IsValid(d.classification())) {
    return absl::InvalidArgumentError(
        "dataset.classification: OPEN, RESTRICTED or PERSONAL is required");
  }
  if (d.fields().empty()) {
    return absl::InvalidArgumentError("dataset.fields: at least one field");
  }
  if (absl::Status s = CheckIdList("dataset.fields", d.fields(), kMaxFields);
      !s.ok()) {
    return s;
  }
  return CheckDatasetTexts(d);
}

// A dataset change refused because the current policy would no longer
// apply to the changed dataset.
absl::Status PolicyConflict(const DatasetChangeCheck& check) {
  constexpr absl::string_view kForce = "or set force with a reason";
  if (!check.fields_in_use.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "dataset.fields: the current policy (version ", check.policy_version,
        ") still uses ", check.fields_in_use.size() == 1 ? "field " : "fields ",
        absl::StrJoin(check.fields_in_use, ", "),
        "; put a policy without them first, ", kForce));
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "dataset: the current policy (version ", check.policy_version,
      ") would no longer apply; put a policy that applies to the changed "
      "dataset first, ",
      kForce, ":\n", check.problems));
}

// The fields of a PutDataset besides its client request id: the dataset
// (CheckDataset), and a reason with `force` and only with it.
absl::Status CheckPutDataset(const accord::v1::PutDatasetRequest& request) {
  if (absl::Status s = CheckDataset(request.dataset()); !s.ok()) return s;
  if (request.force()) {
    return CheckText("reason", request.reason(), kMaxReasonBytes);
  }
  if (!request.reason().empty()) {
    return absl::InvalidArgumentError("reason: only with force");
  }
  return absl::OkStatus();
}

// Refuses a dataset change with `refusal`, once `event` records the refusal
// for the operator: every grant on the dataset would fail until its
// producer put a policy that applies. Releases `claim` before answering
// (with the commit's error if it fails).
grpc::ServerUnaryReactor* RefuseDatasetChange(const Env& env, const Call& call,
                                              KeyClaims::Claim claim,
                                              accord::v1::AuditEvent event,
                                              absl::Status refusal) {
  store::WriteSet ws;
  ws.AddAuditEvent(std::move(event));
  ws.set_deadline(call.deadline());
  env.store->Commit(
      std::move(ws),
      [call, claim = std::move(claim), refusal = std::move(refusal)](
          absl::StatusOr<store::CommitResult> committed) mutable {
        call.FinishReleasing(claim,
                             committed.ok() ? refusal : committed.status());
      });
  return call.reactor();
}

// Commits `dataset` with its audit `event` and the answer `client` records
// for retries (request_ids.h); once durable, drops the dataset's cached
// policy, releases `claim` and answers with the dataset at its new
// revision.
grpc::ServerUnaryReactor* CommitDataset(
    const Env& env, const Call& call, KeyClaims::Claim claim, Dataset dataset,
    accord::v1::AuditEvent event, const ClientRequest& client,
    accord::v1::PutDatasetResponse* response) {
  store::WriteSet ws;
  ws.PutDataset(dataset);
  ws.AddAuditEvent(std::move(event));
  ws.set_deadline(call.deadline());
  accord::v1::PutDatasetResponse answer;
  *answer.mutable_dataset() = dataset;
  client.Record(ws, answer,
                [](accord::v1::PutDatasetResponse* out,
                   const store::CommitResult& committed) {
                  out->mutable_dataset()->set_revision(committed.revision);
                  out->set_revision(committed.revision);
                });
  env.store->Commit(std::move(ws),
                    [policies = env.policies, call, response,
                     claim = std::move(claim), dataset = std::move(dataset)](
                        absl::StatusOr<store::CommitResult> committed) mutable {
                      if (!committed.ok()) {
                        return (void)call.FinishReleasing(claim,
                                                          committed.status());
                      }
                      policies->InvalidateDataset(dataset.id());
                      claim.Release();
                      dataset.set_revision(committed->revision);
                      *response->mutable_dataset() = std::move(dataset);
                      response->set_revision(committed->revision);
                      call.Finish(absl::OkStatus());
                    });
  return call.reactor();
}

// Another change of the same dataset is between its read and its commit.
absl::Status Busy(absl::string_view dataset_id) {
  return absl::AbortedError(absl::StrCat(
      "dataset '", dataset_id, "' is being changed by another call; retry"));
}

// Who may ask ExplainAccess about `partner` on `dataset_id`: the operator,
// the partner itself, or the dataset's producer. The errors name the field
// at fault, never a subject. A dataset that does not exist is left to the
// decision (NOT_FOUND).
absl::Status CheckExplainCaller(const store::Store& store,
                                const accord::v1::Principal& caller,
                                const std::string& partner,
                                const std::string& dataset_id) {
  switch (caller.role()) {
    case accord::v1::ROLE_OPERATOR:
      return absl::OkStatus();
    case accord::v1::ROLE_PARTNER:
      if (partner != caller.id()) {
        return absl::PermissionDeniedError(
            "partner: a partner may only ask about itself");
      }
      return absl::OkStatus();
    case accord::v1::ROLE_PRODUCER: {
      auto dataset = store.GetDataset(dataset_id);
      if (absl::IsNotFound(dataset.status())) return absl::OkStatus();
      if (!dataset.ok()) return dataset.status();
      if (dataset->producer() != caller.id()) {
        return absl::PermissionDeniedError(absl::StrCat(
            "dataset_id: dataset '", dataset_id,
            "' belongs to another producer; only its producer may ask"));
      }
      return absl::OkStatus();
    }
    default:
      return absl::PermissionDeniedError(
          absl::StrCat("role ", accord::v1::Role_Name(caller.role()),
                       " may not ask ExplainAccess"));
  }
}

// The answer to ExplainAccess: counts of the subjects asked, permitted and
// without consent, and the decision's rule reasons. `per_subject` (the
// operator) keeps the subjects permitted and the consent ids; anyone else
// gets neither, and a reason message that would quote a subject asked is
// replaced by its code.
void FillExplainResponse(const AccessAnswer& answer,
                         const std::vector<std::string>& subjects,
                         bool per_subject,
                         accord::v1::ExplainAccessResponse* response) {
  *response->mutable_decision() = answer.proto;
  response->set_subjects_asked(static_cast<uint32_t>(subjects.size()));
  response->set_subjects_permitted(
      static_cast<uint32_t>(answer.proto.subjects_size()));
  response->set_subjects_without_consent(static_cast<uint32_t>(
      std::max(0, answer.decision.subjects_without_consent)));
  if (per_subject) return;
  accord::v1::Decision* decision = response->mutable_decision();
  decision->clear_subjects();
  decision->clear_consent_ids();
  if (subjects.empty()) return;
  for (accord::v1::Reason& reason : *decision->mutable_reasons()) {
    for (const std::string& subject : subjects) {
      if (absl::StrContains(reason.message(), subject)) {
        reason.set_message(reason.code());
        break;
      }
    }
  }
}

}  // namespace

grpc::ServerUnaryReactor* PolicyServiceImpl::PutDataset(
    grpc::CallbackServerContext* context,
    const accord::v1::PutDatasetRequest* request,
    accord::v1::PutDatasetResponse* response) {
  constexpr char kMethod[] = "/accord.v1.PolicyService/PutDataset";
  Call call(env_, context, kMethod, *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  auto client = ClientRequest::Find(env_, *caller, kMethod, *request, response);
  if (!client.ok()) return call.Finish(client.status());
  if (client->replayed()) return call.Finish(absl::OkStatus());
  if (absl::Status s = CheckPutDataset(*request); !s.ok()) {
    return call.Finish(s);
  }
  KeyClaims::Claim claim = catalog_.Take(request->dataset().id());
  if (!claim.held()) return call.Finish(Busy(request->dataset().id()));
  const std::string& actor = caller->principal.id();
  Dataset dataset = request->dataset();
  dataset.clear_revision();
  const int64_t now = env_.clock->NowSeconds();
  DatasetChangeCheck check;
  auto existing = env_.store->GetDataset(dataset.id());
  if (existing.ok()) {
    if (absl::Status s = CheckOwner(*caller, *existing); !s.ok()) {
      return call.FinishReleasing(claim, s);
    }
    dataset.set_producer(existing->producer());
    dataset.set_policy_version(existing->policy_version());
    auto checked = env_.policies->CheckDatasetChange(*existing, dataset);
    if (!checked.ok()) return call.FinishReleasing(claim, checked.status());
    check = *std::move(checked);
    if (check.breaks_policy && !request->force()) {
      return RefuseDatasetChange(
          env_, call, std::move(claim),
          DatasetRefusedEvent(actor, dataset, check.policy_version,
                              check.fields_in_use, now),
          PolicyConflict(check));
    }
  } else if (absl::IsNotFound(existing.status())) {
    const bool operator_names_producer =
        caller->principal.role() == accord::v1::ROLE_OPERATOR &&
        !dataset.producer().empty();
    if (!operator_names_producer) dataset.set_producer(actor);
    dataset.set_policy_version(0);
  } else {
    return call.FinishReleasing(claim, existing.status());
  }
  accord::v1::AuditEvent event =
      request->force()
          ? ForcedDatasetEvent(actor, dataset, request->reason(),
                               check.policy_version, check.fields_in_use, now)
          : DatasetEvent(actor, dataset, now);
  return CommitDataset(env_, call, std::move(claim), std::move(dataset),
                       std::move(event), *client, response);
}

grpc::ServerUnaryReactor* PolicyServiceImpl::GetDataset(
    grpc::CallbackServerContext* context,
    const accord::v1::GetDatasetRequest* request,
    accord::v1::GetDatasetResponse* response) {
  Call call(env_, context, "/accord.v1.PolicyService/GetDataset", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  if (absl::Status s = CheckId("id", request->id()); !s.ok()) {
    return call.Finish(s);
  }
  call.AfterFreshness(
      request->at_least_as_fresh(),
      [this, call, request, response]() -> grpc::ServerUnaryReactor* {
        auto dataset = env_.store->GetDataset(request->id());
        if (!dataset.ok()) return call.Finish(dataset.status());
        *response->mutable_dataset() = *std::move(dataset);
        return call.Finish(absl::OkStatus());
      });
  return call.reactor();
}

grpc::ServerUnaryReactor* PolicyServiceImpl::ListDatasets(
    grpc::CallbackServerContext* context,
    const accord::v1::ListDatasetsRequest* request,
    accord::v1::ListDatasetsResponse* response) {
  Call call(env_, context, "/accord.v1.PolicyService/ListDatasets", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  uint32_t limit;
  if (absl::Status s = CheckPageSize(request->page_size(), &limit); !s.ok()) {
    return call.Finish(s);
  }
  call.AfterFreshness(
      request->at_least_as_fresh(),
      [this, call, request, response, limit]() -> grpc::ServerUnaryReactor* {
        auto page = env_.store->ListDatasets(request->page_token(), limit);
        if (!page.ok()) return call.Finish(page.status());
        for (auto& d : page->records) *response->add_datasets() = std::move(d);
        response->set_next_page_token(page->next_cursor);
        return call.Finish(absl::OkStatus());
      });
  return call.reactor();
}

grpc::ServerUnaryReactor* PolicyServiceImpl::PutPolicy(
    grpc::CallbackServerContext* context,
    const accord::v1::PutPolicyRequest* request,
    accord::v1::PutPolicyResponse* response) {
  constexpr char kMethod[] = "/accord.v1.PolicyService/PutPolicy";
  Call call(env_, context, kMethod, *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  auto client = ClientRequest::Find(env_, *caller, kMethod, *request, response);
  if (!client.ok()) return call.Finish(client.status());
  if (client->replayed()) return call.Finish(absl::OkStatus());
  if (absl::Status s = CheckId("dataset_id", request->dataset_id()); !s.ok()) {
    return call.Finish(s);
  }
  if (request->format() == accord::v1::POLICY_FORMAT_UNSPECIFIED ||
      !accord::v1::PolicyFormat_IsValid(request->format())) {
    return call.Finish(
        absl::InvalidArgumentError("format: YAML or JSON is required"));
  }
  if (request->source().empty() || request->source().size() > kMaxPolicyBytes) {
    return call.Finish(
        absl::InvalidArgumentError("source: 1 byte to 1 MiB is required"));
  }
  std::string file_name =
      request->file_name().empty() ? "policy" : request->file_name();
  if (absl::Status s = CheckText("file_name", file_name, 256); !s.ok()) {
    return call.Finish(s);
  }
  KeyClaims::Claim claim = catalog_.Take(request->dataset_id());
  if (!claim.held()) return call.Finish(Busy(request->dataset_id()));
  auto dataset = env_.store->GetDataset(request->dataset_id());
  if (!dataset.ok()) return call.FinishReleasing(claim, dataset.status());
  if (absl::Status s = CheckOwner(*caller, *dataset); !s.ok()) {
    return call.FinishReleasing(claim, s);
  }
  auto prepared = env_.policies->Prepare(*dataset, request->source(),
                                         request->format(), file_name);
  if (!prepared.ok()) return call.FinishReleasing(claim, prepared.status());

  const int64_t now = env_.clock->NowSeconds();
  accord::v1::PolicyVersion version;
  version.set_dataset_id(dataset->id());
  version.mutable_ref()->set_version(dataset->policy_version() + 1);
  version.mutable_ref()->set_hash(prepared->hash);
  version.set_format(request->format());
  version.set_source(request->source());
  version.set_canonical(prepared->canonical);
  version.set_author(caller->principal.id());
  version.set_created_at(now);
  dataset->set_policy_version(version.ref().version());

  store::WriteSet ws;
  ws.PutPolicyVersion(version);
  ws.PutDataset(*dataset);
  ws.AddAuditEvent(
      PolicyEvent(caller->principal.id(), dataset->id(), version.ref(), now));
  ws.set_deadline(call.deadline());
  accord::v1::PutPolicyResponse answer;
  *answer.mutable_ref() = version.ref();
  client->Record(ws, answer,
                 [](accord::v1::PutPolicyResponse* out,
                    const store::CommitResult& committed) {
                   out->set_revision(committed.revision);
                 });
  env_.store->Commit(
      std::move(ws),
      [this, call, response, claim = std::move(claim), id = dataset->id(),
       ref = version.ref()](
          absl::StatusOr<store::CommitResult> committed) mutable {
        if (!committed.ok()) {
          return (void)call.FinishReleasing(claim, committed.status());
        }
        env_.policies->InvalidateDataset(id);
        claim.Release();
        *response->mutable_ref() = std::move(ref);
        response->set_revision(committed->revision);
        call.Finish(absl::OkStatus());
      });
  return call.reactor();
}

grpc::ServerUnaryReactor* PolicyServiceImpl::GetPolicy(
    grpc::CallbackServerContext* context,
    const accord::v1::GetPolicyRequest* request,
    accord::v1::GetPolicyResponse* response) {
  Call call(env_, context, "/accord.v1.PolicyService/GetPolicy", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  if (absl::Status s = CheckId("dataset_id", request->dataset_id()); !s.ok()) {
    return call.Finish(s);
  }
  call.AfterFreshness(
      request->at_least_as_fresh(),
      [this, call, request, response,
       caller = *std::move(caller)]() -> grpc::ServerUnaryReactor* {
        auto dataset = env_.store->GetDataset(request->dataset_id());
        if (!dataset.ok()) return call.Finish(dataset.status());
        const uint64_t version = request->version() == 0
                                     ? dataset->policy_version()
                                     : request->version();
        // Partners read the policy they are judged by, not its history (which
        // ListPolicyVersions also keeps from them).
        if (caller.principal.role() == accord::v1::ROLE_PARTNER &&
            version != dataset->policy_version()) {
          return call.Finish(absl::PermissionDeniedError(
              "version: a partner may read only the current policy"));
        }
        if (version == 0) {
          return call.Finish(absl::NotFoundError(
              absl::StrCat("dataset '", dataset->id(), "' has no policy yet")));
        }
        auto policy = env_.store->GetPolicyVersion(dataset->id(), version);
        if (!policy.ok()) return call.Finish(policy.status());
        *response->mutable_policy() = *std::move(policy);
        return call.Finish(absl::OkStatus());
      });
  return call.reactor();
}

grpc::ServerUnaryReactor* PolicyServiceImpl::ListPolicyVersions(
    grpc::CallbackServerContext* context,
    const accord::v1::ListPolicyVersionsRequest* request,
    accord::v1::ListPolicyVersionsResponse* response) {
  Call call(env_, context, "/accord.v1.PolicyService/ListPolicyVersions",
            *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  if (absl::Status s = CheckId("dataset_id", request->dataset_id()); !s.ok()) {
    return call.Finish(s);
  }
  uint32_t limit;
  if (absl::Status s = CheckPageSize(request->page_size(), &limit); !s.ok()) {
    return call.Finish(s);
  }
  auto dataset = env_.store->GetDataset(request->dataset_id());
  if (!dataset.ok()) return call.Finish(dataset.status());
  auto page = env_.store->ListPolicyVersions(request->dataset_id(),
                                             request->page_token(), limit);
  if (!page.ok()) return call.Finish(page.status());
  for (auto& v : page->records) {
    v.clear_source();
    v.clear_canonical();
    *response->add_versions() = std::move(v);
  }
  response->set_next_page_token(page->next_cursor);
  return call.Finish(absl::OkStatus());
}

grpc::ServerUnaryReactor* PolicyServiceImpl::ExplainAccess(
    grpc::CallbackServerContext* context,
    const accord::v1::ExplainAccessRequest* request,
    accord::v1::ExplainAccessResponse* response) {
  Call call(env_, context, "/accord.v1.PolicyService/ExplainAccess", *request);
  auto caller = call.Authenticate(SubjectCost(request->subjects_size()));
  if (!caller.ok()) return call.Finish(caller.status());
  for (auto [field, value] : {std::pair<const char*, const std::string*>{
                                  "partner", &request->partner()},
                              {"dataset_id", &request->dataset_id()},
                              {"purpose", &request->purpose()}}) {
    if (absl::Status s = CheckId(field, *value); !s.ok()) return call.Finish(s);
  }
  if (absl::Status s = CheckIdList("fields", request->fields(), kMaxFields);
      !s.ok()) {
    return call.Finish(s);
  }
  if (absl::Status s =
          CheckExplainCaller(*env_.store, caller->principal, request->partner(),
                             request->dataset_id());
      !s.ok()) {
    return call.Finish(s);
  }
  AccessQuestion question;
  question.partner = request->partner();
  question.dataset_id = request->dataset_id();
  question.purpose = request->purpose();
  question.fields.assign(request->fields().begin(), request->fields().end());
  question.subjects.assign(request->subjects().begin(),
                           request->subjects().end());
  question.lifetime_seconds = request->lifetime_seconds();
  question.location = request->location();
  auto answer = DecideAccess(env_, question);
  if (!answer.ok()) {
    return call.Finish(PolicyErrorFor(answer.status(), caller->principal));
  }
  FillExplainResponse(
      *answer, question.subjects,
      /*per_subject=*/caller->principal.role() == accord::v1::ROLE_OPERATOR,
      response);
  if (question.subjects.empty()) return call.Finish(absl::OkStatus());
  // A question about subjects is answered only once its record is durable:
  // who asked, about which partner, dataset and purpose, and how many
  // subjects, never which.
  store::WriteSet ws;
  ws.AddAuditEvent(ExplainEvent(
      caller->principal.id(), question.partner, question.dataset_id,
      question.purpose, question.subjects.size(), env_.clock->NowSeconds()));
  ws.set_deadline(call.deadline());
  env_.store->Commit(
      std::move(ws),
      [call, response](absl::StatusOr<store::CommitResult> committed) {
        if (!committed.ok()) {
          response->Clear();
          return (void)call.Finish(committed.status());
        }
        response->set_revision(committed->revision);
        call.Finish(absl::OkStatus());
      });
  return call.reactor();
}

}  // namespace accord::service
