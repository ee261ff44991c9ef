// One caller cannot stall the broker for the others, against the real
// accord-broker on loopback: waits for a revision hold no thread and are
// bounded, the rate limit charges what a call asks for, revocation streams
// are capped, readiness follows a stalled writer, and outside dev mode the
// gRPC listener takes no caller without a certificate. The flood itself is
// flood_test.cc.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "accord/v1/access.grpc.pb.h"
#include "accord/v1/admin.grpc.pb.h"
#include "accord/v1/audit.grpc.pb.h"
#include "accord/v1/trust.grpc.pb.h"
#include "broker/http/client.h"
#include "tests/broker_harness.h"
#include "tests/tls_callers.h"
#include "tests/trust_clients.h"

namespace accord::testing {
namespace {

namespace fs = std::filesystem;
using grpc::StatusCode;

TEST_CASE(
    "a revision far ahead is refused at once, a near one is waited "
    "for, bounded, and served when it comes",
    "[trust][integration]") {
  TempDir dir;
  BrokerProcess broker(dir.path());
  REQUIRE(broker.Start().ok());
  Client partner(broker, Dev(broker, "partner-demo"));
  const uint64_t head = Head(partner);

  grpc::Status far = Grant(partner, BikeRequest(head + 100000));
  CHECK(far.error_code() == StatusCode::INVALID_ARGUMENT);
  CHECK(absl::StartsWith(far.error_message(), "at_least_as_fresh"));
  v1::RequestGrantsRequest batch;
  for (int i = 0; i < 10; ++i) {
    *batch.add_requests() = BikeRequest(std::numeric_limits<uint64_t>::max());
  }
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(absl::Seconds(30)));
    v1::RequestGrantsResponse response;
    grpc::Status s = partner.access->RequestGrants(&ctx, batch, &response);
    CHECK(s.error_code() == StatusCode::INVALID_ARGUMENT);
  }

  // Nobody commits: the wait ends, within its bound, with UNAVAILABLE.
  grpc::Status unreached = Grant(partner, BikeRequest(head + 50));
  CHECK(unreached.error_code() == StatusCode::UNAVAILABLE);

  // A wait one revision ahead, answered once another call commits.
  std::atomic<int> code{-1};
  std::thread waiter([&] {
    code = static_cast<int>(Grant(partner, BikeRequest(head + 2)).error_code());
  });
  // The waiting call is served only after the next commit; until then
  // it holds no handler thread, so this grant goes through meanwhile.
  v1::RequestGrantResponse next;
  REQUIRE(Grant(partner, BikeRequest(), &next).ok());
  CHECK(next.revision() >= head + 1);
  // The waiter's revision comes with this commit or the next.
  REQUIRE(Grant(partner, BikeRequest(), &next).ok());
  waiter.join();
  CHECK(code == static_cast<int>(StatusCode::OK));
}

TEST_CASE(
    "the rate limit charges each request of a batch and the subjects "
    "named, and the peer limit comes before authentication",
    "[trust][integration]") {
  SECTION("per principal, by cost") {
    TempDir dir;
    BrokerProcess broker(dir.path(), {"--rate-limit-per-second", "1",
                                      "--rate-limit-burst", "20"});
    REQUIRE(broker.Start().ok());
    Client partner(broker, Dev(broker, "partner-demo"));
    // 20 requests cost 20 tokens: the whole burst.
    v1::RequestGrantsRequest batch;
    for (int i = 0; i < 20; ++i) *batch.add_requests() = BikeRequest();
    grpc::ClientContext ctx;
    ctx.set_deadline(In(absl::Seconds(30)));
    v1::RequestGrantsResponse response;
    REQUIRE(partner.access->RequestGrants(&ctx, batch, &response).ok());
    // The bucket is empty: one more request is refused (refilled at 1/s,
    // it holds at most about a token by now, too few for a batch of 5).
    v1::RequestGrantsRequest five;
    for (int i = 0; i < 5; ++i) *five.add_requests() = BikeRequest();
    grpc::ClientContext again;
    again.set_deadline(In(absl::Seconds(30)));
    grpc::Status s = partner.access->RequestGrants(&again, five, &response);
    CHECK(s.error_code() == StatusCode::RESOURCE_EXHAUSTED);
  }
  SECTION("per peer address, whatever the principal") {
    TempDir dir;
    BrokerProcess broker(dir.path(), {"--rate-limit-per-peer-per-second", "1",
                                      "--rate-limit-per-peer-burst", "3"});
    REQUIRE(broker.Start().ok());
    Client partner(broker, Dev(broker, "partner-demo"));
    Client auditor(broker, Dev(broker, "auditor-demo"));
    Client nobody(broker, ClientIdentity{});
    int refused = 0;
    for (int i = 0; i < 8; ++i) {
      grpc::ClientContext ctx;
      ctx.set_deadline(In(absl::Seconds(30)));
      v1::GetVerificationKeysResponse keys;
      // Callers without a certificate are charged too, before the broker
      // looks at who they are.
      const Client& who = i % 3 == 0 ? partner : i % 3 == 1 ? auditor : nobody;
      grpc::Status s = who.trust->GetVerificationKeys(&ctx, {}, &keys);
      if (s.error_code() == StatusCode::RESOURCE_EXHAUSTED) ++refused;
    }
    // 3 in the burst, at most a few refilled while the calls ran.
    CHECK(refused >= 3);
  }
}

TEST_CASE("each service takes requests of its own size",
          "[trust][integration]") {
  TempDir dir;
  BrokerProcess broker(dir.path());
  REQUIRE(broker.Start().ok());
  Client op(broker, Dev(broker, "operator"));
  Client partner(broker, Dev(broker, "partner-demo"));
  // 100 KiB is more than an admin request takes: refused before the
  // request is looked at (an id that long would otherwise be
  // INVALID_ARGUMENT).
  v1::AddPrincipalRequest add;
  add.mutable_principal()->set_id(std::string(100 << 10, 'a'));
  grpc::ClientContext ctx;
  ctx.set_deadline(In(absl::Seconds(30)));
  v1::AddPrincipalResponse added;
  grpc::Status s = op.admin->AddPrincipal(&ctx, add, &added);
  CHECK(s.error_code() == StatusCode::RESOURCE_EXHAUSTED);
  CHECK(absl::StartsWith(s.error_message(), "request"));
  // The same size is a normal grant request: its field is what is wrong.
  v1::RequestGrantRequest big = BikeRequest();
  big.set_audience(std::string(100 << 10, 'a'));
  grpc::Status g = Grant(partner, big);
  CHECK(g.error_code() == StatusCode::INVALID_ARGUMENT);
  CHECK(absl::StartsWith(g.error_message(), "audience"));
}

TEST_CASE(
    "a client certificate on the CA's revocation list fails the "
    "handshake",
    "[trust][integration]") {
  TempDir dir;
  const std::string data = dir.path() + "/var";
  REQUIRE(MakeDevMaterial(data).ok());
  // A CRL of the dev CA revoking partner-demo's certificate, in a directory
  // named the way OpenSSL looks CRLs up (issuer hash, .r0).
  const std::string pki = data + "/dev-pki";
  const std::string ca = dir.path() + "/ca";
  const std::string crls = dir.path() + "/crls";
  fs::create_directories(ca);
  fs::create_directories(crls);
  {
    std::ofstream cnf(ca + "/ca.cnf");
    cnf << "[ca]\ndefault_ca = dev\n[dev]\ndatabase = " << ca
        << "/index.txt\ncrlnumber = " << ca
        << "/crlnumber\ndefault_md = sha256\ndefault_crl_days = 30\n";
    std::ofstream(ca + "/index.txt");
    std::ofstream(ca + "/crlnumber") << "1000\n";
  }
  const std::string openssl =
      absl::StrCat("openssl ca -config ", ca, "/ca.cnf -keyfile ", pki,
                   "/ca.key -cert ", pki, "/ca.pem ");
  REQUIRE(Shell(openssl + "-revoke " + pki + "/partner-demo.pem 2>/dev/null") ==
          0);
  REQUIRE(Shell(openssl + "-gencrl -out " + ca + "/crl.pem 2>/dev/null") == 0);
  REQUIRE(Shell(absl::StrCat("cp ", ca, "/crl.pem ", crls, "/$(openssl crl ",
                             "-hash -noout -in ", ca, "/crl.pem).r0")) == 0);

  BrokerProcess broker(data, {"--tls-crl-dir", crls});
  REQUIRE(broker.Start().ok());
  Client partner(broker, Dev(broker, "partner-demo"));
  Client auditor(broker, Dev(broker, "auditor-demo"));
  grpc::ClientContext ctx;
  ctx.set_deadline(In(absl::Seconds(30)));
  v1::GetCheckpointResponse checkpoint;
  CHECK(auditor.audit->GetCheckpoint(&ctx, {}, &checkpoint).ok());
  // Revoked: refused in the handshake, which gRPC reports as UNAVAILABLE.
  CHECK(Grant(partner, BikeRequest()).error_code() == StatusCode::UNAVAILABLE);
  REQUIRE(broker.Stop() == 0);
  // Without the list, the same certificate is served.
  BrokerProcess plain(data);
  REQUIRE(plain.Start().ok());
  CHECK(Grant(Client(plain, Dev(plain, "partner-demo")), BikeRequest()).ok());
}

TEST_CASE("revocation streams are capped per principal and in all",
          "[trust][integration]") {
  TempDir dir;
  BrokerProcess broker(dir.path(), {"--max-revocation-streams-per-principal",
                                    "3", "--max-revocation-streams", "5"});
  REQUIRE(broker.Start().ok());
  Client partner(broker, Dev(broker, "partner-demo"));
  Client auditor(broker, Dev(broker, "auditor-demo"));
  Client producer(broker, Dev(broker, "producer-demo"));
  Streams streams;
  // 4 streams of partner-demo, 2 of the auditor, 1 of the producer: the
  // broker takes them in any order, so it holds 5 of them open (the
  // total), 3 at most of partner-demo's, and refuses the others.
  std::vector<std::string> owners;
  for (int i = 0; i < 4; ++i, owners.push_back("partner")) {
    streams.Open(partner);
  }
  for (int i = 0; i < 2; ++i, owners.push_back("auditor")) {
    streams.Open(auditor);
  }
  streams.Open(producer);
  owners.push_back("producer");
  streams.Collect(absl::Seconds(3));
  int held = 0, refused = 0, partner_held = 0;
  for (size_t i = 0; i < streams.size(); ++i) {
    if (streams.open(i)) {
      ++held;
      if (owners[i] == "partner") ++partner_held;
    } else {
      CHECK(streams.code(i) == StatusCode::RESOURCE_EXHAUSTED);
      ++refused;
    }
  }
  CHECK(held == 5);
  CHECK(refused == 2);
  CHECK(partner_held <= 3);
  CHECK(partner_held >= 2);
  // A stream that ends gives its slot back.
  for (size_t i = 0; i < owners.size(); ++i) {
    if (owners[i] == "partner" && streams.open(i)) {
      streams.Cancel(i);
      break;
    }
  }
  streams.Collect(absl::Seconds(3));
  const size_t again = streams.Open(partner);
  streams.Collect(absl::Seconds(3));
  CHECK(streams.open(again));
}

// An ext4 file system in a loop device mounted at `path`, which fsfreeze
// can stall; unfrozen and unmounted by the destructor.
class FreezableDisk {
 public:
  explicit FreezableDisk(const std::string& image, const std::string& path)
      : path_(path) {
    fs::create_directories(path);
    mounted_ =
        Shell(absl::StrCat("truncate -s 256M ", image, " && mkfs.ext4 -q ",
                           image, " && mount -o loop ", image, " ", path,
                           " && rmdir ", path, "/lost+found")) == 0;
  }
  ~FreezableDisk() {
    Thaw();
    if (mounted_) Shell(absl::StrCat("umount -l ", path_));
  }
  bool mounted() const { return mounted_; }
  bool Freeze() { return frozen_ = Shell("fsfreeze -f " + path_) == 0; }
  void Thaw() {
    if (frozen_) Shell("fsfreeze -u " + path_);
    frozen_ = false;
  }

 private:
  std::string path_;
  bool mounted_ = false;
  bool frozen_ = false;
};

int ReadyzStatus(const BrokerProcess& broker) {
  auto r = http::HttpGet(broker.http_address(), "/readyz", absl::Seconds(5));
  return r.ok() ? r->status : -1;
}

// grpc.health.v1.Health/Check for the whole server, as a load balancer
// asks it: 1 SERVING, 2 NOT_SERVING (the response's one field); -1 when the
// call fails. Spoken in raw protobuf bytes: the request is empty, the
// response is field 1, a varint.
int HealthStatus(const Client& c) {
  grpc::GenericStub stub(c.channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(In(absl::Seconds(10)));
  grpc::Slice empty;  // an empty HealthCheckRequest
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(),
                 &request, &response, [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) return -1;
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return -1;
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  if (bytes.size() == 2 && bytes[0] == 0x08) return bytes[1];
  return bytes.empty() ? 0 : -1;  // 0: UNKNOWN, the default, sent empty
}

// The status of one empty message sent to the reflection service.
StatusCode ReflectionCode(const Client& c) {
  grpc::GenericStub stub(c.channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(In(absl::Seconds(10)));
  grpc::Slice empty;
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&ctx,
                 "/grpc.reflection.v1alpha.ServerReflection/"
                 "ServerReflectionInfo",
                 grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  return status.error_code();
}

// Polls `probe` until it returns `want`, for at most `bound`.
template <typename Probe>
bool Eventually(Probe probe, int want, absl::Duration bound) {
  return WaitUntil([&] { return probe() == want; }, bound);
}

// Exits with ctest's skip code (SKIP_RETURN_CODE) when this machine cannot
// run the case, so it is reported as skipped, never as passed.
void SkipUnless(bool can, const std::string& why) {
  if (can) return;
  std::cout << "SKIPPED: " << why << "\n";
  std::exit(kSkipExitCode);
}

TEST_CASE("readiness and the gRPC health status follow a stalled writer",
          "[trust][integration][readiness]") {
  SkipUnless(geteuid() == 0, "needs root to mount and freeze a file system");
  SkipUnless(Shell("command -v fsfreeze >/dev/null && command -v mkfs.ext4 "
                   ">/dev/null") == 0,
             "needs fsfreeze and mkfs.ext4 (util-linux, e2fsprogs)");
  TempDir dir;
  const std::string data = dir.path() + "/var";
  // Only the store's directory is on the disk that freezes: the broker's
  // log and keys stay writable.
  FreezableDisk disk(dir.path() + "/disk.img", data + "/db");
  SkipUnless(disk.mounted(), "this machine cannot mount a loop device");
  BrokerProcess broker(data, {"--ready-max-write-wait-ms", "500"});
  REQUIRE(broker.Start().ok());
  Client partner(broker, Dev(broker, "partner-demo"));
  REQUIRE(Grant(partner, BikeRequest()).ok());
  CHECK(ReadyzStatus(broker) == 200);
  CHECK(HealthStatus(partner) == 1);

  REQUIRE(disk.Freeze());
  // A write that cannot become durable while the disk is frozen.
  std::thread stalled(
      [&] { Grant(partner, BikeRequest(), nullptr, absl::Seconds(60)); });
  CHECK(
      Eventually([&] { return ReadyzStatus(broker); }, 503, absl::Seconds(30)));
  CHECK(
      Eventually([&] { return HealthStatus(partner); }, 2, absl::Seconds(30)));
  auto body = http::HttpGet(broker.http_address(), "/readyz", absl::Seconds(5));
  REQUIRE(body.ok());
  CHECK(body->body == "not ready\n");
  disk.Thaw();
  stalled.join();
  CHECK(
      Eventually([&] { return ReadyzStatus(broker); }, 200, absl::Seconds(30)));
  CHECK(
      Eventually([&] { return HealthStatus(partner); }, 1, absl::Seconds(30)));
  CHECK(absl::StrContains(broker.log(), "not ready"));
}

TEST_CASE(
    "outside dev mode the gRPC listener requires a client certificate "
    "and serves no reflection",
    "[trust][integration]") {
  TempDir dir;
  REQUIRE(MakeDevMaterial(dir.path()).ok());
  const std::string pki = dir.path() + "/dev-pki";
  BrokerProcess broker(dir.path(),
                       {"--tls-ca", pki + "/ca.pem", "--tls-cert",
                        pki + "/server.pem", "--tls-key", pki + "/server.key"},
                       /*dev=*/false);
  REQUIRE(broker.Start().ok());
  Client partner(broker, Dev(broker, "partner-demo"));
  Client nobody(broker, ClientIdentity{});
  CHECK(HealthStatus(partner) == 1);
  // No certificate: the handshake fails, so nothing answers, not even the
  // health service.
  CHECK(HealthStatus(nobody) == -1);
  grpc::ClientContext ctx;
  ctx.set_deadline(In(absl::Seconds(10)));
  v1::GetVerificationKeysResponse keys;
  CHECK(nobody.trust->GetVerificationKeys(&ctx, {}, &keys).error_code() ==
        StatusCode::UNAVAILABLE);
  // Reflection is not registered: its method is unknown here, known in
  // dev mode.
  CHECK(ReflectionCode(partner) == StatusCode::UNIMPLEMENTED);
  REQUIRE(broker.Stop() == 0);
  BrokerProcess dev(dir.path());
  REQUIRE(dev.Start().ok());
  CHECK(ReflectionCode(Client(dev, Dev(dev, "partner-demo"))) !=
        StatusCode::UNIMPLEMENTED);
}

}  // namespace
}  // namespace accord::testing
