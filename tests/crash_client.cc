// crash_client: load for the crash test, and the check after it.
//
//   crash_client load --broker ADDR --dev DATA_DIR --name N --out FILE
//                     --stop FILE [--seed S]
//     Gives and withdraws consents (citizens N-c0, N-c1, ...) and requests
//     grants as partner-demo until FILE --stop exists. Every acknowledged
//     write is appended to --out and fsynced before the next call; refused
//     writes (a definite error) go to --out.refused the same way. A call
//     whose outcome is unknown (the broker died under it) is noted as such.
//   crash_client check --broker ADDR --dev DATA_DIR --log-key KEY FILE...
//     Checks every record of the FILEs against the broker; prints counts and
//     one line per loss; exits 0 only when nothing is lost. With
//     --later-writes yes a given consent may also be found withdrawn.
//
// Record lines: "G citizen consent_id subject" (given), "w citizen id"
// (withdrawal sent), "W citizen id" (withdrawn), "T jti log_index" (grant),
// "D dataset" (a logged deny), "X op code" (outcome unknown); refused:
// "R citizen code" (a consent for marketing, never allowed), "E op code".
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "accord/v1/access.grpc.pb.h"
#include "accord/v1/audit.grpc.pb.h"
#include "accord/v1/consent.grpc.pb.h"
#include "broker/auditlog/checkpoint.h"
#include "broker/auditlog/log_audit.h"
#include "broker/auditlog/merkle.h"
#include "broker/cmdline/flags.h"
#include "broker/dev/dev_layout.h"
#include "broker/testing/wait.h"
#include "clients/connection.h"
#include "clients/dev_token.h"

namespace accord::crashtest {
namespace {

namespace v1 = accord::v1;
namespace dev = accord::dev;

constexpr char kPersonal[] = "rennes.energy.household-consumption";
constexpr char kOpen[] = "rennes.mobility.bike-stations";
constexpr char kPurpose[] = "research-and-development";

using cmdline::FlagSpec;

std::vector<FlagSpec> Specs() {
  using A = FlagSpec::Arity;
  return {
      {"broker", A::kValue, "ADDR", "the broker's gRPC address", {}},
      {"dev", A::kValue, "DATA_DIR", "the broker's dev directory", {}},
      {"name", A::kValue, "N", "load: prefix of the citizens' names", {}},
      {"out",
       A::kValue,
       "FILE",
       "load: the journal of acknowledged writes",
       {}},
      {"stop", A::kValue, "FILE", "load: stop once this file exists", {}},
      {"seed", A::kValue, "S", "load: random seed (default 1)", {}},
      {"log-key", A::kValue, "KEY", "check: the audit log's verifier key", {}},
      {"later-writes",
       A::kValue,
       "yes",
       "check: a given consent may also be found withdrawn",
       {}},
      cmdline::HelpFlag()};
}

std::string Usage() {
  return absl::StrCat(
      "usage: crash_client load --broker ADDR --dev DATA_DIR --name N "
      "--out FILE --stop FILE [--seed S]\n"
      "       crash_client check --broker ADDR --dev DATA_DIR --log-key KEY "
      "[--later-writes yes] FILE...\n\nflags:\n",
      cmdline::FlagsUsage(Specs()));
}

std::string ReadOrDie(const std::string& path) {
  auto text = client::ReadSmallFile(path);
  if (!text.ok()) {
    std::cerr << text.status() << "\n";
    std::exit(2);
  }
  return *text;
}

// A TLS channel as `principal` that reconnects quickly after a restart.
std::shared_ptr<grpc::Channel> Channel(const std::string& target,
                                       const std::string& data_dir,
                                       const std::string& principal) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadOrDie(dev::CaCertPath(data_dir));
  tls.pem_cert_chain = ReadOrDie(dev::PrincipalCertPath(data_dir, principal));
  tls.pem_private_key = ReadOrDie(dev::PrincipalKeyPath(data_dir, principal));
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 300);
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(tls), args);
}

void Prepare(grpc::ClientContext* ctx, const std::string& token) {
  ctx->set_wait_for_ready(true);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(4));
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
}

// A status the broker answered with on purpose: the write did not happen.
bool Definite(const grpc::Status& s) {
  switch (s.error_code()) {
    case grpc::INVALID_ARGUMENT:
    case grpc::NOT_FOUND:
    case grpc::FAILED_PRECONDITION:
    case grpc::PERMISSION_DENIED:
    case grpc::UNAUTHENTICATED:
    case grpc::ALREADY_EXISTS:
    case grpc::OUT_OF_RANGE:
    case grpc::RESOURCE_EXHAUSTED:
    case grpc::ABORTED:
      return true;
    default:
      return false;
  }
}

// Appends one line and fsyncs it before returning.
class Journal {
 public:
  explicit Journal(const std::string& path)
      : fd_(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600)) {}
  ~Journal() { close(fd_); }
  void Add(const std::string& line) {
    const std::string l = line + "\n";
    if (write(fd_, l.data(), l.size()) != static_cast<ssize_t>(l.size()) ||
        fsync(fd_) != 0) {
      std::perror("journal");
      std::exit(2);
    }
  }

 private:
  int fd_;
};

struct Citizen {
  std::string name, token, consent_id, subject;
  bool withdrawn = false;
};

int Load(const cmdline::ParsedArgs& f) {
  const std::string target = f.GetOr("broker", ""),
                    data_dir = f.GetOr("dev", "");
  const std::string name = f.GetOr("name", ""), stop = f.GetOr("stop", "");
  Journal acked(f.GetOr("out", "")), refused(f.GetOr("out", "") + ".refused");
  std::mt19937 rng(f.Has("seed") ? std::stoul(f.GetOr("seed", "")) : 1);
  auto citizen_channel = Channel(target, data_dir, "citizen-app");
  auto consents = v1::ConsentService::NewStub(citizen_channel);
  auto access =
      v1::AccessService::NewStub(Channel(target, data_dir, "partner-demo"));
  std::vector<Citizen> citizens;
  auto unknown = [&](const char* op, const grpc::Status& s) {
    acked.Add(absl::StrCat("X ", op, " ", s.error_code()));
  };
  while (!std::filesystem::exists(stop)) {
    const int dice = rng() % 10;
    if (dice < 4 || citizens.empty()) {
      Citizen c;
      c.name = absl::StrCat(name, "-c", citizens.size());
      auto token = client::MintDevCitizenTokenFromDataDir(
          data_dir, c.name, absl::ToUnixSeconds(absl::Now()));
      if (!token.ok()) return 2;
      c.token = *token;
      v1::GiveConsentRequest req;
      req.set_dataset_id(kPersonal);
      req.set_purpose(kPurpose);
      req.mutable_recipient()->set_partner("partner-demo");
      v1::GiveConsentResponse resp;
      grpc::ClientContext ctx;
      Prepare(&ctx, c.token);
      grpc::Status s = consents->GiveConsent(&ctx, req, &resp);
      if (s.ok()) {
        c.consent_id = resp.consent().id();
        c.subject = resp.consent().subject();
        acked.Add(
            absl::StrCat("G ", c.name, " ", c.consent_id, " ", c.subject));
      } else if (Definite(s)) {
        refused.Add(absl::StrCat("E give ", s.error_code()));
      } else {
        unknown("give", s);
      }
      citizens.push_back(std::move(c));  // an unknown give is never reused
    } else if (dice < 6) {
      Citizen& c = citizens[rng() % citizens.size()];
      if (c.consent_id.empty() || c.withdrawn) continue;
      c.withdrawn = true;  // sent once: its outcome decides the state
      acked.Add(absl::StrCat("w ", c.name, " ", c.consent_id));
      v1::WithdrawConsentRequest req;
      req.set_consent_id(c.consent_id);
      v1::WithdrawConsentResponse resp;
      grpc::ClientContext ctx;
      Prepare(&ctx, c.token);
      grpc::Status s = consents->WithdrawConsent(&ctx, req, &resp);
      if (s.ok()) {
        acked.Add(absl::StrCat("W ", c.name, " ", c.consent_id));
      } else if (Definite(s)) {
        refused.Add(absl::StrCat("E withdraw ", s.error_code()));
      } else {
        unknown("withdraw", s);
      }
    } else if (dice < 9) {
      v1::RequestGrantRequest req;
      const bool personal = dice == 8;
      req.set_dataset_id(personal ? kPersonal : kOpen);
      req.set_purpose(kPurpose);
      req.set_audience("data.rennes.example");
      if (personal) {
        for (const Citizen& c : citizens) {
          if (!c.subject.empty() && req.subjects_size() < 5) {
            req.add_subjects(c.subject);
          }
        }
        if (req.subjects().empty()) continue;
      }
      v1::RequestGrantResponse resp;
      grpc::ClientContext ctx;
      Prepare(&ctx, "");
      grpc::Status s = access->RequestGrant(&ctx, req, &resp);
      if (s.ok()) {
        if (resp.grants().empty())
          acked.Add(absl::StrCat("D ", req.dataset_id()));
        for (const v1::Grant& g : resp.grants()) {
          acked.Add(absl::StrCat("T ", g.id(), " ", g.log_index()));
        }
      } else if (Definite(s)) {
        refused.Add(absl::StrCat("E grant ", s.error_code()));
      } else {
        unknown("grant", s);
      }
    } else {
      // Marketing is never a purpose of the personal dataset: refused, and
      // the check makes sure no such consent exists.
      Citizen& c = citizens[rng() % citizens.size()];
      v1::GiveConsentRequest req;
      req.set_dataset_id(kPersonal);
      req.set_purpose("commercial.marketing");
      req.mutable_recipient()->set_partner("partner-demo");
      v1::GiveConsentResponse resp;
      grpc::ClientContext ctx;
      Prepare(&ctx, c.token);
      grpc::Status s = consents->GiveConsent(&ctx, req, &resp);
      if (s.ok()) {
        acked.Add(absl::StrCat("M ", c.name, " ", resp.consent().id()));
      } else if (Definite(s)) {
        refused.Add(absl::StrCat("R ", c.name, " ", s.error_code()));
      } else {
        unknown("refused-give", s);
      }
    }
  }
  return 0;
}

struct Expected {
  std::string citizen;
  bool given = false, withdraw_sent = false, withdrawn = false;
};

int Check(const cmdline::ParsedArgs& f, const std::vector<std::string>& files) {
  const std::string target = f.GetOr("broker", ""),
                    data_dir = f.GetOr("dev", "");
  // The key itself, or a file holding it.
  std::string key = f.GetOr("log-key", "");
  if (key.find('+') == std::string::npos) {
    key = std::string(absl::StripAsciiWhitespace(ReadOrDie(key)));
  }
  // --later-writes yes: the broker may hold writes sent after the journals
  // were copied (a backup), so a given consent may since be withdrawn.
  const bool later_writes = f.Has("later-writes");
  std::map<std::string, Expected> consents;  // by consent id
  std::map<std::string, uint64_t> grants;    // jti -> log index
  std::vector<std::string> refused_citizens;
  size_t acked = 0, refused = 0, unknown = 0, denies = 0, losses = 0;
  for (const std::string& file : files) {
    for (const std::string& path : {file, file + ".refused"}) {
      std::ifstream in(path);
      std::string line;
      while (std::getline(in, line)) {
        std::vector<std::string> w = absl::StrSplit(line, ' ');
        if (w.size() < 2) continue;
        if (w[0] == "G") {
          consents[w[2]].citizen = w[1];
          consents[w[2]].given = true;
          ++acked;
        } else if (w[0] == "w") {
          consents[w[2]].withdraw_sent = true;
        } else if (w[0] == "W") {
          consents[w[2]].withdrawn = true;
          ++acked;
        } else if (w[0] == "T") {
          grants[w[1]] = std::stoull(w[2]);
          ++acked;
        } else if (w[0] == "D") {
          ++denies;
          ++acked;
        } else if (w[0] == "X") {
          ++unknown;
        } else if (w[0] == "R") {
          refused_citizens.push_back(w[1]);
          ++refused;
        } else if (w[0] == "E") {
          ++refused;
        } else if (w[0] == "M") {
          std::cout << "LOSS marketing consent accepted: " << line << "\n";
          ++losses;
        }
      }
    }
  }
  auto stub =
      v1::ConsentService::NewStub(Channel(target, data_dir, "citizen-app"));
  auto token_of = [&](const std::string& citizen) {
    return *client::MintDevCitizenTokenFromDataDir(
        data_dir, citizen, absl::ToUnixSeconds(absl::Now()));
  };
  for (const auto& [id, e] : consents) {
    if (!e.given) continue;
    v1::GetConsentRequest req;
    req.set_consent_id(id);
    v1::GetConsentResponse resp;
    grpc::ClientContext ctx;
    Prepare(&ctx, token_of(e.citizen));
    grpc::Status s = stub->GetConsent(&ctx, req, &resp);
    const auto state = resp.consent().state();
    bool ok = s.ok();
    if (ok && e.withdrawn) ok = state == v1::CONSENT_STATE_WITHDRAWN;
    if (ok && !e.withdraw_sent && !later_writes) {
      ok = state == v1::CONSENT_STATE_GIVEN;
    }
    if (!ok) {
      std::cout << "LOSS consent " << id << " of " << e.citizen << ": status "
                << s.error_code() << " state " << state << "\n";
      ++losses;
    }
  }
  for (const std::string& citizen : refused_citizens) {
    v1::ListConsentsRequest req;
    req.set_page_size(1000);
    v1::ListConsentsResponse resp;
    grpc::ClientContext ctx;
    Prepare(&ctx, token_of(citizen));
    grpc::Status s = stub->ListConsents(&ctx, req, &resp);
    for (const v1::Consent& c : resp.consents()) {
      if (c.purpose() == "commercial.marketing") {
        std::cout << "LOSS refused consent present: " << c.id() << "\n";
        ++losses;
      }
    }
    if (!s.ok()) {
      std::cout << "LOSS cannot list consents of " << citizen << "\n";
      ++losses;
    }
  }
  // Every grant's entry is in the log under the latest signed checkpoint.
  auto audit =
      v1::AuditService::NewStub(Channel(target, data_dir, "auditor-demo"));
  uint64_t needed = 0;
  for (const auto& [jti, index] : grants) needed = std::max(needed, index + 1);
  auditlog::Checkpoint head;
  absl::Status unopened;
  const bool covered = accord::testing::WaitUntil(
      [&] {
        v1::GetCheckpointResponse resp;
        grpc::ClientContext ctx;
        Prepare(&ctx, "");
        grpc::Status s =
            audit->GetCheckpoint(&ctx, v1::GetCheckpointRequest(), &resp);
        if (!s.ok()) return false;
        auto opened = auditlog::OpenCheckpoint(
            resp.checkpoint(), auditlog::OriginOfVerifierKey(key), key);
        if (!opened.ok()) {
          unopened = opened.status();
          return true;
        }
        head = *opened;
        return head.size >= needed;
      },
      absl::Seconds(30));
  if (!unopened.ok()) {
    std::cout << "LOSS checkpoint does not open: " << unopened << "\n";
    return 1;
  }
  if (!covered) {
    // The proofs below then fail for the grants the checkpoint misses.
    std::cout << "no checkpoint covering " << needed << " log entries in 30 s "
              << "(the latest has " << head.size << ")\n";
  }
  size_t proven = 0;
  for (const auto& [jti, index] : grants) {
    v1::GetInclusionProofRequest req;
    req.set_grant_id(jti);
    req.set_tree_size(head.size);
    v1::GetInclusionProofResponse proof;
    grpc::ClientContext ctx;
    Prepare(&ctx, "");
    grpc::Status s = audit->GetInclusionProof(&ctx, req, &proof);
    v1::GetEntriesRequest ereq;
    ereq.set_start(proof.index());
    ereq.set_count(1);
    v1::GetEntriesResponse entry;
    grpc::ClientContext ectx;
    Prepare(&ectx, "");
    if (s.ok()) s = audit->GetEntries(&ectx, ereq, &entry);
    bool ok = s.ok() && proof.index() == index && entry.entries_size() == 1 &&
              entry.entries(0).event().grant_id() == jti;
    if (ok) {
      const std::vector<std::string> path(proof.proof().begin(),
                                          proof.proof().end());
      ok =
          auditlog::VerifyInclusion(
              auditlog::HashToBytes(auditlog::HashLeaf(entry.entries(0).raw())),
              index, head.size, path, auditlog::HashToBytes(head.root))
              .ok();
    }
    if (ok) {
      ++proven;
    } else {
      std::cout << "LOSS grant " << jti << " (log index " << index
                << "): status " << s.error_code() << "\n";
      ++losses;
    }
  }
  std::cout << "acked=" << acked << " consents=" << consents.size()
            << " grants=" << grants.size() << " proven=" << proven
            << " denies=" << denies << " refused=" << refused
            << " unknown=" << unknown << " tree_size=" << head.size
            << " losses=" << losses << "\n";
  return losses == 0 ? 0 : 1;
}

}  // namespace
}  // namespace accord::crashtest

// LeakSanitizer's suppressions for this test client only: when the crash
// test stops a client while its channels are mid-handshake with a broker
// that was killed, gRPC's TLS state allocated by OpenSSL is still held at
// exit; that is this client's exit, not a leak of the broker's.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libcrypto.so\n";
}

int main(int argc, char** argv) {
  using accord::crashtest::Usage;
  auto flags =
      accord::cmdline::ParseFlags(argc, argv, accord::crashtest::Specs());
  if (flags.ok() && flags->Has("help")) {
    std::cout << Usage();
    return 0;
  }
  if (!flags.ok() || flags->positionals().empty()) {
    std::cerr << "crash_client: "
              << (flags.ok() ? "missing mode load|check"
                             : std::string(flags.status().message()))
              << "\n"
              << Usage();
    return 2;
  }
  const std::string mode = flags->positionals().front();
  const std::vector<std::string> rest(flags->positionals().begin() + 1,
                                      flags->positionals().end());
  std::vector<const char*> needed = {"broker", "dev"};
  if (mode == "load") needed.insert(needed.end(), {"name", "out", "stop"});
  if (mode == "check") needed.push_back("log-key");
  for (const char* name : needed) {
    if (!flags->Has(name)) {
      std::cerr << "crash_client: --" << name << " is required\n";
      return 2;
    }
  }
  if (mode == "load") return accord::crashtest::Load(*flags);
  if (mode == "check") return accord::crashtest::Check(*flags, rest);
  std::cerr << "crash_client: unknown mode " << mode << "\n";
  return 2;
}
